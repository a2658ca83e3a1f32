"""Problems: structured failures that tell an operator what failed, why, and how to fix it.

Every connector and flow raises :class:`ProblemError` instead of a bare exception, so the engine can
decide on its own whether to retry (transient), park the job until something changes (waiting), or
stop and put the job in the error queue (permanent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """What the engine does with a job that hit the problem."""

    TRANSIENT = "transient"  # retry with capped exponential backoff
    PERMANENT = "permanent"  # stop; an operator (or a later change) must fix it


class Team(StrEnum):
    """Who owns the fix, so alerts reach the people who can act."""

    OPERATIONS = "operations"  # data fixes: missing items, customers, mappings
    INTEGRATION = "integration"  # configuration, credentials, webhooks
    VENDOR = "vendor"  # the remote system is down or throttling; wait or contact support


class Code(StrEnum):
    """The problem codes Ledgerlink knows. New codes go here so that operators see one vocabulary."""

    SKU_NOT_FOUND = "SKU_NOT_FOUND"
    CUSTOMER_INCOMPLETE = "CUSTOMER_INCOMPLETE"
    CURRENCY_NOT_FOUND = "CURRENCY_NOT_FOUND"
    MAPPING_MISSING = "MAPPING_MISSING"
    RECORD_NOT_FOUND = "RECORD_NOT_FOUND"
    INVALID_REFERENCE = "INVALID_REFERENCE"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    DUPLICATE_RECORD = "DUPLICATE_RECORD"
    RATE_LIMITED = "RATE_LIMITED"
    AUTH_FAILED = "AUTH_FAILED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    REMOTE_UNAVAILABLE = "REMOTE_UNAVAILABLE"
    REMOTE_MAINTENANCE = "REMOTE_MAINTENANCE"  # the whole account is in a maintenance window
    TLS_MISMATCH = "TLS_MISMATCH"  # an https:// URL pointed at a port that speaks plain HTTP
    REMOTE_ERROR = "REMOTE_ERROR"
    BAD_RESPONSE = "BAD_RESPONSE"
    CONFIG_INVALID = "CONFIG_INVALID"
    UNEXPECTED = "UNEXPECTED"


@dataclass(frozen=True)
class Problem:
    """One failure, in words an operator can act on."""

    code: str
    what: str
    why: str
    fix: str
    severity: Severity = Severity.PERMANENT
    team: Team = Team.OPERATIONS
    retry_after: float | None = None  # seconds the remote asked us to wait, when it said so
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def transient(self) -> bool:
        return self.severity is Severity.TRANSIENT

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "what": self.what,
            "why": self.why,
            "fix": self.fix,
            "severity": self.severity.value,
            "team": self.team.value,
            "retry_after": self.retry_after,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(
            code=data["code"],
            what=data["what"],
            why=data["why"],
            fix=data["fix"],
            severity=Severity(data.get("severity", Severity.PERMANENT)),
            team=Team(data.get("team", Team.OPERATIONS)),
            retry_after=data.get("retry_after"),
            details=data.get("details") or {},
        )


class ProblemError(Exception):
    """Raised by connectors and flows; carries the :class:`Problem` the engine records."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.code}: {problem.what}: {problem.why}")
        self.problem = problem


def transient(
    code: str,
    what: str,
    why: str,
    fix: str,
    *,
    team: Team = Team.VENDOR,
    retry_after: float | None = None,
    **details: Any,
) -> ProblemError:
    """A problem worth retrying by itself (throttling, outages, timeouts)."""
    return ProblemError(Problem(code, what, why, fix, Severity.TRANSIENT, team, retry_after, details))


def permanent(
    code: str, what: str, why: str, fix: str, *, team: Team = Team.OPERATIONS, **details: Any
) -> ProblemError:
    """A problem that retrying will not cure until somebody changes something."""
    return ProblemError(Problem(code, what, why, fix, Severity.PERMANENT, team, None, details))
