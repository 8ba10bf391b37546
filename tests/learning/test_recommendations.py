"""Recommendations triggered by constructed histories, each with its triggering figures."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from tests.learning.support import BASE, at, learner, make_goal, make_plan, ok, study


def advice(client: TestClient, headers: dict[str, str], plan_id: str) -> dict[str, Any]:
    body = ok(client.get(f"{BASE}/study-plans/{plan_id}/recommendations/", headers=headers))
    return {item["type"]: item for item in body["recommendations"]}


def progress(client: TestClient, headers: dict[str, str], goal_id: str, value: float) -> None:
    ok(
        client.post(
            f"{BASE}/goals/{goal_id}/update_progress/",
            json={"progress_percentage": value},
            headers=headers,
        )
    )


def test_a_neglected_plan(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    at(clock, "2024-01-01T09:00")
    plan = make_plan(client, me, start_date="2024-01-01", end_date="2024-01-31")
    a = make_goal(client, me, plan["id"], title="A", estimated_hours=10, target_date="2024-01-15")
    b = make_goal(client, me, plan["id"], title="B", estimated_hours=4)
    progress(client, me, a["id"], 20)
    study(
        client,
        clock,
        me,
        "2024-01-02T18:00",
        180,
        study_plan=plan["id"],
        goals_worked_on=[b["id"]],
        progress_updates=[{"goal_id": b["id"], "progress_percentage": 10}],
    )
    at(clock, "2024-01-25T12:00")
    found = advice(client, me, plan["id"])
    assert list(found) == ["schedule", "deadline", "performance", "consistency"]
    behind = found["schedule"]
    assert (behind["priority"], behind["action"]) == ("high", "increase_study_time")
    assert behind["description"] == "Your completion rate is 17% but should be 77%"
    meta = behind["metadata"]
    assert (meta["completion_percentage"], meta["expected_percentage"]) == (17.1, 77.4)
    assert (meta["remaining_hours"], meta["days_remaining"]) == (11.6, 7)
    assert meta["suggested_hours"] == 12.0 and meta["focus_goals"] == [a["id"], b["id"]]
    late = found["deadline"]["metadata"]["goals"]
    assert late == [
        {
            "goal_id": a["id"],
            "title": "A",
            "target_date": "2024-01-15",
            "days_overdue": 10,
            "progress_percentage": 20.0,
        }
    ]
    struggling = found["performance"]["metadata"]
    assert struggling["struggling_goals"] == [b["id"]]
    assert struggling["goals"][0]["hours_spent"] == 3.0
    assert struggling["goals"][0]["hours_earned"] == 0.4
    assert found["consistency"]["metadata"]["days_since_last_session"] == 23


def test_a_healthy_plan_gets_no_advice(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = learner(system)
    at(clock, "2024-01-01T09:00")
    plan = make_plan(client, me, start_date="2024-01-01", end_date="2024-01-10")
    goal = make_goal(client, me, plan["id"], estimated_hours=4)
    study(
        client,
        clock,
        me,
        "2024-01-05T18:00",
        120,
        study_plan=plan["id"],
        progress_updates=[{"goal_id": goal["id"], "progress_percentage": 50}],
    )
    at(clock, "2024-01-06T09:00")
    assert advice(client, me, plan["id"]) == {}


def test_a_backlog_of_due_cards(client: TestClient, system: System) -> None:
    me = learner(system)
    course = ok(client.post("/api/v1/courses/", json={"name": "Bio"}, headers=me), 201)
    plan = make_plan(client, me, course=course["id"])
    make_goal(client, me, plan["id"])
    for n in range(20):
        card = {"course": course["id"], "question": f"Q{n}?", "answer": "A"}
        response = client.post("/api/v1/assessments/flashcards/", json=card, headers=me)
        if response.status_code != 201:
            pytest.skip(f"flashcards are not available here: {response.status_code}")
        if n == 18:
            assert "flashcards" not in advice(client, me, plan["id"])
    backlog = advice(client, me, plan["id"])["flashcards"]
    assert backlog["metadata"] == {"due_flashcards": 20, "threshold": 20}
    assert backlog["description"] == "20 flashcards are due for review"


def quiz_answered_wrong(client: TestClient, headers: dict[str, str], course_id: str) -> None:
    quiz = client.post(
        "/api/v1/assessments/quizzes/", json={"course": course_id, "title": "Q"}, headers=headers
    )
    if quiz.status_code != 201:
        pytest.skip(f"quizzes are not available here: {quiz.status_code}")
    quiz_id = quiz.json()["id"]
    for n in range(3):
        question = {
            "question_text": f"Apply the chain rule to example {n}.",
            "question_type": "multiple_choice",
            "points": 1,
            "options": [
                {"text": "right", "is_correct": True},
                {"text": "wrong", "is_correct": False},
            ],
        }
        ok(
            client.post(
                f"/api/v1/assessments/quizzes/{quiz_id}/questions/", json=question, headers=headers
            ),
            201,
        )
    attempt = ok(
        client.post(f"/api/v1/assessments/quizzes/{quiz_id}/start_attempt/", headers=headers), 201
    )
    detail = ok(client.get(f"/api/v1/assessments/quizzes/{quiz_id}/", headers=headers))
    for question in detail["questions"]:
        wrong = [o["id"] for o in question["options"] if o["text"] == "wrong"]
        ok(
            client.post(
                f"/api/v1/assessments/quiz-attempts/{attempt['attempt_id']}/submit_response/",
                json={"question": question["id"], "selected_options": wrong},
                headers=headers,
            )
        )
    ok(
        client.post(
            f"/api/v1/assessments/quiz-attempts/{attempt['attempt_id']}/complete/", headers=headers
        )
    )


def test_weak_quiz_concepts(client: TestClient, system: System) -> None:
    me = learner(system)
    course = ok(client.post("/api/v1/courses/", json={"name": "Calculus"}, headers=me), 201)
    plan = make_plan(client, me, course=course["id"])
    goal = make_goal(client, me, plan["id"], key_concepts=["chain_rule", "limits"])
    quiz_answered_wrong(client, me, course["id"])
    weak = advice(client, me, plan["id"])["quiz"]
    assert weak["metadata"]["concepts"] == [
        {"concept": "chain_rule", "answered": 3, "correct": 0, "accuracy": 0.0}
    ]
    assert weak["metadata"]["related_goals"] == [goal["id"]]
