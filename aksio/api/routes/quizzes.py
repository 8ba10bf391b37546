"""Routes of the quizzes context."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
