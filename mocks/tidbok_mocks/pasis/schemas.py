"""PASiS request bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PasisBody(BaseModel):
    """PASiS ignores unknown fields, like many vendor APIs."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class BokaIn(PasisBody):
    """``POST /enheter/{hsaId}/bokningar`` and ``POST /kallelser/{kallelseId}/bokning``."""

    tidId: str = Field(min_length=1, max_length=64)
    personnummer: str
    orsak: str = Field(default="", max_length=1000)


class OmbokaIn(PasisBody):
    """``POST /bokningar/{bokningsId}/omboka``."""

    nyTidId: str = Field(min_length=1, max_length=64)
    personnummer: str


class AvbokaIn(PasisBody):
    """``POST /bokningar/{bokningsId}/avboka``; ``meddelande`` goes to the unit."""

    personnummer: str
    meddelande: str | None = Field(default=None, max_length=1000)
