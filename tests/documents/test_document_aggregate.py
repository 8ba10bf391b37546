"""The document aggregate without a database: runs, supersession, idempotent reports."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from aksio.aggregates.documents.document import Document
from aksio.core.errors import ValidationFailed

RESULT = {
    "extracted_text": "Text.",
    "summary": "Text.",
    "topics": [],
    "key_concepts": [],
    "sections": [],
    "chunks": [{"index": 0, "start": 0, "end": 5, "page": None, "section": None}],
    "metadata": {},
}


def new(name: object = "Notes", description: object = None, url: object = None) -> Document:
    return Document.create(
        uuid4(),
        uuid4(),
        None,
        name,  # type: ignore[arg-type]
        description,  # type: ignore[arg-type]
        source_type="upload" if url is None else "url",
        source_url=url,  # type: ignore[arg-type]
        url_type=None,
        document_type="text",
    )


def uploaded() -> tuple[Document, UUID]:
    document = new()
    document.attach("ab" * 32, "text/plain", "text", 5, "notes.txt")
    run = uuid4()
    document.request_processing(run, "upload")
    return document, run


def kinds(document: Document) -> list[str]:
    return [type(e).__name__ for e in document.collect_events()]


def test_a_new_document_refuses_what_its_row_cannot_hold() -> None:
    for fields, field in [
        ({"name": ""}, "name"),
        ({"name": "n" * 256}, "name"),
        ({"name": None}, "name"),
        ({"description": "nul\x00"}, "description"),
        ({"url": "https://x.test/" + "a" * 2048}, "source_url"),
    ]:
        with pytest.raises(ValidationFailed) as raised:
            new(**fields)
        assert set(raised.value.details) == {field}
    assert new(name="n" * 255, url="https://x.test/a").fields["name"] == "n" * 255


def test_a_run_starts_once_reports_progress_and_completes() -> None:
    document, run = uploaded()
    kinds(document)
    assert document.start(run) and document.start(run)  # after a crash it goes on
    document.report_progress(run, 40, "extracting")
    document.report_progress(run, 30, "extracting")  # never backwards
    document.complete(run, RESULT)
    assert kinds(document) == ["ProcessingStarted", "ProcessingProgressed", "ProcessingCompleted"]
    assert document.status == "completed" and document.progress == 100


def test_reports_of_a_finished_run_are_ignored() -> None:
    document, run = uploaded()
    document.start(run)
    document.complete(run, RESULT)
    kinds(document)
    assert not document.start(run)
    document.fail(run, "late")
    document.complete(run, RESULT)
    assert kinds(document) == [] and document.status == "completed"


def test_a_new_run_supersedes_an_unfinished_one() -> None:
    document, first = uploaded()
    document.start(first)
    second = uuid4()
    document.request_processing(second, "reprocess")
    kinds(document)
    document.complete(first, RESULT)
    assert kinds(document) == [] and document.status == "processing"
    assert document.start(second)
    document.fail(second, "The PDF file is damaged and could not be read.")
    assert kinds(document) == ["ProcessingStarted", "ProcessingFailed"]
    assert document.status == "failed"


def test_a_deleted_document_takes_no_more_reports() -> None:
    document, run = uploaded()
    document.delete()
    document.delete()
    assert kinds(document)[-1] == "Deleted" and not document.start(run)


def test_update_records_only_changes() -> None:
    document, _run = uploaded()
    kinds(document)
    document.update({"name": "Notes", "description": None})
    assert kinds(document) == []
    document.update({"name": "Cell notes"})
    assert kinds(document) == ["Updated"] and document.fields["name"] == "Cell notes"


def test_replay_gives_the_same_state() -> None:
    document, run = uploaded()
    document.start(run)
    document.complete(run, RESULT)
    events = document.collect_events()
    copy = None
    for event in events:
        copy = event.mutate(copy)
    assert isinstance(copy, Document)
    assert (copy.status, copy.run_id, copy.file) == (document.status, run, document.file)
