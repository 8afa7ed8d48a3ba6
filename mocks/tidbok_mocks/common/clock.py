"""The mock's clock: real time by default, or set/frozen/advanced through the admin API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from .times import STOCKHOLM, UTC, to_utc


def _real_now() -> datetime:
    return datetime.now(UTC)


class MockClock:
    """A settable clock. ``now()`` is always an aware UTC datetime.

    Unset, it follows real time. ``set(now)`` freezes it at that instant (or, with
    ``frozen=False``, lets it tick on from there); ``advance(seconds)`` moves it either way.
    """

    def __init__(
        self, now: datetime | None = None, *, real: Callable[[], datetime] = _real_now
    ) -> None:
        self._real = real
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        if now is not None:
            self.set(now)

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still (only ``advance`` moves it)."""
        return self._frozen_at is not None

    @property
    def real(self) -> bool:
        """Whether the clock simply follows real time."""
        return self._frozen_at is None and self._offset == timedelta(0)

    def now(self) -> datetime:
        """The mock's current instant, aware, in UTC."""
        if self._frozen_at is not None:
            return self._frozen_at
        return self._real() + self._offset

    def local_now(self) -> datetime:
        """The mock's current instant in Europe/Stockholm."""
        return self.now().astimezone(STOCKHOLM)

    def today(self) -> date:
        """The current calendar day in Stockholm."""
        return self.local_now().date()

    def set(self, now: datetime, *, frozen: bool = True) -> None:
        """Jump to ``now`` (aware); stay there if ``frozen``, else tick on from there."""
        instant = to_utc(now)
        if frozen:
            self._frozen_at = instant
            self._offset = timedelta(0)
        else:
            self._frozen_at = None
            self._offset = instant - self._real()

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, if negative) by ``seconds``."""
        step = timedelta(seconds=seconds)
        if self._frozen_at is not None:
            self._frozen_at += step
        else:
            self._offset += step

    def use_real_time(self) -> None:
        """Follow real time again."""
        self._frozen_at = None
        self._offset = timedelta(0)
