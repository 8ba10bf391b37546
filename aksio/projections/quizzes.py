"""Read model of the quizzes context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class QuizzesProjection(Projection):
    name = "quizzes"
    tables: tuple[sa.Table, ...] = ()
