"""Fixtures: a BookingService over in-memory scheduling systems, with a frozen clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from tidbok import hookimpl
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.events import ActivityKind, BookingActivity
from tidbok.hookspecs import hookspec  # noqa: F401 - the marker module must import cleanly
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Caller, Capability
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings

from .memory_system import (
    PASIS_LIKE,
    PASIS_UNIT,
    PMO_LIKE,
    PMO_UNIT,
    VIEW_UNIT,
    MemoryBackend,
    MemoryPlugin,
    MemorySystem,
    world_settings,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
TOLVAN = PersonalIdentityNumber("191212121212")
OTHER = PersonalIdentityNumber("199001012385")


class ActivityRecorder:
    """A plugin that records booking activities, as the inbox would."""

    def __init__(self) -> None:
        self.activities: list[BookingActivity] = []

    @hookimpl
    def tidbok_booking_activity(self, activity: BookingActivity) -> None:
        self.activities.append(activity)


@dataclass
class World:
    service: BookingService
    clock: FrozenClock
    pasis: MemoryBackend
    pmo: MemoryBackend
    recorder: ActivityRecorder
    citizen: Caller
    other: Caller


def sample_activity(booking_id: str = "bk-1") -> BookingActivity:
    """A citizen's booking at the PASiS-like unit, as the service would broadcast it."""
    return BookingActivity(
        kind=ActivityKind.BOOKED,
        unit=PASIS_UNIT,
        unit_name="Tensta",
        system="memory",
        subject_of_care=TOLVAN,
        booking_id=booking_id,
        start=NOW,
        end=NOW,
        time_type_name="Provtagning",
        occurred_at=NOW,
    )


def make_settings() -> TidbokSettings:
    return world_settings(pasis_hsa_id=PASIS_UNIT.lower())  # HSA-ids compare case-insensitively


@pytest.fixture
async def world() -> AsyncIterator[World]:
    pasis_system = MemorySystem(
        "memory_pasis",
        PASIS_LIKE,
        frozenset({Capability.OPEN_INVITATIONS, Capability.MESSAGE_ON_CANCEL}),
    )
    pmo_system = MemorySystem("memory_pmo", PMO_LIKE, frozenset({Capability.SAME_DAY_BOOKING}))
    recorder = ActivityRecorder()
    registry = PluginRegistry()
    registry.register(MemoryPlugin(pasis_system, pmo_system), name="memory")
    registry.register(recorder, name="recorder")
    pasis, pmo = pasis_system.backend("mem://pasis"), pmo_system.backend("mem://pmo")
    pasis.add_unit(PASIS_UNIT, "Vårdcentralen Tensta")
    pmo.add_unit(PMO_UNIT, "Barnmorskemottagningen Solna")
    pmo.add_unit(VIEW_UNIT, "Ögonmottagningen")
    clock = FrozenClock(NOW)
    async with BookingService(make_settings(), registry=registry, clock=clock) as service:
        yield World(
            service=service,
            clock=clock,
            pasis=pasis,
            pmo=pmo,
            recorder=recorder,
            citizen=Caller(subject_of_care=TOLVAN),
            other=Caller(subject_of_care=OTHER),
        )
