"""Which methods a path supports, from every described path template that matches it.

Starlette answers 405 with the methods of the first route that matched the path alone,
and each method of a path is its own route here, so `Allow` missed methods. And a literal
segment such as `flashcards/` also matches `{assessment_id}/`, so a method the literal
path lacks reached the parameterised route and failed as a missing id (404) instead of 405.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

# The order of `Allow`: reads, then writes, then the methods every path answers.
ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
VERBS = {"get", "head", "post", "put", "patch", "delete"}
PARAMETER = re.compile(r"\{[^}/]+\}")


def allowed_methods(request: Request) -> list[str]:
    """The methods the API description gives the templates that match the path with the
    fewest parameters: a literal segment beats a parameter, as it does when routing.
    Empty when no described path matches."""
    path = request.scope.get("path", "")
    matches: list[tuple[int, set[str]]] = []
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "[^/]+".join(re.escape(part) for part in PARAMETER.split(template))
        if re.fullmatch(pattern, path):
            found = {verb.upper() for verb in operations if verb in VERBS}
            matches.append((len(PARAMETER.findall(template)), found))
    if not matches:
        return []
    fewest = min(count for count, _ in matches)
    methods = {"OPTIONS"}.union(*(found for count, found in matches if count == fewest))
    return sorted(methods, key=ORDER.index)


def allow_header(methods: list[str]) -> dict[str, str]:
    return {"Allow": ", ".join(methods)}


def options(methods: list[str]) -> Response:
    """`OPTIONS` on a known path: no body, the methods in `Allow`."""
    return Response(status_code=204, headers=allow_header(methods))
