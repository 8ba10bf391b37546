"""Read model of the billing context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class BillingProjection(Projection):
    name = "billing"
    tables: tuple[sa.Table, ...] = ()
