"""Rules for the values an aggregate accepts from its callers, checked before any event.

Every event is applied by the read models for ever after, so an aggregate refuses here what
an event could not carry (a null where a column is NOT NULL, a string where a number goes, an
integer a column cannot hold, text PostgreSQL cannot store) instead of leaving the read
model's constraints to fail on an event that is already stored. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from aksio.core.errors import ValidationFailed

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


@dataclass(frozen=True)
class Rule:
    """One field: the kind of value, whether null is allowed, and its bounds."""

    kind: str
    nullable: bool = False
    min_length: int = 0
    max_length: int | None = None
    choices: tuple[str, ...] = ()

    def problem(self, value: Any) -> str | None:
        if value is None:
            return None if self.nullable else "May not be null."
        if self.kind == "list":
            if not isinstance(value, list | tuple):
                return "Must be a list."
            return next((p for p in map(_text_problem, value) if p), None)
        if self.kind == "text":
            return _text_problem(value) or self._length_problem(value)
        return _CHECKS[self.kind](value, self)

    def _length_problem(self, value: str) -> str | None:
        if len(value.strip() if self.min_length else value) < self.min_length:
            return "May not be empty."
        if self.max_length is not None and len(value) > self.max_length:
            return f"At most {self.max_length} characters."
        if self.choices and value not in self.choices:
            return f"Must be one of: {', '.join(self.choices)}."
        return None


def _text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return "Must be a string."
    if "\x00" in value:
        return "May not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Must be valid Unicode text."
    return None


def _integer(value: Any, _: Rule) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "Must be an integer."
    return None if INT_MIN <= value <= INT_MAX else "Out of range."


def _number(value: Any, _: Rule) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "Must be a number."
    return None if math.isfinite(value) and abs(value) < 1e15 else "Out of range."


def _flag(value: Any, _: Rule) -> str | None:
    return None if isinstance(value, bool) else "Must be true or false."


def _day(value: Any, _: Rule) -> str | None:
    ok = isinstance(value, date) and not isinstance(value, datetime)
    return None if ok else "Must be a date."


def _moment(value: Any, _: Rule) -> str | None:
    ok = isinstance(value, datetime) and value.tzinfo is not None
    return None if ok else "Must be a time with a zone."


def _identifier(value: Any, _: Rule) -> str | None:
    return None if isinstance(value, UUID) else "Must be an id."


def _identifiers(value: Any, _: Rule) -> str | None:
    ok = isinstance(value, list | tuple) and all(isinstance(v, UUID) for v in value)
    return None if ok else "Must be a list of ids."


_CHECKS = {
    "integer": _integer,
    "number": _number,
    "flag": _flag,
    "day": _day,
    "moment": _moment,
    "identifier": _identifier,
    "identifiers": _identifiers,
}


def text(*, nullable: bool = False, required: bool = False, max_length: int | None = None) -> Rule:
    """A string; `required` refuses the empty (or blank) string as well."""
    return Rule("text", nullable, 1 if required else 0, max_length)


def choice(*values: str, nullable: bool = False) -> Rule:
    return Rule("text", nullable, choices=values)


def integer(*, nullable: bool = False) -> Rule:
    return Rule("integer", nullable)


def number(*, nullable: bool = False) -> Rule:
    return Rule("number", nullable)


def flag() -> Rule:
    return Rule("flag")


def day(*, nullable: bool = True) -> Rule:
    return Rule("day", nullable)


def moment(*, nullable: bool = True) -> Rule:
    return Rule("moment", nullable)


def identifier(*, nullable: bool = True) -> Rule:
    return Rule("identifier", nullable)


def identifiers() -> Rule:
    return Rule("identifiers")


def texts() -> Rule:
    """A list of strings (tags, concepts, objectives)."""
    return Rule("list")


def check(
    values: Mapping[str, Any], rules: Mapping[str, Rule], *, required: Iterable[str] = ()
) -> None:
    """Raises `ValidationFailed` naming each field that breaks its rule, is unknown, or is
    required and missing."""
    details: dict[str, list[str]] = {}
    for name in required:
        if name not in values:
            details[name] = ["This field is required."]
    for name, value in values.items():
        rule = rules.get(name)
        problem = "This field cannot be set." if rule is None else rule.problem(value)
        if problem:
            details[name] = [problem]
    if details:
        raise ValidationFailed("Validation failed", details)
