"""Read model of the webhooks context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class WebhooksProjection(Projection):
    name = "webhooks"
    tables: tuple[sa.Table, ...] = ()
