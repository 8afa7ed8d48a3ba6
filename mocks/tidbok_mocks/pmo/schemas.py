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
