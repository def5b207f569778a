"""Domain errors: a small hierarchy with a stable code and, where one applies, the article."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command the domain refuses. `code` is the stable machine-readable code."""

    code = "domain_error"

    def __init__(self, message: str, *, article: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.article = article
        self.context = context


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


class DeadlinePassed(DomainError):
    code = "deadline_passed"


class RuleViolated(DomainError):
    """A named rule (see domain.rules) is broken by otherwise well-formed input."""

    code = "rule_violated"


class InvalidInput(DomainError):
    code = "validation_failed"


class CaseNotFound(DomainError):
    code = "case_not_found"


class NotFound(DomainError):
    code = "not_found"


class AlreadyExists(DomainError):
    code = "already_exists"


class DuplicateExternalReference(AlreadyExists):
    code = "duplicate_external_ref"


class VersionConflict(DomainError):
    code = "version_conflict"

    def __init__(self, message: str, *, current_version: int, **context: Any) -> None:
        super().__init__(message, current_version=current_version, **context)
        self.current_version = current_version


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


class Forbidden(DomainError):
    code = "forbidden"
