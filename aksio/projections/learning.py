"""Read model of the learning context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class LearningProjection(Projection):
    name = "learning"
    tables: tuple[sa.Table, ...] = ()
