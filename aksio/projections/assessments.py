"""Read model of the assessments context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class AssessmentsProjection(Projection):
    name = "assessments"
    tables: tuple[sa.Table, ...] = ()
