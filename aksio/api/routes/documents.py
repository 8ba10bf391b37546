"""Routes of the documents context."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
