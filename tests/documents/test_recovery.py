"""Processing survives a crash: a run cut off after it started is redone after a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest

from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import CreateCourse
from aksio.commands.documents import UploadDocument
from aksio.core.store import open_store
from aksio.integrations.blobs import FileBlobStore
from aksio.projections.documents.projection import get_document
from aksio.settings import Settings
from tests.documents.files import pdf_bytes

WORKER = (
    "from aksio.bootstrap import build; from aksio.settings import Settings; "
    "build(Settings(), start_threads=False).drain()"
)


def upload_without_workers(settings: Settings, data: bytes) -> tuple[UUID, UUID]:
    """Stores an upload as the API would, in a process that runs no reactor, then stops."""
    migrate(settings)
    system = build(settings, workers=False)
    try:
        owner = UUID(int=42)
        course = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "Bio"})).value
        blobs = FileBlobStore(settings.data_dir / "blobs")
        staged = blobs.stage(iter([data]), len(data))
        command = UploadDocument(
            owner_id=owner,
            course_id=course,
            name="Long notes",
            filename="notes.pdf",
            blob_key=blobs.commit(staged),
            content_type="application/pdf",
            document_type="pdf",
            file_size_bytes=staged.size,
        )
        return owner, system.bus.dispatch(command).value.document_id
    finally:
        system.close()


def event_kinds(settings: Settings) -> list[str]:
    store = open_store(settings)
    try:
        return [n.topic.rsplit(".", 1)[-1] for n in store.read(after=0, limit=100_000)]
    finally:
        store.close()


def restart_and_drain(settings: Settings, owner: UUID, document: UUID) -> str:
    system: System = build(settings, start_threads=False)
    try:
        system.drain()
        with system.engine.connect() as conn:
            row = get_document(conn, owner, document)
        assert row is not None
        return str(row["processing_status"])
    finally:
        system.close()


def test_an_upload_stored_before_a_stop_is_processed_after_restart(settings: Settings) -> None:
    owner, document = upload_without_workers(settings, pdf_bytes(2))
    assert restart_and_drain(settings, owner, document) == "completed"


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKSIO_")}
    env.update(
        AKSIO_DATA_DIR=str(settings.data_dir),
        AKSIO_SECRET_KEY=str(settings.secret_key),
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    if settings.database_url:
        env["AKSIO_DATABASE_URL"] = settings.database_url
    return env


@pytest.mark.slow
def test_a_worker_killed_mid_processing_is_redone_after_restart(settings: Settings) -> None:
    owner, document = upload_without_workers(settings, pdf_bytes(1500))
    worker = subprocess.Popen([sys.executable, "-c", WORKER], env=worker_env(settings))
    try:
        deadline = time.monotonic() + 60
        while "processing_started" not in event_kinds(settings):
            assert worker.poll() is None and time.monotonic() < deadline, "worker never started"
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert "processing_completed" not in event_kinds(settings)

    assert restart_and_drain(settings, owner, document) == "completed"
    kinds = event_kinds(settings)
    assert kinds.count("processing_started") == 1 and kinds.count("processing_completed") == 1
