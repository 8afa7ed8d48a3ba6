"""PMO request bodies (strict: unknown fields are a validation error)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PmoBody(BaseModel):
    """PMO refuses unknown fields."""

    model_config = ConfigDict(extra="forbid")


class CreateAppointmentIn(PmoBody):
    """``POST /appointments``."""

    slotId: str = Field(min_length=1, max_length=64)
    patientId: str
    note: str = Field(default="", max_length=1000)


class RescheduleIn(PmoBody):
    """``POST /appointments/{id}/reschedule``."""

    slotId: str = Field(min_length=1, max_length=64)


class CancelIn(PmoBody):
    """``POST /appointments/{id}/cancel``; ``reason`` is shown to the unit."""

    reason: str | None = Field(default=None, max_length=1000)


class AppointmentSearchIn(PmoBody):
    """``POST /appointments/search``: a patient's appointments at many facilities, one page.

    ``facilityIds`` absent: every facility. ``cursor`` is the ``nextCursor`` of the page before,
    sent again with the same other fields.
    """

    patientId: str
    facilityIds: list[str] | None = Field(default=None, max_length=1000)
    pageSize: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None
