"""The PASiS API's JSON shapes, as small pydantic models (Swedish field names, as on the wire).

Unknown fields are ignored (PASiS may add fields); missing or wrong-typed fields make the answer a
:class:`tidbok.errors.BackendProtocolError` through :func:`tidbok.wire.parse_model`. Times are
Stockholm wall-clock times without offset; they are parsed into aware datetimes here, so nothing
past this module ever sees a naive datetime.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tidbok import LocalTimestamp, PersonalIdentityNumber

ItemT = TypeVar("ItemT")


LocalTime = LocalTimestamp
"""A PASiS time (``2026-11-27T10:00:00``, Stockholm, no offset) as an aware datetime."""

Niva1177 = Literal[1, 2, 3, 4]
"""PASiS's 1177 level of a slot: 1 not shown .. 4 bookable directly."""


class PasisRecord(BaseModel):
    """Base of the PASiS records: frozen, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Enhet(PasisRecord):
    """A care unit (vårdenhet)."""

    hsaId: str = Field(min_length=1)
    namn: str


class Tidstyp(PasisRecord):
    """A time type with its default 1177 level."""

    tidstypId: str = Field(min_length=1)
    namn: str
    standardniva1177: Niva1177


class Tid(PasisRecord):
    """A slot (tid): start inclusive, ``slut`` exclusive."""

    tidId: str = Field(min_length=1)
    hsaId: str = Field(min_length=1)
    tidstypId: str
    tidstypNamn: str
    start: LocalTime
    slut: LocalTime
    utforare: str | None = None
    resurs: str | None = None
    niva1177: Niva1177


class KallelseTid(Tid):
    """A slot offered by an invitation, with whether it is still free."""

    ledig: bool


class Bokning(Tid):
    """A booking, active (``BOKAD``) or cancelled (``AVBOKAD``), with the slot (tid) it holds."""

    bokningsId: str = Field(min_length=1)
    personnummer: PersonalIdentityNumber
    syfte: str | None = None
    orsak: str | None = None
    bokadAv: Literal["personal", "invanare"]
    dold: bool
    status: Literal["BOKAD", "AVBOKAD"]
    kallelseId: str | None = None


class Kallelse(PasisRecord):
    """An open invitation (öppen kallelse) with the slots it offers."""

    kallelseId: str = Field(min_length=1)
    hsaId: str = Field(min_length=1)
    personnummer: PersonalIdentityNumber
    syfte: str | None = None
    status: Literal["OPPEN", "BOKAD"]
    bokningsId: str | None = None
    tider: list[KallelseTid]


class Sida(PasisRecord, Generic[ItemT]):
    """One page of a PASiS list: ``{"totalt", "offset", "limit", "poster"}``."""

    totalt: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)
    poster: list[ItemT]


class Felsvar(PasisRecord):
    """PASiS's error body ``{"felkod", "meddelande"}``."""

    felkod: str
    meddelande: str = ""


# Request bodies --------------------------------------------------------------------------------


class BokaIn(BaseModel):
    """``POST /enheter/{hsaId}/bokningar`` and ``POST /kallelser/{id}/bokning``."""

    tidId: str
    personnummer: str
    orsak: str | None = None


class OmbokaIn(BaseModel):
    """``POST /bokningar/{id}/omboka``."""

    nyTidId: str
    personnummer: str


class AvbokaIn(BaseModel):
    """``POST /bokningar/{id}/avboka``."""

    personnummer: str
    meddelande: str | None = None
