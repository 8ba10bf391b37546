"""Read model of the flashcards context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class FlashcardsProjection(Projection):
    name = "flashcards"
    tables: tuple[sa.Table, ...] = ()
