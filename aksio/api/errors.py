"""The one table from error codes to HTTP, and the renderer of the error envelope."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from aksio.api.methods import allow_header, allowed_methods, options
from aksio.core.errors import DomainError
from aksio.core.faults import DATABASE_FAULTS

logger = logging.getLogger("aksio.api")

UNAVAILABLE_RETRY_AFTER_S = 2

STATUS_BY_CODE: dict[str, int] = {
    "VALIDATION_ERROR": 422,
    "BAD_REQUEST": 400,
    "AUTHENTICATION_FAILED": 401,
    "PAYMENT_FAILED": 402,
    "PERMISSION_DENIED": 403,
    "QUOTA_EXCEEDED": 403,
    "RESOURCE_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "INVALID_STATE": 409,
    "MAX_ATTEMPTS_EXCEEDED": 409,
    "TIME_LIMIT_EXCEEDED": 409,
    "CONFLICT": 409,
    "REQUEST_TIMEOUT": 408,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "RATE_LIMIT_EXCEEDED": 429,
    "REQUEST_HEADER_FIELDS_TOO_LARGE": 431,
    "INTERNAL_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}
CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "AUTHENTICATION_FAILED",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "INVALID_STATE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMIT_EXCEEDED",
}


# RFC 9110: a 401 names the scheme that would be accepted.
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def envelope(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    body = {
        "error": message,
        "details": details or {},
        "error_code": code,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "request_id": request_id,
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _is_type_error(kind: str) -> bool:
    return kind == "json_invalid" or kind.endswith(("_type", "_parsing")) or kind == "json_type"


def _not_json(request: Request, errors: list[Any]) -> bool:
    """A JSON body declared as another media type: FastAPI does not parse it, so the body
    fails as a whole. Form routes fail field by field and are not caught here."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    whole = any(tuple(err.get("loc", ())) == ("body",) for err in errors)
    return whole and bool(kind) and kind != "application/json" and not kind.endswith("+json")


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(err.get("loc", ("",))[0] == "path" for err in errors):
        methods = allowed_methods(request)
        if methods and request.method not in methods:  # a literal path without this method
            return envelope(request, 405, "METHOD_NOT_ALLOWED", "Method Not Allowed",
                            headers=allow_header(methods))  # fmt: skip
        return envelope(request, 404, "RESOURCE_NOT_FOUND", "Resource not found.")
    if _not_json(request, errors):
        message = "The body must be JSON (Content-Type: application/json)."
        return envelope(request, 415, "UNSUPPORTED_MEDIA_TYPE", message)
    details: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query")]
        details.setdefault(".".join(loc) or "body", []).append(str(err.get("msg", "Invalid.")))
    status = 400 if any(_is_type_error(str(err.get("type", ""))) for err in errors) else 422
    message = "Malformed request" if status == 400 else "Validation failed"
    return envelope(request, status, "VALIDATION_ERROR", message, details)


def _domain(request: Request, exc: DomainError) -> JSONResponse:
    status = STATUS_BY_CODE.get(exc.error_code, 400)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if status == 401:
        headers = {**(headers or {}), **CHALLENGE}
    return envelope(request, status, exc.error_code, exc.message, exc.details, headers)


def _http(request: Request, exc: StarletteHTTPException) -> Response:
    # FastAPI answers a JSON body it cannot decode (nested past the recursion limit, bytes that
    # are not UTF-8) with a bare 400, unlike the syntax errors it reports: both are malformed.
    if exc.status_code == 400 and isinstance(exc.__cause__, RecursionError | ValueError):
        deep = isinstance(exc.__cause__, RecursionError)
        detail = "JSON nested too deeply." if deep else "The body is not valid UTF-8 JSON."
        return envelope(request, 400, "VALIDATION_ERROR", "Malformed request", {"body": [detail]})
    code = CODE_BY_STATUS.get(exc.status_code, "ERROR")
    message = exc.detail if isinstance(exc.detail, str) else "Request failed."
    if exc.status_code == 404:
        message = "Resource not found."
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405 and (methods := allowed_methods(request)):
        if request.method == "OPTIONS":
            return options(methods)
        headers = {**(headers or {}), **allow_header(methods)}
    if exc.status_code == 401:
        headers = {**(headers or {}), **CHALLENGE}
    return envelope(request, exc.status_code, code, message, headers=headers)


def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return envelope(request, 500, "INTERNAL_ERROR", "Internal server error.")


def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    message = "The database is unavailable; retry shortly."
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)}
    return envelope(request, 503, "SERVICE_UNAVAILABLE", message, headers=headers)


def install(app: FastAPI) -> None:
    for fault in DATABASE_FAULTS:
        app.add_exception_handler(fault, _unavailable)
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unhandled)
