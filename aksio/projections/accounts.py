"""Read model of the accounts context."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.base import Projection


class AccountsProjection(Projection):
    name = "accounts"
    tables: tuple[sa.Table, ...] = ()
