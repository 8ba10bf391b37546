"""Commands of the accounts context: registration, sessions, password reset, profile, feedback.

Secrets (passwords, tokens) are excluded from the commands' reprs so that they
never reach a log line.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from aksio.aggregates.accounts.feedback import Feedback
from aksio.aggregates.accounts.login_name import LoginName, login_name_id, normalize
from aksio.aggregates.accounts.refresh_session import LOGGED_OUT, RefreshSession
from aksio.aggregates.accounts.user import User, check_password
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.core.errors import AuthenticationFailed, ValidationFailed
from aksio.integrations.email import Mailer
from aksio.integrations.passwords import PasswordHasher
from aksio.integrations.tokens import RefreshClaims, TokenService

RESET_TOKEN_TTL = timedelta(hours=1)
WRONG_CREDENTIALS = "No active account found with the given credentials."
BAD_TOKEN = "Token is invalid or expired."
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    """A freshly issued token pair for one user."""

    user: dict[str, Any]
    access: str = field(repr=False)
    refresh: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class RegisterUser(Command[Session]):
    email: str
    password: str = field(repr=False)
    username: str | None = None
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True, kw_only=True)
class LogIn(Command[Session]):
    login: str
    password: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class RefreshTokens(Command[Session | None]):
    """Answers None when the token was refused (revoked, reused, expired)."""

    refresh: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class LogOut(Command[None]):
    refresh: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class RequestPasswordReset(Command[None]):
    email: str


@dataclass(frozen=True, kw_only=True)
class ResetPassword(Command[None]):
    token: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class UpdateProfile(Command[None]):
    user_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class SubmitFeedback(Command[UUID]):
    owner_id: UUID
    feedback_type: str
    subject: str
    message: str
    screenshot: dict[str, Any] | None = None


# -- ports ---------------------------------------------------------------------------
def _hasher(uow: UnitOfWork) -> PasswordHasher:
    return uow.services.passwords


def _tokens(uow: UnitOfWork) -> TokenService:
    return uow.services.tokens


def _mailer(uow: UnitOfWork) -> Mailer:
    return uow.services.mailer


def _issue(tokens: TokenService, user: User, family: RefreshSession, now: datetime) -> Session:
    claims = RefreshClaims(user.id, family.id, family.token_id)
    return Session(user.summary(), tokens.access(user.id, now), tokens.refresh(claims, now))


def _start_session(uow: UnitOfWork, user: User) -> tuple[RefreshSession, Session]:
    tokens, now = _tokens(uow), uow.services.clock.now()
    family = RefreshSession.start(
        user.id, uuid4(), user.credentials_version, now + tokens.refresh_ttl
    )
    return family, _issue(tokens, user, family, now)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- registration and sessions -------------------------------------------------------
def register_user(cmd: RegisterUser, uow: UnitOfWork) -> Session:
    username = cmd.username or cmd.email
    separate = normalize(username) != normalize(cmd.email)
    if uow.find(LoginName, login_name_id(cmd.email)) is not None:
        raise ValidationFailed.field("email", "A user with this email already exists.")
    if separate and uow.find(LoginName, login_name_id(username)) is not None:
        raise ValidationFailed.field("username", "A user with this username already exists.")
    check_password(cmd.password)
    user_id = uuid4()
    names = {"first_name": cmd.first_name, "last_name": cmd.last_name}
    user = User.register(user_id, cmd.email, username, _hasher(uow).hash(cmd.password), names)
    claims = [LoginName.claim(user_id, cmd.email)]
    if separate:
        claims.append(LoginName.claim(user_id, username))
    family, session = _start_session(uow, user)
    # One save: a racing registration of the same name conflicts on its claim and retries.
    uow.save(user, *claims, family)
    return session


def log_in(cmd: LogIn, uow: UnitOfWork) -> Session:
    hasher = _hasher(uow)
    claim = uow.find(LoginName, login_name_id(cmd.login))
    user = uow.find(User, claim.owner_id) if claim is not None else None
    if user is None:
        hasher.burn(cmd.password)
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    if not hasher.verify(user.password_hash, cmd.password):
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    family, session = _start_session(uow, user)
    uow.save(family)
    return session


def refresh_tokens(cmd: RefreshTokens, uow: UnitOfWork) -> Session | None:
    tokens = _tokens(uow)
    claims = tokens.read_refresh(cmd.refresh)
    family = uow.find(RefreshSession, claims.family_id)
    user = uow.find(User, claims.user_id)
    if family is None or user is None or family.owner_id != user.id:
        return None
    now = uow.services.clock.now()
    refusal = family.rotate(
        claims.token_id, uuid4(), user.credentials_version, now, now + tokens.refresh_ttl
    )
    # Saved even on refusal: a detected reuse has just revoked the family.
    uow.save(family)
    return None if refusal is not None else _issue(tokens, user, family, now)


def log_out(cmd: LogOut, uow: UnitOfWork) -> None:
    claims = _tokens(uow).read_refresh(cmd.refresh)
    family = uow.find(RefreshSession, claims.family_id)
    if family is None or family.owner_id != claims.user_id:
        raise AuthenticationFailed(BAD_TOKEN)
    family.revoke(LOGGED_OUT)
    uow.save(family)


# -- password reset ------------------------------------------------------------------
def _user_by_email(uow: UnitOfWork, email: str) -> User | None:
    claim = uow.find(LoginName, login_name_id(email))
    user = uow.find(User, claim.owner_id) if claim is not None else None
    # Usernames share the namespace; only the account's own email may receive mail.
    if user is None or normalize(user.email) != normalize(email):
        return None
    return user


def request_password_reset(cmd: RequestPasswordReset, uow: UnitOfWork) -> None:
    user = _user_by_email(uow, cmd.email)
    if user is None:
        return
    token = f"{user.id.hex}.{secrets.token_urlsafe(32)}"
    user.request_password_reset(_digest(token), uow.services.clock.now() + RESET_TOKEN_TTL)
    uow.save(user)
    body = (
        "Someone asked to reset the password of your Aksio account.\n\n"
        f"Your password reset token:\n\n{token}\n\n"
        "Send it with your new password to /api/v1/accounts/password-reset-confirm/.\n"
        "It works once and expires in one hour. If you did not ask, ignore this message.\n"
    )
    try:
        _mailer(uow).send(user.email, "Reset your Aksio password", body)
    except OSError:
        # The answer must not reveal whether the address has an account, so no 500 here.
        logger.exception("password reset mail for user %s could not be sent", user.id)


def reset_password(cmd: ResetPassword, uow: UnitOfWork) -> None:
    prefix = cmd.token.split(".", 1)[0]
    try:
        user_id = UUID(hex=prefix)
    except ValueError:
        raise ValidationFailed.field("token", "Invalid or expired token.") from None
    user = uow.find(User, user_id)
    if user is None:
        raise ValidationFailed.field("token", "Invalid or expired token.")
    now, digest = uow.services.clock.now(), _digest(cmd.token)
    user.check_reset_token(digest, now)
    check_password(cmd.new_password, field_name="new_password")
    user.reset_password(digest, _hasher(uow).hash(cmd.new_password), now)
    uow.save(user)


# -- profile and feedback ------------------------------------------------------------
def update_profile(cmd: UpdateProfile, uow: UnitOfWork) -> None:
    user = uow.load(User, cmd.user_id, owner_id=cmd.user_id)
    user.update_profile(cmd.changes)
    uow.save(user)


def submit_feedback(cmd: SubmitFeedback, uow: UnitOfWork) -> UUID:
    feedback = Feedback.submit(
        cmd.owner_id, cmd.feedback_type, cmd.subject, cmd.message, cmd.screenshot
    )
    uow.save(feedback)
    return feedback.id


HANDLERS: dict[type[Any], Handler] = {
    RegisterUser: register_user,
    LogIn: log_in,
    RefreshTokens: refresh_tokens,
    LogOut: log_out,
    RequestPasswordReset: request_password_reset,
    ResetPassword: reset_password,
    UpdateProfile: update_profile,
    SubmitFeedback: submit_feedback,
}
