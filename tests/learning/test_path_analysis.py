"""The goal graph: cycles, recommended order, blocked goals and the critical path."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from aksio.aggregates.learning.path_analysis import (
    GoalNode,
    blocked_goals,
    critical_path,
    find_cycle,
    recommended_order,
)


def node(key: str, hours: float = 1, *prereqs: str, **extra: object) -> GoalNode[str]:
    return GoalNode(key, key.upper(), hours, prerequisites=prereqs, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("graph", "cyclic"),
    [
        ({}, False),
        ({"a": []}, False),
        ({"a": ["a"]}, True),
        ({"a": ["b"], "b": ["c"], "c": []}, False),
        ({"a": ["b"], "b": ["c"], "c": ["a"]}, True),
        ({"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}, False),  # a diamond is fine
        ({"a": ["x"]}, False),  # edges to unknown goals end there
    ],
)
def test_find_cycle(graph: dict[str, list[str]], cyclic: bool) -> None:
    cycle = find_cycle(graph)
    assert (cycle is not None) == cyclic
    if cycle:
        assert cycle[0] == cycle[-1]
        assert all(b in graph[a] for a, b in itertools.pairwise(cycle))


def test_order_blocked_and_critical_path_of_a_diamond() -> None:
    nodes = [
        node("d", 5, "b", "c"),
        node("b", 2, "a"),
        node("c", 4, "a", priority=1),
        node("a", 1),
        node("e", 3, priority=5),
    ]
    assert recommended_order(nodes) == ["a", "c", "b", "d", "e"]
    assert blocked_goals(nodes) == {"d": ["b", "c"], "b": ["a"], "c": ["a"]}
    assert critical_path(nodes) == (10.0, ["a", "c", "d"])


def test_completed_goals_unblock_and_leave_the_path() -> None:
    nodes = [node("a", 4, completed=True), node("b", 2, "a"), node("c", 1, "b")]
    assert recommended_order(nodes) == ["b", "c"]
    assert blocked_goals(nodes) == {"c": ["b"]}
    assert critical_path(nodes) == (3.0, ["b", "c"])


def test_target_date_breaks_priority_ties() -> None:
    nodes = [
        node("late", target_date=date(2024, 5, 1)),
        node("soon", target_date=date(2024, 2, 1)),
        node("none"),
    ]
    assert recommended_order(nodes) == ["soon", "late", "none"]


def test_goals_on_a_cycle_are_left_out_of_the_order() -> None:
    nodes = [node("a", 1, "b"), node("b", 1, "a"), node("c", 1)]
    assert recommended_order(nodes) == ["c"]
    assert critical_path(nodes) == (1.0, ["c"])


def test_empty_graph() -> None:
    assert recommended_order([]) == []
    assert critical_path([]) == (0.0, [])
