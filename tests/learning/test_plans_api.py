"""Study plans over HTTP: CRUD, schedules, progress and errors, on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from tests.conftest import assert_envelope
from tests.learning.support import BASE, at, learner, make_goal, make_plan, ok

PLANS = f"{BASE}/study-plans"


def test_plan_crud(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    at(clock, "2024-01-19T17:00")
    plan = make_plan(client, me, description="d", study_hours_per_week=10, priority_level="high")
    assert plan["start_date"] == "2024-01-19" and plan["status"] == "active"
    assert {"id", "created_at", "updated_at", "goal_count", "has_schedule"} <= set(plan)
    assert ok(client.get(f"{PLANS}/{plan['id']}/", headers=me)) == plan
    clock.advance(hours=1)
    changed = ok(
        client.patch(
            f"{PLANS}/{plan['id']}/", json={"title": "New", "status": "paused"}, headers=me
        )
    )
    assert (changed["title"], changed["status"]) == ("New", "paused")
    assert changed["updated_at"] == "2024-01-19T18:00:00Z"
    listed = ok(client.get(f"{PLANS}/?status=paused", headers=me))
    assert listed["count"] == 1 and listed["results"][0]["id"] == plan["id"]
    assert ok(client.get(f"{PLANS}/?status=active", headers=me))["count"] == 0
    assert client.delete(f"{PLANS}/{plan['id']}/", headers=me).status_code == 204
    assert_envelope(client.get(f"{PLANS}/{plan['id']}/", headers=me), 404, "RESOURCE_NOT_FOUND")


def test_list_is_paged(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    for n in range(3):
        make_plan(client, me, title=f"P{n}")
        clock.advance(seconds=1)
    page = ok(client.get(f"{PLANS}/?page_size=2", headers=me))
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert ok(client.get(page["next"], headers=me))["results"][0]["title"] == "P2"


def test_deleting_a_plan_deletes_its_goals(client: TestClient, system: System) -> None:
    me = learner(system)
    plan = make_plan(client, me)
    goal = make_goal(client, me, plan["id"])
    client.delete(f"{PLANS}/{plan['id']}/", headers=me)
    assert_envelope(
        client.get(f"{BASE}/goals/{goal['id']}/", headers=me), 404, "RESOURCE_NOT_FOUND"
    )
    response = client.post(f"{BASE}/goals/{goal['id']}/complete/", headers=me)
    assert_envelope(response, 404, "RESOURCE_NOT_FOUND")


def test_plan_errors(client: TestClient, system: System) -> None:
    me = learner(system)
    plan = make_plan(client, me, start_date="2024-02-01")
    url = f"{PLANS}/{plan['id']}/"
    bad_dates = client.patch(url, json={"end_date": "2024-01-01"}, headers=me)
    assert "end_date" in assert_envelope(bad_dates, 422, "VALIDATION_ERROR")["details"]
    assert_envelope(client.patch(url, json={"title": None}, headers=me), 422, "VALIDATION_ERROR")
    assert_envelope(client.patch(url, json={"status": "gone"}, headers=me), 422, "VALIDATION_ERROR")
    assert_envelope(client.patch(url, json={"title": 5}, headers=me), 400, "VALIDATION_ERROR")
    assert_envelope(client.patch(url, json={"colour": "red"}, headers=me), 422, "VALIDATION_ERROR")
    response = client.post(f"{PLANS}/", json={"title": "x", "course": str(plan["id"])}, headers=me)
    assert "course" in assert_envelope(response, 422, "VALIDATION_ERROR")["details"]
    assert_envelope(client.get(f"{PLANS}/not-a-uuid/", headers=me), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.get(f"{PLANS}/"), 401, "AUTHENTICATION_FAILED")


def test_another_users_plan_is_not_found(client: TestClient, system: System) -> None:
    mine, other = learner(system), learner(system)
    url = f"{PLANS}/{make_plan(client, mine)['id']}"
    for response in (
        client.get(f"{url}/", headers=other),
        client.patch(f"{url}/", json={"title": "x"}, headers=other),
        client.delete(f"{url}/", headers=other),
        client.post(f"{url}/generate_schedule/", json={}, headers=other),
        client.get(f"{url}/schedule/", headers=other),
        client.get(f"{url}/progress/", headers=other),
        client.get(f"{url}/recommendations/", headers=other),
    ):
        assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    assert ok(client.get(f"{PLANS}/", headers=other))["count"] == 0


def test_generate_and_save_a_schedule(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = learner(system)
    at(clock, "2024-01-19T19:10")  # a Friday evening
    plan = make_plan(client, me, end_date="2024-01-23")
    first = make_goal(
        client,
        me,
        plan["id"],
        title="First",
        estimated_hours=3,
        priority=5,
        key_concepts=["limits"],
    )
    make_goal(
        client,
        me,
        plan["id"],
        title="Second",
        estimated_hours=2,
        priority=1,
        prerequisites=[first["id"]],
    )
    body = {"hours_per_day": 2, "preferred_times": ["evening"], "save_schedule": False}
    response = client.post(f"{PLANS}/{plan['id']}/generate_schedule/", json=body, headers=me)
    days = ok(response)
    assert [d["date"] for d in days] == ["2024-01-19", "2024-01-22", "2024-01-23"]
    assert days[0]["sessions"][0]["time_slot"] == {"start": "19:15", "end": "21:00"}
    assert days[0]["sessions"][0]["focus_areas"] == ["limits"]
    titles = [[s["goal_title"] for s in d["sessions"]] for d in days]
    assert titles == [["First"], ["First", "Second"], ["Second"]]
    assert [d["total_hours"] for d in days] == [1.75, 1.75, 1.5]
    assert response.headers["x-unscheduled-hours"] == "0"
    assert ok(client.get(f"{PLANS}/{plan['id']}/schedule/", headers=me)) == []
    saved = ok(
        client.post(
            f"{PLANS}/{plan['id']}/generate_schedule/",
            json={**body, "save_schedule": True},
            headers=me,
        )
    )
    assert ok(client.get(f"{PLANS}/{plan['id']}/schedule/", headers=me)) == saved == days
    assert ok(client.get(f"{PLANS}/{plan['id']}/", headers=me))["has_schedule"] is True


def test_schedule_runs_to_the_day_before_the_exam(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = learner(system)
    at(clock, "2024-01-22T06:00")
    course = ok(
        client.post("/api/v1/courses/", json={"name": "C", "exam_date": "2024-01-25"}, headers=me),
        201,
    )
    plan = make_plan(client, me, course=course["id"], study_hours_per_week=15)
    make_goal(client, me, plan["id"], estimated_hours=20)
    response = client.post(f"{PLANS}/{plan['id']}/generate_schedule/", json={}, headers=me)
    days = ok(response)
    assert [(d["date"], d["total_hours"]) for d in days] == [
        ("2024-01-22", 3.0),
        ("2024-01-23", 3.0),
        ("2024-01-24", 3.0),
    ]
    assert response.headers["x-unscheduled-hours"] == "11"


def test_schedule_errors(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    at(clock, "2024-03-01T10:00")
    plan = make_plan(client, me, start_date="2024-01-01", end_date="2024-02-01")
    url = f"{PLANS}/{plan['id']}/generate_schedule/"
    assert_envelope(client.post(url, json={}, headers=me), 409, "INVALID_STATE")
    bad = client.post(url, json={"preferred_times": ["dawn"]}, headers=me)
    assert_envelope(bad, 422, "VALIDATION_ERROR")
    assert_envelope(
        client.post(url, json={"hours_per_day": 25}, headers=me), 422, "VALIDATION_ERROR"
    )
    assert_envelope(
        client.post(url, json={"hours_per_day": "x"}, headers=me), 400, "VALIDATION_ERROR"
    )


def test_progress_figures(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    at(clock, "2024-01-11T12:00")
    plan = make_plan(client, me, start_date="2024-01-01", end_date="2024-01-20")
    a = make_goal(client, me, plan["id"], estimated_hours=6, target_date="2024-01-10")
    make_goal(client, me, plan["id"], estimated_hours=2)
    ok(
        client.post(
            f"{BASE}/goals/{a['id']}/update_progress/", json={"progress_percentage": 50}, headers=me
        )
    )
    figures = ok(client.get(f"{PLANS}/{plan['id']}/progress/", headers=me))
    assert figures["days_total"] == 20 and figures["days_elapsed"] == 10
    assert figures["days_remaining"] == 10
    assert figures["expected_percentage"] == 50.0
    assert figures["completion_percentage"] == 37.5  # 3 of 8 estimated hours
    assert figures["remaining_hours"] == 5.0 and figures["goals_overdue"] == 1
    assert figures["schedule_status"] == "behind"
    assert figures["required_hours_per_week"] == 3.5
    assert figures["deadline_source"] == "plan_end_date"
