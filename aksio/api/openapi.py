"""The OpenAPI description as the server really answers, made in one place.

FastAPI describes what routes declare; the rest of what a client meets comes from shared
machinery: the error renderer (one envelope for every 4xx and 5xx), the middleware (413,
429, rate-limit and request-id headers), authentication (401 with a Bearer challenge) and
the bus (409 when a command conflicts). Each operation gets those answers here, from facts
about it (does it take a body, path parameters, a token; does it write), instead of each
route copying them, and the main resources get the examples of the API description.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import FastAPI

from aksio.api.errors import STATUS_BY_CODE
from aksio.api.openapi_examples import EXAMPLES

ERROR_REF = {"$ref": "#/components/schemas/Error"}
WRITES = {"post", "put", "patch", "delete"}
# Codes the renderer answers beside the table's: a malformed body is 400 `VALIDATION_ERROR`
# (a rule broken is 422), and a method the path lacks is 405.
MORE_CODES = {400: {"VALIDATION_ERROR", "BAD_REQUEST"}, 405: {"METHOD_NOT_ALLOWED"}}
# Routes without a token that still answer 401: wrong credentials or a spent refresh token.
CREDENTIAL_ROUTES = {
    "/api/v1/accounts/login/",
    "/api/v1/accounts/logout/",
    "/api/v1/accounts/token/refresh/",
    "/api/v1/accounts/token-refresh/",
}
# A token names a user id; these read that user's own row, which may not exist.
OWN_ROWS = {"/api/v1/accounts/profile/"}
REASONS = {
    400: "Malformed JSON or a field of the wrong type (`VALIDATION_ERROR`).",
    401: "Missing, expired, malformed or revoked token, or wrong credentials.",
    402: "The payment was declined.",
    403: "Not allowed, or a plan quota is used up (`QUOTA_EXCEEDED`).",
    404: "No such resource, or it belongs to someone else.",
    405: "The path does not support this method; `Allow` lists those it does.",
    408: "The request head or body did not arrive in time; the connection is closed.",
    409: "The resource's state forbids this command, or too many concurrent changes.",
    413: "The body is larger than the limit.",
    415: "The content type is not accepted, or the file's bytes do not match it.",
    422: "A well-formed body or query that breaks a rule; `details` names each field.",
    429: "Rate limit exceeded; `Retry-After` says when to try again.",
    431: "The request line and headers are larger than the limit.",
    500: "Unexpected server error; the body holds no internal detail.",
    503: "The database or a service the request needs is unavailable; try again later.",
}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the incoming `X-Request-ID`, else a generated one.",
        "required": True,
        "schema": {"type": "string"},
    },
    "RateLimit-Limit": {
        "description": "Requests allowed in the window.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the window.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window resets.",
        "schema": {"type": "integer"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    },
    "WWW-Authenticate": {
        "description": "The accepted scheme: `Bearer`.",
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer"},
    },
}


def error_schema() -> dict[str, Any]:
    return {
        "title": "Error",
        "description": "The envelope of every 4xx and 5xx answer.",
        "type": "object",
        "required": ["error", "details", "error_code", "timestamp", "request_id"],
        "properties": {
            "error": {"type": "string", "description": "What went wrong, for people."},
            "details": {
                "type": "object",
                "description": "Per field, the problems found (empty when none apply).",
            },
            "error_code": {"type": "string", "enum": sorted({*STATUS_BY_CODE, "ERROR"})},
            "timestamp": {"type": "string", "format": "date-time"},
            "request_id": {"type": "string", "description": "Also the `X-Request-ID` header."},
        },
        "example": {
            "error": "Validation failed",
            "details": {
                "field_name": ["This field is required."],
                "another_field": ["Invalid value provided."],
            },
            "error_code": "VALIDATION_ERROR",
            "timestamp": "2024-01-20T10:00:00Z",
            "request_id": "req_123456789",
        },
    }


def _codes(status: int) -> list[str]:
    codes = {code for code, mapped in STATUS_BY_CODE.items() if mapped == status}
    return sorted(codes | MORE_CODES.get(status, set()))


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses this operation can answer, from what it takes and does."""
    statuses = {408, 431, 500}  # `aksio serve` answers a slow or oversized request head
    if not path.startswith("/api/"):
        return statuses
    statuses |= {429, 503}
    params = operation.get("parameters", [])
    body = "requestBody" in operation
    in_path = any(param["in"] == "path" for param in params)
    in_query = any(param["in"] == "query" for param in params)
    if body or in_query:
        statuses |= {400, 422}
    if body:
        statuses |= {413, 415}  # too large; not JSON, or a file of a type not taken
    if operation.get("security") or path in CREDENTIAL_ROUTES:
        statuses.add(401)
    refers = body or any(param["schema"].get("format") == "uuid" for param in _query(params))
    if in_path or path in OWN_ROWS or (refers and operation.get("security")):
        statuses.add(404)  # the resource named, or one the body or query refers to
    if method in WRITES and operation.get("security"):
        statuses.add(409)
    return statuses


def _query(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Query parameters, with a nullable one's schema reduced to its non-null branch."""
    found = []
    for param in params:
        if param["in"] == "query":
            options = param["schema"].get("anyOf", [param["schema"]])
            schema = next((o for o in options if o.get("type") != "null"), param["schema"])
            found.append({**param, "schema": schema})
    return found


def _form_without_nulls(schema: dict[str, Any], operation: dict[str, Any]) -> None:
    """A form field is sent or left out: it has no null, so the form's schema offers none."""
    form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
    if form is None:
        return
    target = form["schema"]
    if "$ref" in target:
        target = schema["components"]["schemas"][target["$ref"].rsplit("/", 1)[1]]
    for name, field in target.get("properties", {}).items():
        options = [o for o in field.get("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            rest = {k: v for k, v in field.items() if k != "anyOf" and (k, v) != ("default", None)}
            target["properties"][name] = {**options[0], **rest}


def _error_response(status: int) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}}
    if status == 401:
        headers["WWW-Authenticate"] = {"$ref": "#/components/headers/WWW-Authenticate"}
    if status in (429, 503):  # always on a 429; on a 503 when a retry soon should succeed
        headers["Retry-After"] = {**HEADERS["Retry-After"], "required": status == 429}
    codes = _codes(status)
    schema: dict[str, Any] = ERROR_REF
    if codes and status != 500:
        schema = {"allOf": [ERROR_REF, {"properties": {"error_code": {"enum": codes}}}]}
    return {
        "description": REASONS.get(status, "Error."),
        "headers": headers,
        "content": {"application/json": {"schema": schema}},
    }


def _add_examples(path: str, method: str, operation: dict[str, Any]) -> None:
    examples = EXAMPLES.get((method, path))
    if examples is None:
        return
    request, response = examples
    if request is not None:
        content = operation["requestBody"]["content"]["application/json"]
        content["examples"] = {"api": {"summary": "From the API description", "value": request}}
    if response is not None:
        success = next(code for code in operation["responses"] if code.startswith("2"))
        content = operation["responses"][success]["content"]["application/json"]
        content["examples"] = {"api": {"summary": "From the API description", "value": response}}


def refine(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's description, given every operation's real answers and the examples."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = error_schema()
    components["headers"] = HEADERS
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            declared = {int(code) for code in responses if code[0] in "45"}
            if path.startswith("/api/"):  # every answer of these is the envelope
                for code in declared:
                    del responses[str(code)]
                # Statuses a route declared beyond the routers' common set stay (402, 403, 503).
                declared -= {400, 401, 404, 409, 413, 422, 429}
                wanted = error_statuses(path, method, operation) | declared
            else:  # /health and /metrics describe their own failures; the server adds these
                wanted = error_statuses(path, method, operation) - declared
            for status in sorted(wanted):
                responses[str(status)] = _error_response(status)
            for code, response in responses.items():
                if code.startswith("2"):
                    response["headers"] = {
                        "X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}
                    }
            _add_examples(path, method, operation)
            _form_without_nulls(schema, operation)
    # FastAPI's validation-error shapes and the routers' old error model, once nothing uses them.
    text = json.dumps(schema)
    for name in ("ErrorOut", "HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{name}"' not in text:
            components["schemas"].pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    """Serve the refined description at `/openapi.json`, made once on first use."""
    generate = app.openapi
    lock = threading.Lock()

    def openapi() -> dict[str, Any]:
        with lock:  # FastAPI caches its part before it is refined: nobody may see that
            if not getattr(app.state, "openapi_refined", False):
                refine(generate())
                app.state.openapi_refined = True
        return generate()

    app.openapi = openapi  # type: ignore[method-assign]
