"""Read model of the documents context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class DocumentsProjection(Projection):
    name = "documents"
    tables: tuple[sa.Table, ...] = ()
