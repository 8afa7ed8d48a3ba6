"""The circuit breaker in front of one backend: stop calling a backend that keeps failing.

It opens after a number of consecutive technical failures and then answers "backend unavailable"
at once; after a reset timeout it lets one probe through, and closes again when a call succeeds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

from tidbok.errors import BackendUnavailable

log = logging.getLogger("tidbok.backend")


class BreakerState(StrEnum):
    """The state of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; after ``reset_timeout`` one probe passes."""

    def __init__(
        self,
        threshold: int,
        reset_timeout: float,
        on_change: Callable[[BreakerState], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.reset_timeout = reset_timeout
        self._on_change = on_change
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False
        self.state = BreakerState.CLOSED

    def before_call(self) -> None:
        """Raise BackendUnavailable at once while open; let one probe through when it may."""
        if self.state is BreakerState.CLOSED:
            return
        waited = self._monotonic() - self._opened_at
        if self.state is BreakerState.OPEN and waited >= self.reset_timeout:
            self._set(BreakerState.HALF_OPEN)
        if self.state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return
        raise BackendUnavailable(
            "circuit breaker open: the backend failed repeatedly",
            retry_after=max(self.reset_timeout - waited, 1.0),
        )

    def record_success(self) -> None:
        """A call went through: close the breaker."""
        self._failures = 0
        self._probing = False
        if self.state is not BreakerState.CLOSED:
            self._set(BreakerState.CLOSED)

    def record_failure(self) -> None:
        """A call failed for a technical reason."""
        self._failures += 1
        if self.state is BreakerState.HALF_OPEN or self._failures >= self.threshold:
            self._probing = False
            self._opened_at = self._monotonic()
            if self.state is not BreakerState.OPEN:
                self._set(BreakerState.OPEN)

    def _set(self, state: BreakerState) -> None:
        self.state = state
        log.warning("circuit breaker %s", state)
        if self._on_change is not None:
            self._on_change(state)
