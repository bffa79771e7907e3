"""What the desk refuses, in its own terms. The API layer
(`bot.desk.api.api_middleware`) decides which HTTP status each one answers
with, so the operations know nothing of HTTP."""

from __future__ import annotations


class DeskError(Exception):
    """A request the desk cannot carry out; `message` is shown to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(DeskError):
    """The request itself is wrong: a missing field, an unknown status."""


class Unauthenticated(DeskError):
    """Nobody is logged in behind the request, or the password was wrong."""


class Forbidden(DeskError):
    """The agent is known but may not do this."""


class NotFound(DeskError):
    """No handoff, agent or ticket of that name."""


class Conflict(DeskError):
    """The thing is not in a state that allows it (taken, closed, existing)."""


class AtCapacity(Conflict):
    """The agent already holds as many active conversations as `DESK_AGENT_CAPACITY` allows."""


class TooManyAttempts(DeskError):
    """Too many failed logins lately; `retry_after` seconds until the next try counts."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(Invalid):
    """A file over the desk's size limit."""


class Unsupported(Invalid):
    """A file of a type the desk does not take."""
