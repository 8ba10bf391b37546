"""The API against its own OpenAPI description: schemathesis over `/openapi.json`.

The same run as `schemathesis run` (examples, coverage, fuzzing and stateful phases with
every check), in-process on SQLite, seeded and bounded so it is repeatable and quick. A
failure prints each defect with the request that shows it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.engine import Status, events, from_schema

from aksio.api.app import create_app
from aksio.bootstrap import build, migrate
from tests.conftest import make_settings

# Fewer examples per operation than schemathesis' 100: the coverage phase already walks
# each schema's boundaries, and the run stays under a minute or so on two cores.
MAX_EXAMPLES = 10
SEED = 20260101
# A well-formed request may still break a rule no schema states (a taken email, an end
# date before the start, an unknown reset token: 422), or carry a file whose bytes are of
# a type the server does not take (415): correct answers to schema-valid requests.
ACCEPTED = ["2xx", "401", "403", "404", "409", "415", "422", "429"]
# Operation label -> checks known to fail on it (a comment each says why). A DELETE of these
# archives, as the contract has it: the resource and what hangs from it stay readable (200),
# where the stateful phase's use_after_free check expects 404 after any DELETE.
ARCHIVED_BY_DELETE = (
    "/api/v1/assessments/quizzes/{quiz_id}/",
    "/api/v1/chat/chats/{chat_id}/",
    "/api/v1/assessments/flashcards/{card_id}/",
    "/api/v1/courses/{course_id}/",
)
KNOWN: dict[str, set[str]] = {f"DELETE {path}": {"use_after_free"} for path in ARCHIVED_BY_DELETE}


def _another_resource_missing(operation: str, response: Any) -> bool:
    """`ensure_resource_availability` takes any 404 after a create for the created resource
    gone; but a step may name another missing one (a send_message whose body cites a document
    that does not exist: 404 `Document not found.`, as the contract wants). Only a 404 about a
    resource the creating path does not name is let through."""
    if response is None or response.status_code != 404:
        return False
    kind = str(response.json().get("error", "")).split(" ")[0].lower()
    segments = operation.split(" ")[-1].strip("/").split("/")
    return bool(kind) and not any(segment.startswith(kind) for segment in segments)


def _config(token: str, phases: list[str]) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "cache": {"enabled": False},  # each run the same, and nothing left in the tree
            "headers": {"Authorization": f"Bearer {token}"},
            # No example database: each run the same, whatever earlier runs found.
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                name: {"enabled": name in phases}
                for name in ("examples", "coverage", "fuzzing", "stateful")
            },
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        }
    )


def _failures(event: events.ScenarioFinished) -> list[str]:
    found = []
    for case_id, checks in event.recorder.checks.items():
        interaction = event.recorder.interactions.get(case_id)
        response = interaction.response if interaction else None
        answer = f"{response.status_code} {response.text[:300]}" if response else "no response"
        for check in checks:
            info = check.failure_info
            if info is None or check.name in KNOWN.get(info.failure.operation or "", set()):
                continue
            operation = info.failure.operation or ""
            if check.name == "ensure_resource_availability" and _another_resource_missing(
                operation, response
            ):
                continue
            found.append(
                f"[{event.phase.value}] {info.failure.operation} {check.name}: "
                f"{info.failure.title}\n  {info.failure.message[:400]}\n"
                f"  request: {info.code_sample[:600]}\n  answer: {answer}"
            )
    return found


def run(tmp_path: Path, phases: list[str]) -> list[str]:
    settings = make_settings(tmp_path)
    migrate(settings)
    system = build(settings)
    token = system.tokens.access(uuid.uuid4(), system.clock.now())
    failures: list[str] = []
    # Hypothesis keeps caches under ./.hypothesis unless told otherwise.
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    try:
        app = create_app(system)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=_config(token, phases))
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
                failures += _failures(event)
            elif isinstance(event, events.NonFatalError | events.FatalError):
                failures.append(f"error: {event!r}"[:800])
    finally:
        set_hypothesis_home_dir(None)
        system.close()
    return sorted(set(failures))


@pytest.mark.parametrize("phases", [["examples", "coverage"], ["fuzzing"], ["stateful"]])
def test_api_keeps_to_its_description(tmp_path: Path, phases: list[str]) -> None:
    failures = run(tmp_path, phases)
    assert not failures, f"{len(failures)} defects:\n\n" + "\n\n".join(failures)
