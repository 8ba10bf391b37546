"""The goal graph of a study plan: order, blocked goals, critical path, cycles.

Edges point from a goal to its prerequisites. Completed goals, and
prerequisites that are no longer in the plan, count as satisfied. Ties in the
order go to the higher priority (1 is highest), then the earlier target date,
then the goal created first, so the same graph always gives the same answer.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class GoalNode(Generic[K]):
    id: K
    title: str = ""
    remaining_hours: float = 0.0
    priority: int = 3
    target_date: date | None = None
    prerequisites: tuple[K, ...] = ()
    completed: bool = False
    order: int = 0

    def rank(self) -> tuple[Any, ...]:
        return (self.priority, self.target_date or date.max, self.order, str(self.id))


def find_cycle(graph: Mapping[K, Iterable[K]]) -> list[K] | None:
    """One cycle as [a, b, ..., a] when the graph has any, else None."""
    state: dict[K, int] = {}  # 1 on the current path, 2 finished
    for root in graph:
        if state.get(root):
            continue
        path: list[K] = [root]
        stack = [iter(graph.get(root, ()))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph.get(nxt, ())))
    return None


def _open(nodes: Sequence[GoalNode[K]]) -> dict[K, GoalNode[K]]:
    return {n.id: n for n in nodes if not n.completed}


def _open_prerequisites(node: GoalNode[K], open_nodes: Mapping[K, GoalNode[K]]) -> list[K]:
    return [p for p in dict.fromkeys(node.prerequisites) if p in open_nodes and p != node.id]


def recommended_order(nodes: Sequence[GoalNode[K]]) -> list[K]:
    """Unfinished goals, each after its unfinished prerequisites; goals on a cycle are left out."""
    open_nodes = _open(nodes)
    waiting = {k: set(_open_prerequisites(n, open_nodes)) for k, n in open_nodes.items()}
    dependents: dict[K, list[K]] = {k: [] for k in open_nodes}
    for goal, prerequisites in waiting.items():
        for prerequisite in prerequisites:
            dependents[prerequisite].append(goal)
    ready = [(open_nodes[k].rank(), i, k) for i, k in enumerate(open_nodes) if not waiting[k]]
    heapq.heapify(ready)
    order: list[K] = []
    while ready:
        _, _, goal = heapq.heappop(ready)
        order.append(goal)
        for dependent in dependents[goal]:
            waiting[dependent].discard(goal)
            if not waiting[dependent]:
                index = len(order) + len(ready)
                heapq.heappush(ready, (open_nodes[dependent].rank(), index, dependent))
    return order


def blocked_goals(nodes: Sequence[GoalNode[K]]) -> dict[K, list[K]]:
    """Unfinished goals that wait on unfinished prerequisites, with those prerequisites."""
    open_nodes = _open(nodes)
    blocked = {k: _open_prerequisites(n, open_nodes) for k, n in open_nodes.items()}
    return {k: v for k, v in blocked.items() if v}


def critical_path(nodes: Sequence[GoalNode[K]]) -> tuple[float, list[K]]:
    """The chain of unfinished goals with the most remaining hours, prerequisites first."""
    open_nodes = _open(nodes)
    best: dict[K, tuple[float, list[K]]] = {}
    for goal in recommended_order(nodes):
        node = open_nodes[goal]
        before = [best[p] for p in _open_prerequisites(node, open_nodes) if p in best]
        hours, chain = max(before, key=lambda item: item[0], default=(0.0, []))
        best[goal] = (hours + node.remaining_hours, [*chain, goal])
    if not best:
        return 0.0, []
    hours, chain = max(best.values(), key=lambda item: item[0])
    return round(hours, 2), chain
