"""Domain models, named from the glossary (shared/domain.md).

All models are pydantic v2, immutable, and every datetime is aware and in Europe/Stockholm.
Adapters build these from their system's wire format; the service and the gateway pass them on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from tidbok.clock import elapsed, to_stockholm
from tidbok.identity import HsaId, PersonalIdentityNumber

#: An aware datetime, converted to Europe/Stockholm. Naive datetimes are refused.
StockholmDatetime = Annotated[AwareDatetime, AfterValidator(to_stockholm)]


class Model(BaseModel):
    """Base for tidbok's models: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Access1177(Model):
    """What 1177 may do with a time type, slot or booking (R6, R13).

    ``visible``: shown on 1177; ``bookable``: the citizen may book it directly;
    ``changeable``: the citizen may cancel or rebook it. Bookable or changeable implies visible.
    """

    visible: bool = False
    bookable: bool = False
    changeable: bool = False

    @model_validator(mode="after")
    def _implies_visible(self) -> Self:
        if (self.bookable or self.changeable) and not self.visible:
            raise ValueError("a bookable or changeable item must be visible on 1177")
        return self


class CaseTypeKind(StrEnum):
    """The 1177 services (ärendetyper) a unit can activate (R5)."""

    BOOK = "book"
    """Book a time directly ("Boka tid direkt" / "Boka tid")."""
    MANAGE = "manage"
    """See, cancel and rebook booked times ("Bokade tider, av- och omboka")."""
    VIEW = "view"
    """Only see booked times ("Bokade tider")."""


class CaseType(Model):
    """A case type activated at one unit: its kind, the unit's name for it and its terms text."""

    kind: CaseTypeKind
    name: str = Field(min_length=1)
    terms: str = ""


class Capability(StrEnum):
    """Optional features a scheduling system may support; the contract suite skips by these."""

    OPEN_INVITATIONS = "open_invitations"
    """Open invitations (öppen kallelse, R15)."""
    MESSAGE_ON_CANCEL = "message_on_cancel"
    """A message to the unit can go with a cancellation."""
    SAME_DAY_BOOKING = "same_day_booking"
    """New bookings may be made for later the same day (R8)."""
    IDEMPOTENT_WRITES = "idempotent_writes"
    """The backend deduplicates retried writes itself (an idempotency key)."""
    ACCESS_LEVELS = "access_levels"
    """The backend reports every time type and slot with its 1177 access as it is (visible,
    bookable, changeable), not only what is bookable online; a crm:scheduling producer lists
    bookable types and free bookable slots only, so a slot not bookable via 1177 looks taken."""
    BOOKED_BY = "booked_by"
    """The backend tells bookings the citizen made from those staff made (R12 marks them)."""


class BackendUnit(Model):
    """A care unit as the scheduling system knows it (GetAllHealthcareFacilities)."""

    hsa_id: HsaId
    name: str


class TimeType(Model):
    """A clinic's category of slots, with the name citizens see (tidstyp)."""

    id: str = Field(min_length=1)
    name: str
    access: Access1177 = Access1177()


class Slot(Model):
    """A free time at a unit: ``start`` inclusive, ``end`` exclusive."""

    id: str = Field(min_length=1)
    unit: HsaId
    start: StockholmDatetime
    end: StockholmDatetime
    time_type_id: str
    time_type_name: str
    performer: str | None = None
    resource: str | None = None
    access: Access1177 = Access1177()

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if elapsed(self.start, self.end) <= timedelta(0):
            raise ValueError("a slot must end after it starts")
        return self


class BookedBy(StrEnum):
    """Who made a booking (R12: both kinds are shown)."""

    CITIZEN = "citizen"
    STAFF = "staff"


class Permissions(Model):
    """What the citizen may do with a booking now (crm:scheduling flags; missing means false)."""

    cancel_booking_allowed: bool = False
    rebooking_allowed: bool = False
    message_allowed: bool = False


class Booking(Model):
    """A slot reserved for a citizen, by the citizen or by care staff."""

    id: str = Field(min_length=1)
    unit: HsaId
    subject_of_care: PersonalIdentityNumber
    start: StockholmDatetime
    end: StockholmDatetime
    time_type_id: str
    time_type_name: str
    performer: str | None = None
    resource: str | None = None
    purpose: str | None = None
    """The unit's text about the visit."""
    reason: str | None = None
    """The citizen's own text about why they booked."""
    booked_by: BookedBy = BookedBy.STAFF
    hidden: bool = False
    """The unit has chosen not to show this booking on 1177 (dold bokning)."""
    is_invitation: bool = False
    access: Access1177 = Access1177(visible=True)
    permissions: Permissions = Permissions()
    """Computed by the service from the rules; adapters leave the default."""
    backend_permissions: Permissions | None = None
    """The backend's own flags for this booking, where its API has them (crm:scheduling): the
    service never offers more than they allow. None: the rules alone decide."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if elapsed(self.start, self.end) <= timedelta(0):
            raise ValueError("a booking must end after it starts")
        return self


class Invitation(Model):
    """An open invitation (öppen kallelse, R15): the unit offers a citizen a few slots."""

    id: str = Field(min_length=1)
    unit: HsaId
    subject_of_care: PersonalIdentityNumber
    title: str
    slots: tuple[Slot, ...]
    purpose: str | None = None
    used: bool = False


class OutcomeKind(StrEnum):
    """How a write went: OK, or INFO when a text must be shown to the citizen."""

    OK = "OK"
    INFO = "INFO"


class WriteOutcome(Model):
    """The outcome of a successful write. INFO carries a text the citizen must see."""

    kind: OutcomeKind = OutcomeKind.OK
    text: str | None = None

    @model_validator(mode="after")
    def _info_has_text(self) -> Self:
        if self.kind is OutcomeKind.INFO and not self.text:
            raise ValueError("an INFO outcome needs a text for the citizen")
        return self


class BookingResult(Model):
    """A booking made or moved, with the outcome of the write."""

    booking: Booking
    outcome: WriteOutcome = WriteOutcome()


class NewBooking(Model):
    """What an adapter needs to book a slot (MakeBooking)."""

    slot_id: str = Field(min_length=1, max_length=200)
    subject_of_care: PersonalIdentityNumber
    reason: str | None = Field(default=None, max_length=1000)


class Caller(Model):
    """Who is asking: the citizen, or an agent (e.g. a 1177 nurse) acting for the citizen."""

    subject_of_care: PersonalIdentityNumber
    agent_id: str | None = None
    given_name: str | None = Field(default=None, min_length=1, max_length=200, repr=False)
    """The citizen's first name(s) from the population register, when the platform sends them
    (crm:scheduling's MakeBooking requires them); personal data, never logged."""
    family_name: str | None = Field(default=None, min_length=1, max_length=200, repr=False)
    """The citizen's last name, likewise."""

    @property
    def is_agent(self) -> bool:
        """Whether an agent acts on the citizen's behalf."""
        return self.agent_id is not None


def overlaps(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> bool:
    """Whether ``[start, end)`` overlaps ``[window_start, window_end)``."""
    return elapsed(start, window_end) > timedelta(0) and elapsed(window_start, end) > timedelta(0)


class ActiveUnit(Model):
    """A unit where 1177 tidbokning is active, with its activated case types."""

    hsa_id: HsaId
    name: str
    system: str
    case_types: tuple[CaseType, ...]

    def case_type(self, kind: CaseTypeKind) -> CaseType | None:
        """The activated case type of ``kind``, or None."""
        return next((case_type for case_type in self.case_types if case_type.kind is kind), None)


class UnitFailure(Model):
    """A unit that could not answer, reported instead of failing the whole answer (R7)."""

    unit: HsaId
    unit_name: str
    code: str
    citizen_text: str


class Schedule(Model):
    """A citizen's bookings gathered across units ("Bokade tider", R7, R12)."""

    bookings: tuple[Booking, ...]
    failed_units: tuple[UnitFailure, ...] = ()


class InvitationList(Model):
    """A citizen's open invitations gathered across units."""

    invitations: tuple[Invitation, ...]
    failed_units: tuple[UnitFailure, ...] = ()
