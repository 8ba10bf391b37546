"""Feedback a user sends about the product, optionally with a screenshot.

Lifecycle: `Created` once and kept as sent. A screenshot is stored as a file
named by its SHA-256 before the feedback is created; the event keeps the
file's path, size, content type and digest.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.core.errors import ValidationFailed

SCREENSHOT_KEYS = ("path", "size", "content_type", "sha256")
RULES = {
    "feedback_type": v.text(required=True, max_length=50),
    "subject": v.text(max_length=200),
    "message": v.text(required=True, max_length=10_000),
}


class Feedback(Aggregate):
    TOPIC = "aksio.feedback"

    class Created(Aggregate.Created):
        TOPIC = "aksio.feedback.created"
        owner_id: UUID
        feedback_type: str
        subject: str
        message: str
        screenshot: dict[str, Any] | None

    @event(Created)
    def __init__(
        self,
        owner_id: UUID,
        feedback_type: str,
        subject: str,
        message: str,
        screenshot: dict[str, Any] | None,
    ) -> None:
        self.owner_id = owner_id
        self.feedback_type = feedback_type
        self.subject = subject
        self.message = message
        self.screenshot = screenshot

    @classmethod
    def submit(
        cls,
        owner_id: UUID,
        feedback_type: str,
        subject: str,
        message: str,
        screenshot: dict[str, Any] | None = None,
    ) -> Feedback:
        given = {"feedback_type": feedback_type, "subject": subject, "message": message}
        v.check(given, RULES)
        if screenshot is not None and set(screenshot) != set(SCREENSHOT_KEYS):
            raise ValidationFailed.field("screenshot", "Incomplete screenshot description.")
        return cls(
            owner_id=owner_id,
            feedback_type=feedback_type,
            subject=subject,
            message=message,
            screenshot=screenshot,
        )
