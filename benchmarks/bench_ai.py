"""The offline language model through the API: content generation and chat latency.

Run: `.venv/bin/python -m benchmarks.bench_ai [--documents 1000] [--messages 300]`. In one
process on SQLite (projections and document processing in-process, as `aksio serve` runs):
uploads a 50-page PDF of study notes and times `generate_content/` for 20 cards and 15
questions (each run stores real cards and a quiz); then uploads `--documents` Markdown notes
into one course and times `send_message/` (retrieval over the course, offline answer, storing
both messages), reporting p50 and p99.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import System, build, migrate
from aksio.settings import Settings
from benchmarks.common import SECRET, percentile, table, verdict
from tests.ai.material import CHAPTERS, notes_pdf

GENERATE_BUDGET_MS = 2_000.0
SEND_P99_BUDGET_MS = 250.0
QUESTIONS = ("What does amylase do?", "What is osmosis?", "Which allele is dominant?",
             "What do decomposers do?", "Where does photosynthesis take place?")  # fmt: skip


def settings(data_dir: Path) -> Settings:
    fast = "10000000/minute"
    return Settings(data_dir=data_dir, secret_key=SECRET, rate_limit_user=fast,
                    rate_limit_anon=fast, rate_limit_upload=fast, rate_limit_ai=fast,
                    password_hash_memory_kib=1024)  # fmt: skip


def user(system: System, client: TestClient) -> dict[str, str]:
    """A new user on the premium plan, whose token quota covers a long run."""
    token = system.tokens.access(uuid.uuid4(), datetime.now(UTC))
    auth = {"Authorization": f"Bearer {token}"}
    plan = {"plan_id": "premium_monthly", "payment_method_token": "pm_card_visa"}
    post(client, auth, "/api/v1/billing/subscription/upgrade/", json=plan)
    return auth


def post(client: TestClient, auth: dict[str, str], url: str, **kwargs: Any) -> Any:
    response = client.post(url, headers=auth, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


def upload(client: TestClient, auth: dict[str, str], course: str, name: str, body: bytes,
           kind: str) -> str:  # fmt: skip
    files = {"file": (name, body, kind)}
    made = post(client, auth, f"/api/v1/courses/{course}/documents/upload/", files=files,
                data={"name": name})  # fmt: skip
    return str(made["document"]["id"])


def bench_generation(system: System, client: TestClient, auth: dict[str, str], runs: int
                     ) -> list[Any]:  # fmt: skip
    course = post(client, auth, "/api/v1/courses/", json={"name": "Biology"})["id"]
    document = upload(client, auth, course, "notes.pdf", notes_pdf(50), "application/pdf")
    system.drain()
    body = {"topic": "Cell biology", "document_ids": [document], "flashcard_count": 20,
            "quiz_questions": 15, "difficulty_level": "medium"}  # fmt: skip
    took, made = [], (0, 0)
    for _ in range(runs):
        target = post(client, auth, "/api/v1/assessments/", json={"course": course,
                      "title": "Cells"})["id"]  # fmt: skip
        began = time.perf_counter()
        result = post(client, auth, f"/api/v1/assessments/{target}/generate_content/", json=body)
        took.append((time.perf_counter() - began) * 1000)
        content = result["generated_content"]
        made = (content["flashcards"]["count"], content["quiz"]["question_count"])
    median = statistics.median(took)
    return ["generate_content 50 pages", f"{made[0]} cards, {made[1]} questions", median,
            max(took), verdict(median <= GENERATE_BUDGET_MS and made == (20, 15))]  # fmt: skip


def bench_chat(system: System, client: TestClient, auth: dict[str, str], documents: int,
               messages: int) -> list[Any]:  # fmt: skip
    course = post(client, auth, "/api/v1/courses/", json={"name": "Library"})["id"]
    for n in range(documents):
        chapter = CHAPTERS[n % len(CHAPTERS)]
        text = f"# Notes {n}\n\nThese are study notes number {n}.\n\n" + "\n".join(chapter)
        upload(client, auth, course, f"notes-{n}.md", text.encode(), "text/markdown")
    system.drain()
    chat = post(client, auth, "/api/v1/chat/chats/", json={"course": course})["id"]
    took = []
    for n in range(messages):
        began = time.perf_counter()
        post(client, auth, f"/api/v1/chat/chats/{chat}/send_message/",
             json={"content": QUESTIONS[n % len(QUESTIONS)]})  # fmt: skip
        took.append((time.perf_counter() - began) * 1000)
    p50, p99 = percentile(took, 50), percentile(took, 99)
    return [f"send_message over {documents:,} documents", f"{messages} messages", p50, p99,
            verdict(p99 <= SEND_P99_BUDGET_MS)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        chosen = settings(Path(tmp) / "var")
        migrate(chosen)
        system = build(chosen)
        try:
            with TestClient(create_app(system)) as client:
                rows = [
                    bench_generation(system, client, user(system, client), args.runs),
                    bench_chat(system, client, user(system, client), args.documents,
                               args.messages),
                ]  # fmt: skip
        finally:
            system.close()
    print("Offline language model, SQLite, in-process API (times in ms)")
    print(table(["case", "made", "p50 / median", "p99 / max", "verdict"], rows))
    print(f"budgets: generation median <= {GENERATE_BUDGET_MS:.0f} ms with exact counts; "
          f"send_message p99 <= {SEND_P99_BUDGET_MS:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
