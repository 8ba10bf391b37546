"""The documents endpoints over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.commands.documents import UploadDocument
from tests.conftest import assert_envelope
from tests.documents.conftest import Headers, Upload
from tests.documents.files import docx_bytes, pdf_bytes, png_bytes

Status = Callable[[str], dict[str, Any]]


def base(course: str) -> str:
    return f"/api/v1/courses/{course}/documents"


def test_upload_answers_201_then_processing_completes(
    client: TestClient, auth: Headers, course: str, upload: Upload, processed: Status
) -> None:
    body = upload("notes.pdf", pdf_bytes(3), "application/pdf", name="Biology notes")
    document = body["document"]
    assert body["upload_status"] == "success" and body["processing_id"]
    assert body["estimated_processing_time"] >= 1
    assert document["name"] == "Biology notes" and document["document_type"] == "pdf"
    assert document["content_type"] == "application/pdf"
    assert document["file_size_bytes"] == len(pdf_bytes(3))
    assert document["processing_status"] == "processing"
    assert document["created_at"] and document["updated_at"]

    status = processed(document["id"])
    assert status["processing_status"] == "completed" and status["progress_percentage"] == 100
    assert status["processing_error"] is None and status["extracted_content_available"]
    assert status["processing_metadata"]["pages_processed"] == 3
    assert status["processing_metadata"]["summary_generated"] is True

    content = client.get(f"{base(course)}/{document['id']}/content/", headers=auth).json()
    assert "Page 2 of the biology notes." in content["extracted_text"]
    assert [s["title"] for s in content["sections"]] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert content["sections"][1]["page"] == 2
    assert "Photosynthesis converts light energy" in content["summary"]
    assert "energy" in content["topics"] and "chapter" not in content["topics"]
    assert "calvin_cycle" in " ".join(content["key_concepts"])
    assert content["chunk_count"] == 3 and content["embeddings_available"] is True


def test_list_get_patch_delete(
    client: TestClient, auth: Headers, course: str, upload: Upload, processed: Status
) -> None:
    first = upload("a.txt", b"Cells are the units of life.", "text/plain")["document"]
    second = upload("b.md", b"# Title\n\nMarkdown body text.", "text/markdown")["document"]
    processed(first["id"])
    listed = client.get(f"{base(course)}/", headers=auth).json()
    assert [d["id"] for d in listed["results"]] == [first["id"], second["id"]]
    only_md = client.get(f"{base(course)}/?document_type=markdown", headers=auth).json()
    assert only_md["count"] == 1 and only_md["results"][0]["name"] == "b"

    patched = client.patch(
        f"{base(course)}/{first['id']}/",
        json={"name": "Cells", "description": "Basics"},
        headers=auth,
    )
    assert patched.status_code == 200 and patched.json()["name"] == "Cells"
    assert (
        client.get(f"{base(course)}/{first['id']}/", headers=auth).json()["description"] == "Basics"
    )

    assert client.delete(f"{base(course)}/{first['id']}/", headers=auth).status_code == 204
    assert_envelope(
        client.get(f"{base(course)}/{first['id']}/", headers=auth), 404, "RESOURCE_NOT_FOUND"
    )
    assert client.get(f"{base(course)}/", headers=auth).json()["count"] == 1


def test_section_of_the_course(
    client: TestClient, auth: Headers, course: str, upload: Upload
) -> None:
    section = client.post(
        f"/api/v1/courses/{course}/sections/", json={"title": "Week 1"}, headers=auth
    ).json()
    document = upload("a.txt", b"Some text.", "text/plain", section_id=section["id"])["document"]
    assert document["section_id"] == section["id"]
    response = client.post(
        f"{base(course)}/upload/",
        files={"file": ("a.txt", b"Some text.", "text/plain")},
        data={"section_id": "00000000-0000-4000-8000-000000000000"},
        headers=auth,
    )
    assert assert_envelope(response, 422, "VALIDATION_ERROR")["details"] == {
        "section_id": ["This course has no such section."]
    }


def test_content_is_409_until_completed_and_reprocess_is_202(
    client: TestClient, auth: Headers, course: str, upload: Upload, processed: Status
) -> None:
    document = upload(
        "cells.docx",
        docx_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )["document"]
    assert_envelope(
        client.get(f"{base(course)}/{document['id']}/content/", headers=auth), 409, "INVALID_STATE"
    )
    assert processed(document["id"])["processing_status"] == "completed"
    again = client.post(f"{base(course)}/{document['id']}/reprocess/", headers=auth)
    assert again.status_code == 202 and again.json()["processing_status"] == "processing"
    status = client.get(f"{base(course)}/{document['id']}/processing_status/", headers=auth).json()
    assert status["processing_status"] == "processing" and status["progress_percentage"] == 0
    assert processed(document["id"])["processing_status"] == "completed"


def test_a_long_file_name_names_the_document_by_its_first_255_characters(
    upload: Upload,
) -> None:
    stem = "lecture-" * 40  # 320 characters
    document = upload(f"{stem}.txt", b"Cells divide.", "text/plain")["document"]
    assert document["name"] == stem[:255]


def test_upload_limits(client: TestClient, auth: Headers, course: str) -> None:
    limits = client.get(f"{base(course)}/upload_limits/", headers=auth).json()
    assert limits["max_file_size_bytes"] == 52428800 and limits["max_file_size_mb"] == 50
    assert {"application/pdf", "text/plain", "image/png", "image/jpeg"} <= set(
        limits["allowed_content_types"]
    )
    assert "google_docs" in limits["supported_url_types"]


def test_unsupported_and_mismatched_types_are_415(
    client: TestClient, auth: Headers, course: str
) -> None:
    url = f"{base(course)}/upload/"
    zipped = client.post(
        url, files={"file": ("a.zip", b"PK\x03\x04data", "application/zip")}, headers=auth
    )
    assert assert_envelope(zipped, 415, "UNSUPPORTED_MEDIA_TYPE")["details"][
        "allowed_content_types"
    ]
    fake_pdf = client.post(
        url, files={"file": ("a.pdf", b"just words", "application/pdf")}, headers=auth
    )
    assert_envelope(fake_pdf, 415, "UNSUPPORTED_MEDIA_TYPE")
    png_as_text = client.post(
        url, files={"file": ("a.txt", png_bytes(None), "text/plain")}, headers=auth
    )
    assert_envelope(png_as_text, 415, "UNSUPPORTED_MEDIA_TYPE")
    pdf_as_png = client.post(
        url, files={"file": ("a.png", pdf_bytes(1), "image/png")}, headers=auth
    )
    assert_envelope(pdf_as_png, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert client.get(f"{base(course)}/", headers=auth).json()["count"] == 0


def test_generic_type_is_taken_from_the_file_name(
    client: TestClient, auth: Headers, course: str
) -> None:
    response = client.post(
        f"{base(course)}/upload/",
        files={"file": ("notes.md", b"# Notes\n\nText.", "application/octet-stream")},
        headers=auth,
    )
    assert (
        response.status_code == 201 and response.json()["document"]["document_type"] == "markdown"
    )


def test_empty_file_is_422_and_too_large_is_413(
    client: TestClient, auth: Headers, course: str
) -> None:
    url = f"{base(course)}/upload/"
    empty = client.post(url, files={"file": ("a.txt", b"", "text/plain")}, headers=auth)
    assert assert_envelope(empty, 422, "VALIDATION_ERROR")["details"] == {
        "file": ["The file is empty."]
    }
    big = b"a" * (50 * 1024 * 1024 + 1)
    too_large = client.post(url, files={"file": ("big.txt", big, "text/plain")}, headers=auth)
    assert_envelope(too_large, 413, "PAYLOAD_TOO_LARGE")
    assert client.get(f"{base(course)}/", headers=auth).json()["count"] == 0


def test_another_users_course_and_documents_are_404(
    client: TestClient, auth: Headers, course: str, upload: Upload, make_user: Callable[[], Headers]
) -> None:
    document = upload("a.txt", b"Private notes.", "text/plain")["document"]
    other = make_user()
    doc = f"{base(course)}/{document['id']}"
    for response in (
        client.get(f"{base(course)}/", headers=other),
        client.get(f"{doc}/", headers=other),
        client.patch(f"{doc}/", json={"name": "x"}, headers=other),
        client.delete(f"{doc}/", headers=other),
        client.get(f"{doc}/content/", headers=other),
        client.get(f"{doc}/processing_status/", headers=other),
        client.post(f"{doc}/reprocess/", headers=other),
        client.get(f"{base(course)}/upload_limits/", headers=other),
        client.post(
            f"{base(course)}/upload/", files={"file": ("a.txt", b"x", "text/plain")}, headers=other
        ),
        client.post(
            f"{base(course)}/upload_url/", json={"url": "https://example.org/"}, headers=other
        ),
    ):
        assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    own_course = client.post("/api/v1/courses/", json={"name": "Mine"}, headers=other).json()["id"]
    moved = client.get(f"{base(own_course)}/{document['id']}/", headers=other)
    assert_envelope(moved, 404, "RESOURCE_NOT_FOUND")
    assert client.get(f"{doc}/", headers=auth).status_code == 200


def test_bad_requests(client: TestClient, auth: Headers, course: str) -> None:
    assert_envelope(client.get(f"{base(course)}/"), 401, "AUTHENTICATION_FAILED")
    assert_envelope(
        client.get(f"{base(course)}/not-a-uuid/", headers=auth), 404, "RESOURCE_NOT_FOUND"
    )
    extra = client.post(
        f"{base(course)}/upload_url/", json={"url": "https://a.org/", "x": 1}, headers=auth
    )
    assert_envelope(extra, 422, "VALIDATION_ERROR")
    no_file = client.post(f"{base(course)}/upload/", data={"name": "x"}, headers=auth)
    assert_envelope(no_file, 422, "VALIDATION_ERROR")
    bad_filter = client.get(f"{base(course)}/?processing_status=done", headers=auth)
    assert_envelope(bad_filter, 422, "VALIDATION_ERROR")


def test_the_plans_document_quota_is_403(
    client: TestClient, auth: Headers, course: str, system: System
) -> None:
    owner = system.tokens.user_of_access(auth["Authorization"].split()[1])
    blobs = system.services.blobs
    assert blobs is not None
    key = blobs.commit(blobs.stage(iter([b"Short note."]), 100))
    for n in range(100):  # the free plan's limit, added without the API for speed
        system.bus.dispatch(
            UploadDocument(
                owner_id=owner,
                course_id=UUID(course),
                name=f"Note {n}",
                filename="n.txt",
                blob_key=key,
                content_type="text/plain",
                document_type="text",
                file_size_bytes=11,
            )
        )
    system.drain()
    one_more = client.post(
        f"{base(course)}/upload/",
        files={"file": ("a.txt", b"One more.", "text/plain")},
        headers=auth,
    )
    assert_envelope(one_more, 403, "QUOTA_EXCEEDED")
    by_url = client.post(
        f"{base(course)}/upload_url/", json={"url": "https://a.org/"}, headers=auth
    )
    assert_envelope(by_url, 403, "QUOTA_EXCEEDED")
    assert client.get(f"{base(course)}/", headers=auth).json()["count"] == 100
