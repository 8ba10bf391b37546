"""Goals over HTTP: prerequisites, cycles, progress, completion, resources and errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from tests.conftest import assert_envelope
from tests.learning.support import BASE, at, learner, make_goal, make_plan, ok

GOALS = f"{BASE}/goals"


def test_goal_crud_and_prerequisites(client: TestClient, system: System) -> None:
    me = learner(system)
    plan = make_plan(client, me)
    a = make_goal(client, me, plan["id"], title="Limits", key_concepts=["limits"])
    b = make_goal(client, me, plan["id"], title="Derivatives", prerequisites=[a["id"]])
    assert b["prerequisites"] == [a["id"]] and b["status"] == "not_started"
    assert ok(client.get(f"{GOALS}/{b['id']}/", headers=me)) == b
    changed = ok(
        client.patch(f"{GOALS}/{b['id']}/", json={"priority": 1, "prerequisites": []}, headers=me)
    )
    assert (changed["priority"], changed["prerequisites"]) == (1, [])
    listed = ok(client.get(f"{GOALS}/?study_plan={plan['id']}", headers=me))
    assert [g["title"] for g in listed["results"]] == ["Limits", "Derivatives"]
    assert ok(client.get(f"{BASE}/study-plans/{plan['id']}/", headers=me))["goal_count"] == 2


def test_deleting_a_prerequisite_frees_its_dependents(client: TestClient, system: System) -> None:
    me = learner(system)
    plan = make_plan(client, me)
    a = make_goal(client, me, plan["id"])
    b = make_goal(client, me, plan["id"], prerequisites=[a["id"]])
    assert client.delete(f"{GOALS}/{a['id']}/", headers=me).status_code == 204
    assert ok(client.get(f"{GOALS}/{b['id']}/", headers=me))["prerequisites"] == []
    assert_envelope(client.get(f"{GOALS}/{a['id']}/", headers=me), 404, "RESOURCE_NOT_FOUND")


def test_prerequisites_must_be_goals_of_the_same_plan(client: TestClient, system: System) -> None:
    me = learner(system)
    plan, other_plan = make_plan(client, me), make_plan(client, me)
    elsewhere = make_goal(client, me, other_plan["id"])
    response = client.post(
        f"{GOALS}/",
        json={"study_plan": plan["id"], "title": "x", "prerequisites": [elsewhere["id"]]},
        headers=me,
    )
    assert "prerequisites" in assert_envelope(response, 422, "VALIDATION_ERROR")["details"]
    assert ok(client.get(f"{GOALS}/?study_plan={plan['id']}", headers=me))["count"] == 0


def test_a_cycle_is_422_and_changes_nothing(client: TestClient, system: System) -> None:
    me = learner(system)
    plan = make_plan(client, me)
    a = make_goal(client, me, plan["id"], title="A")
    b = make_goal(client, me, plan["id"], title="B", prerequisites=[a["id"]])
    c = make_goal(client, me, plan["id"], title="C", prerequisites=[b["id"]])
    response = client.patch(
        f"{GOALS}/{a['id']}/", json={"prerequisites": [c["id"]], "title": "A2"}, headers=me
    )
    body = assert_envelope(response, 422, "VALIDATION_ERROR")
    assert "cycle" in body["details"]["prerequisites"][0]
    assert ok(client.get(f"{GOALS}/{a['id']}/", headers=me))["title"] == "A"
    self_loop = client.patch(f"{GOALS}/{a['id']}/", json={"prerequisites": [a["id"]]}, headers=me)
    assert_envelope(self_loop, 422, "VALIDATION_ERROR")


def test_progress_and_completion(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    at(clock, "2024-01-19T10:00")
    goal = make_goal(client, me, make_plan(client, me)["id"], estimated_hours=8)
    url = f"{GOALS}/{goal['id']}"
    body = {"progress_percentage": 75, "notes": "problems 1-10"}
    progressed = ok(client.post(f"{url}/update_progress/", json=body, headers=me))
    assert (progressed["progress_percentage"], progressed["status"]) == (75.0, "in_progress")
    assert progressed["notes"] == "problems 1-10"
    clock.advance(hours=1)
    done = ok(client.post(f"{url}/complete/", headers=me))
    assert (done["status"], done["progress_percentage"]) == ("completed", 100.0)
    assert done["completed_at"] == "2024-01-19T11:00:00Z"
    clock.advance(hours=1)
    assert ok(client.post(f"{url}/complete/", headers=me)) == done
    again = client.post(f"{url}/update_progress/", json={"progress_percentage": 50}, headers=me)
    assert_envelope(again, 409, "INVALID_STATE")


def test_progress_of_100_completes(client: TestClient, system: System) -> None:
    me = learner(system)
    goal = make_goal(client, me, make_plan(client, me)["id"])
    url = f"{GOALS}/{goal['id']}/update_progress/"
    assert (
        ok(client.post(url, json={"progress_percentage": 100}, headers=me))["status"] == "completed"
    )


def test_goal_errors(client: TestClient, system: System) -> None:
    me, other = learner(system), learner(system)
    plan = make_plan(client, me)
    goal = make_goal(client, me, plan["id"])
    missing_plan = client.post(
        f"{GOALS}/", json={"study_plan": goal["id"], "title": "x"}, headers=me
    )
    assert "study_plan" in assert_envelope(missing_plan, 422, "VALIDATION_ERROR")["details"]
    foreign_plan = client.post(
        f"{GOALS}/", json={"study_plan": plan["id"], "title": "x"}, headers=other
    )
    assert_envelope(foreign_plan, 422, "VALIDATION_ERROR")
    url = f"{GOALS}/{goal['id']}/update_progress/"
    assert_envelope(
        client.post(url, json={"progress_percentage": 120}, headers=me), 422, "VALIDATION_ERROR"
    )
    assert_envelope(
        client.post(url, json={"progress_percentage": "lots"}, headers=me), 400, "VALIDATION_ERROR"
    )
    assert_envelope(
        client.patch(f"{GOALS}/{goal['id']}/", json={"priority": 0}, headers=me),
        422,
        "VALIDATION_ERROR",
    )
    for response in (
        client.get(f"{GOALS}/{goal['id']}/", headers=other),
        client.patch(f"{GOALS}/{goal['id']}/", json={"title": "x"}, headers=other),
        client.delete(f"{GOALS}/{goal['id']}/", headers=other),
        client.post(url, json={"progress_percentage": 10}, headers=other),
        client.post(f"{GOALS}/{goal['id']}/complete/", headers=other),
        client.get(f"{GOALS}/{goal['id']}/resources/", headers=other),
    ):
        assert_envelope(response, 404, "RESOURCE_NOT_FOUND")


def test_resources_come_from_the_catalog_by_key_concept(client: TestClient, system: System) -> None:
    me = learner(system)
    plan = make_plan(client, me)
    goal = make_goal(client, me, plan["id"], key_concepts=["Chain_Rule", "composite functions"])
    found = ok(client.get(f"{GOALS}/{goal['id']}/resources/?limit=3", headers=me))
    assert found["concepts"] == ["Chain_Rule", "composite functions"]
    resources = found["resources"]
    assert len(resources) == 3 and all(r["source"] == "catalog" for r in resources)
    assert resources[0]["matched_concepts"] == ["Chain_Rule", "composite functions"]
    assert resources[0]["url"].startswith("https://")
    assert all("Chain_Rule" in r["matched_concepts"] for r in resources)
    untitled = make_goal(client, me, plan["id"], title="Linear algebra")
    by_title = ok(client.get(f"{GOALS}/{untitled['id']}/resources/", headers=me))
    assert by_title["concepts"] == ["Linear algebra"] and by_title["resources"]


def test_own_documents_on_the_concepts_come_first(client: TestClient, system: System) -> None:
    for runner in system.reactors:
        runner.stop()  # processing then runs only in `system.drain()`
    me = learner(system)
    course = ok(client.post("/api/v1/courses/", json={"name": "Calculus"}, headers=me), 201)
    text = b"The chain rule differentiates composite functions: (f(g(x)))' = f'(g(x)) g'(x)."
    upload = client.post(
        f"/api/v1/courses/{course['id']}/documents/upload/",
        headers=me,
        files={"file": ("chain.txt", text, "text/plain")},
    )
    document = ok(upload, 201)
    system.drain()
    plan = make_plan(client, me, course=course["id"])
    goal = make_goal(client, me, plan["id"], key_concepts=["chain_rule", "integrals"])
    found = ok(client.get(f"{GOALS}/{goal['id']}/resources/", headers=me))["resources"]
    first = found[0]
    assert (first["source"], first["type"], first["matched_concepts"]) == (
        "document",
        "document",
        ["chain_rule"],
    )
    assert first["document_id"] == document["document"]["id"]
    assert "chain rule" in first["excerpt"]
    assert first["url"] == f"/api/v1/courses/{course['id']}/documents/{first['document_id']}/"
    assert {r["source"] for r in found[1:]} == {"catalog"}
