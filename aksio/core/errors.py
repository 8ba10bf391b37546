"""Domain errors carry a stable code; `aksio.api.errors` maps each code to HTTP."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    error_code = "DOMAIN_ERROR"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}


class NotFound(DomainError):
    error_code = "RESOURCE_NOT_FOUND"

    def __init__(self, what: str = "Resource") -> None:
        super().__init__(f"{what} not found.")


class ValidationFailed(DomainError):
    error_code = "VALIDATION_ERROR"

    @classmethod
    def field(cls, name: str, problem: str) -> ValidationFailed:
        return cls("Validation failed", {name: [problem]})


class AuthenticationFailed(DomainError):
    error_code = "AUTHENTICATION_FAILED"


class InvalidState(DomainError):
    error_code = "INVALID_STATE"


class MaxAttemptsExceeded(DomainError):
    error_code = "MAX_ATTEMPTS_EXCEEDED"


class TimeLimitExceeded(DomainError):
    error_code = "TIME_LIMIT_EXCEEDED"


class QuotaExceeded(DomainError):
    error_code = "QUOTA_EXCEEDED"


class PaymentFailed(DomainError):
    error_code = "PAYMENT_FAILED"


class ServiceUnavailable(DomainError):
    error_code = "SERVICE_UNAVAILABLE"


class PayloadTooLarge(DomainError):
    error_code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    error_code = "UNSUPPORTED_MEDIA_TYPE"


class Conflict(DomainError):
    """Too many concurrent writers to one aggregate: the bus gave up retrying."""

    error_code = "CONFLICT"
