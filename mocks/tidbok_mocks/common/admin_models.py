"""Input models of the admin API (system-neutral; each mock extends time types and slots)."""

from __future__ import annotations

import re

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from .schedule import BookedBy

HSA_ID = re.compile(r"^SE\d{10}-[A-Za-z0-9]+$", re.IGNORECASE)


class AdminModel(BaseModel):
    """Admin inputs refuse unknown fields so that typos in scenarios surface."""

    model_config = ConfigDict(extra="forbid")


class UnitIn(AdminModel):
    """A care unit."""

    id: str
    name: str = Field(min_length=1)
    address: str = ""

    @field_validator("id")
    @classmethod
    def _hsa_id(cls, value: str) -> str:
        if not HSA_ID.match(value):
            raise ValueError("must be an HSA-id such as SE2321000016-1234")
        return value


class TimeTypeIn(AdminModel):
    """A time type; each system adds its own 1177 settings."""

    id: str | None = None
    unit: str
    name: str = Field(min_length=1)
    duration_minutes: int = Field(default=30, ge=1, le=24 * 60)
    description: str = ""
    purpose: str = ""


class SlotIn(AdminModel):
    """A slot; ``end`` defaults to start plus the time type's duration."""

    id: str | None = None
    unit: str
    time_type: str
    start: AwareDatetime
    end: AwareDatetime | None = None
    performer: str = ""
    resource: str = ""


class BookingIn(AdminModel):
    """A booking placed directly in the schedule (no 1177 rules apply)."""

    id: str | None = None
    slot: str
    person: str
    booked_by: BookedBy = BookedBy.STAFF
    hidden: bool = False
    purpose: str | None = None
    reason: str = ""


class ClockIn(AdminModel):
    """``POST /__admin/clock``: set (``now``), advance, or go back to real time."""

    now: AwareDatetime | None = None
    frozen: bool = True
    advance_seconds: float | None = None
    real: bool = False


class ResetIn(AdminModel):
    """``POST /__admin/reset``: optionally reload the demo data."""

    demo: bool = False
