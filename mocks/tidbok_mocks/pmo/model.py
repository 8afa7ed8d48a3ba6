"""PMO's own records on top of the shared schedule: booking types with e-service flags."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kit import MockClock, Schedule, Slot, TimeType, uuid_ids
from .idempotency import IdempotencyStore
from .tokens import TokenStore


@dataclass
class PmoBookingType(TimeType):
    """A booking type; its flags decide what e-services may see and do."""

    visible: bool = True
    bookable: bool = True
    cancellable: bool = True


@dataclass
class PmoState:
    """Everything a PMO mock holds in memory."""

    clock: MockClock
    clients: dict[str, str]
    token_lifetime: int
    schedule: Schedule[PmoBookingType, Slot] = field(default_factory=lambda: Schedule(uuid_ids))
    tokens: TokenStore = field(default_factory=TokenStore)
    idempotency: IdempotencyStore = field(default_factory=IdempotencyStore)
