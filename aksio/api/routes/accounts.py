"""Accounts: registration, JWT sessions, password reset, profile and feedback."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from aksio.api.deps import Bus, CurrentUser, Reads, SystemDep
from aksio.api.schemas.accounts import (
    DetailOut,
    FeedbackIn,
    FeedbackOut,
    LoginIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfileOut,
    ProfileUpdate,
    RefreshIn,
    RegisterIn,
    SessionOut,
    TokenPairOut,
    feedback_request_body,
)
from aksio.api.schemas.common import ERRORS
from aksio.commands.accounts import (
    LogIn,
    LogOut,
    RefreshTokens,
    RegisterUser,
    RequestPasswordReset,
    ResetPassword,
    Session,
    SubmitFeedback,
    UpdateProfile,
)
from aksio.core.errors import AuthenticationFailed, NotFound, UnsupportedMediaType
from aksio.projections import accounts as q

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"], responses=ERRORS)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def _session(session: Session) -> SessionOut:
    return SessionOut.model_validate(
        {"access": session.access, "refresh": session.refresh, "user": session.user}
    )


@router.post("/register/", status_code=201, response_model=SessionOut)
def register(body: RegisterIn, bus: Bus) -> SessionOut:
    """Create an account and log in; `username` defaults to the email."""
    return _session(bus.run(RegisterUser(**body.model_dump())))


@router.post("/login/", response_model=SessionOut)
def login(body: LoginIn, bus: Bus) -> SessionOut:
    """Log in with username or email; answers an access and a refresh token."""
    return _session(bus.run(LogIn(login=body.username, password=body.password)))


@router.post("/logout/", response_model=DetailOut)
def logout(body: RefreshIn, bus: Bus) -> DetailOut:
    """Revoke a refresh token (and the rest of its rotation chain)."""
    bus.run(LogOut(refresh=body.refresh))
    return DetailOut(detail="Logged out.")


@router.post("/token/refresh/", response_model=TokenPairOut, operation_id="token_refresh")
@router.post("/token-refresh/", response_model=TokenPairOut, operation_id="token_refresh_dashed")
def refresh(body: RefreshIn, bus: Bus) -> TokenPairOut:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    session = bus.run(RefreshTokens(refresh=body.refresh))
    if session is None:
        raise AuthenticationFailed("Token is invalid or expired.")
    return TokenPairOut(access=session.access, refresh=session.refresh)


@router.post("/password-reset/", response_model=DetailOut)
def password_reset(body: PasswordResetIn, bus: Bus) -> DetailOut:
    """Mail a one-hour, single-use reset token if the email has an account."""
    bus.run(RequestPasswordReset(email=str(body.email)))
    return DetailOut(detail="If the address has an account, a reset token was sent to it.")


@router.post("/password-reset-confirm/", response_model=DetailOut)
def password_reset_confirm(body: PasswordResetConfirmIn, bus: Bus) -> DetailOut:
    """Set a new password with a reset token; every session of the account ends."""
    bus.run(ResetPassword(token=body.token, new_password=body.new_password))
    return DetailOut(detail="Password has been reset.")


def _profile(reads: Reads, user: UUID) -> ProfileOut:
    row = q.get_profile(reads, user)
    if row is None:
        raise NotFound("Profile")
    return ProfileOut.model_validate(row)


@router.get("/profile/", response_model=ProfileOut)
def get_profile(user: CurrentUser, reads: Reads) -> ProfileOut:
    """Show your profile."""
    return _profile(reads, user)


@router.patch("/profile/", response_model=ProfileOut)
def update_profile(body: ProfileUpdate, user: CurrentUser, bus: Bus, reads: Reads) -> ProfileOut:
    """Change your profile; `timezone` must be an IANA name."""
    changes = body.model_dump(exclude_unset=True)
    bus.run(UpdateProfile(user_id=user, changes=changes))
    return _profile(reads, user)


# -- feedback ------------------------------------------------------------------------
def _invalid(exc: ValidationError) -> RequestValidationError:
    errors = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors(include_url=False)]
    return RequestValidationError(errors)


async def _feedback_body(request: Request) -> tuple[FeedbackIn, UploadFile | None]:
    """A JSON body, or form fields with an optional `screenshot` file."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        try:
            return FeedbackIn.model_validate_json(await request.body()), None
        except ValidationError as exc:
            raise _invalid(exc) from None
    form = await request.form()
    shot = form.get("screenshot")
    fields: dict[str, Any] = {k: v for k, v in form.items() if k != "screenshot"}
    if isinstance(shot, str) and shot:
        fields["screenshot"] = shot  # a text value where a file belongs: refused below
    try:
        body = FeedbackIn.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from None
    has_file = isinstance(shot, UploadFile) and (shot.filename or shot.size)
    return body, shot if has_file and isinstance(shot, UploadFile) else None


def _store_screenshot(data_dir: Path, data: bytes) -> dict[str, Any]:
    """Keeps the image under `feedback/<sha256>`; the same bytes are stored once."""
    kind = next((t for sig, t in IMAGE_SIGNATURES.items() if data.startswith(sig)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "image/webp"
    if kind is None:
        raise UnsupportedMediaType("The screenshot must be a PNG, JPEG, GIF or WebP image.")
    digest = hashlib.sha256(data).hexdigest()
    folder = data_dir / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / digest).exists():
        partial = folder / f".{digest}.{uuid4().hex}.tmp"
        partial.write_bytes(data)
        os.replace(partial, folder / digest)
    return {"path": f"feedback/{digest}", "size": len(data), "content_type": kind, "sha256": digest}


FeedbackBody = Annotated[tuple[FeedbackIn, UploadFile | None], Depends(_feedback_body)]


@router.post(
    "/feedback/",
    status_code=201,
    response_model=FeedbackOut,
    openapi_extra=feedback_request_body(),
)
def submit_feedback(
    user: CurrentUser, parsed: FeedbackBody, bus: Bus, reads: Reads, system: SystemDep
) -> FeedbackOut:
    """Send feedback as JSON, or as a form with an optional `screenshot` image."""
    body, upload = parsed
    screenshot = None
    if upload is not None:
        screenshot = _store_screenshot(system.settings.data_dir, upload.file.read())
    feedback_id = bus.run(SubmitFeedback(owner_id=user, **body.model_dump(), screenshot=screenshot))
    row = q.get_feedback(reads, user, feedback_id)
    if row is None:
        raise NotFound("Feedback")
    return FeedbackOut.model_validate(row)
