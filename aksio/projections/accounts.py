"""Read model of the accounts context: user profiles and submitted feedback.

Credentials (password hashes, reset-token hashes) and refresh-token families
are deliberately not projected: only command handlers ever need them.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.accounts.feedback import Feedback
from aksio.aggregates.accounts.user import PROFILE_DEFAULTS, PROFILE_FIELDS, User
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata
from aksio.projections.engine.paging import first_row

users = sa.Table(
    "rm_users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("username", sa.String, nullable=False),
    sa.Column("email", sa.String, nullable=False),
    sa.Column("first_name", sa.String, nullable=False, default=""),
    sa.Column("last_name", sa.String, nullable=False, default=""),
    sa.Column("bio", sa.Text, nullable=False, default=""),
    sa.Column("timezone", sa.String, nullable=False, default="UTC"),
    sa.Column("language_preference", sa.String, nullable=False, default="en"),
    sa.Column("learning_style", sa.String),
    sa.Column("study_goals", sa.JSON, nullable=False),
    sa.Column("scheduler", sa.String, nullable=False, default="sm2"),
    sa.Column("desired_retention", sa.Float, nullable=False, default=0.9),
    sa.Column("fsrs_parameters", sa.JSON),
    sa.Column("date_joined", UtcDateTime, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

feedback = sa.Table(
    "rm_feedback",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("feedback_type", sa.String, nullable=False),
    sa.Column("subject", sa.String, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("screenshot", sa.JSON),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


class AccountsProjection(Projection):
    name = "accounts"
    tables = (users, feedback)
    version = 2  # 2: desired retention and fitted FSRS parameters

    @handles(User.Created)
    def user_created(self, e: User.Created, rows: Rows) -> None:
        profile = {**PROFILE_DEFAULTS, **e.profile}
        rows.put(
            users,
            {
                **{k: profile[k] for k in PROFILE_FIELDS},
                "id": e.originator_id,
                "username": e.username,
                "email": e.email,
                "date_joined": e.timestamp,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(User.ProfileUpdated)
    def profile_updated(self, e: User.ProfileUpdated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in PROFILE_FIELDS}
        rows.update(users, e.originator_id, **changes, updated_at=e.timestamp)

    @handles(User.FsrsParametersFitted)
    def fsrs_parameters_fitted(self, e: User.FsrsParametersFitted, rows: Rows) -> None:
        rows.update(users, e.originator_id, fsrs_parameters=list(e.parameters))

    @handles(Feedback.Created)
    def feedback_created(self, e: Feedback.Created, rows: Rows) -> None:
        shot = e.screenshot
        public = {k: shot[k] for k in ("size", "content_type", "sha256")} if shot else None
        rows.put(
            feedback,
            {
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "feedback_type": e.feedback_type,
                "subject": e.subject,
                "message": e.message,
                "screenshot": public,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )


# -- queries -------------------------------------------------------------------------
def get_profile(conn: Connection, user_id: UUID) -> Row | None:
    """The user's profile row (`timezone`, `scheduler`, names, ...), or None without an account."""
    return first_row(conn, sa.select(users).where(users.c.id == user_id))


def get_feedback(conn: Connection, owner_id: UUID, feedback_id: UUID) -> Row | None:
    return first_row(
        conn,
        sa.select(feedback).where(feedback.c.id == feedback_id, feedback.c.owner_id == owner_id),
    )
