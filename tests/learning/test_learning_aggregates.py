"""Study plan, goal and study session aggregates: given events, when a command, then events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from aksio.aggregates.learning.goal import Goal
from aksio.aggregates.learning.study_plan import StudyPlan
from aksio.aggregates.learning.study_session import StudySession
from aksio.core.errors import InvalidState, NotFound, ValidationFailed

NOW = datetime(2024, 1, 19, 17, 0, tzinfo=UTC)


def plan_with(*goals: tuple[object, list[object]]) -> StudyPlan:
    plan = StudyPlan.create(uuid4(), {"title": "P", "start_date": date(2024, 1, 1)}, NOW)
    for goal_id, prerequisites in goals:
        plan.add_goal(goal_id, prerequisites, NOW)  # type: ignore[arg-type]
    plan.collect_events()
    return plan


def test_plan_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValidationFailed) as raised:
        StudyPlan.create(
            uuid4(),
            {"title": "P", "start_date": date(2024, 2, 1), "end_date": date(2024, 1, 1)},
            NOW,
        )
    assert "end_date" in raised.value.details


def test_prerequisites_must_be_goals_of_the_plan() -> None:
    a = uuid4()
    plan = plan_with((a, []))
    with pytest.raises(ValidationFailed) as raised:
        plan.add_goal(uuid4(), [a, uuid4()], NOW)
    assert "prerequisites" in raised.value.details
    assert plan.collect_events() == []


def test_a_cycle_is_refused_and_a_self_loop_too() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    plan = plan_with((a, []), (b, [a]), (c, [b]))
    for goal, prerequisites in ((a, [c]), (b, [b])):
        with pytest.raises(ValidationFailed) as raised:
            plan.change_prerequisites(goal, prerequisites, NOW)
        assert "cycle" in raised.value.details["prerequisites"][0]
    assert plan.collect_events() == []
    plan.change_prerequisites(c, [a, b, a], NOW)
    [changed] = plan.collect_events()
    assert isinstance(changed, StudyPlan.PrerequisitesChanged)
    assert changed.prerequisites == [a, b]


def test_removing_a_goal_drops_it_from_other_prerequisites() -> None:
    a, b = uuid4(), uuid4()
    plan = plan_with((a, []), (b, [a]))
    plan.remove_goal(a, NOW)
    assert plan.goals == {b: []}
    with pytest.raises(NotFound):
        plan.remove_goal(a, NOW)


def test_goal_progress_to_100_completes_and_then_freezes() -> None:
    goal = Goal.create(uuid4(), uuid4(), {"title": "G", "estimated_hours": 4}, NOW)
    goal.update_progress(40, NOW, notes="halfway-ish")
    goal.update_progress(100, NOW)
    kinds = [type(e) for e in goal.collect_events()]
    assert kinds == [Goal.Created, Goal.ProgressUpdated, Goal.ProgressUpdated, Goal.Completed]
    with pytest.raises(InvalidState):
        goal.update_progress(50, NOW)
    goal.complete(NOW)
    assert goal.collect_events() == []


def test_goal_progress_out_of_range_is_refused() -> None:
    goal = Goal.create(uuid4(), uuid4(), {"title": "G"}, NOW)
    with pytest.raises(ValidationFailed):
        goal.update_progress(101, NOW)


def test_a_session_type_outside_the_list_is_refused_by_the_aggregate() -> None:
    with pytest.raises(ValidationFailed) as raised:
        StudySession.start(uuid4(), None, {"session_type": "nap"}, NOW)
    assert "session_type" in raised.value.details
    session = StudySession.start(uuid4(), None, {"session_type": "review"}, NOW)
    with pytest.raises(ValidationFailed):
        session.update({"session_type": "nap"}, NOW)
    session.update({"session_type": "exam_prep"}, NOW)
    assert session.fields["session_type"] == "exam_prep"


def test_session_completion_decides_the_duration_once() -> None:
    session = StudySession.start(uuid4(), None, {"session_type": "review"}, NOW)
    goal_id = uuid4()
    session.complete(
        NOW + timedelta(minutes=95, seconds=20),
        rating=4,
        notes=None,
        topics=["x"],
        goals=[goal_id, goal_id],
        progress_updates=[],
    )
    completed = session.collect_events()[-1]
    assert isinstance(completed, StudySession.Completed)
    assert completed.duration_seconds == 95 * 60 + 20
    assert completed.goals_worked_on == [goal_id]
    with pytest.raises(InvalidState):
        session.complete(NOW, rating=None, notes=None, topics=[], goals=[], progress_updates=[])


def test_completion_keeps_notes_and_rating_given_earlier() -> None:
    session = StudySession.start(uuid4(), None, {}, NOW)
    session.update({"notes": "from a patch", "productivity_rating": 2}, NOW)
    session.complete(NOW, rating=None, notes=None, topics=[], goals=[], progress_updates=[])
    completed = session.collect_events()[-1]
    assert isinstance(completed, StudySession.Completed)
    assert (completed.notes, completed.productivity_rating) == ("from a patch", 2)
