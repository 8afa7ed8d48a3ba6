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
    """Shown on 1177. False: 1177 never shows it to a citizen (PASiS level 1; a PMO booking type
    not visible in the e-services)."""
    bookable: bool = False
    """The citizen may book it directly (R6: PASiS level 4; a PMO booking type bookable in the
    e-services). Implies visible."""
    changeable: bool = False
    """The citizen may cancel and rebook it (PASiS level 3 or 4; a PMO booking type flagged
    cancellable/rebookable). Implies visible."""

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
    """Which 1177 service this is."""
    name: str = Field(min_length=1)
    """The name citizens see: the unit's own, or else the system's
    (``SchedulingSystem.case_type_names``)."""
    terms: str = ""
    """The unit's terms text (villkorstext) for the service, which the citizen accepts before
    booking; empty if the unit wrote none."""


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
    BOOKINGS_ACROSS_UNITS = "bookings_across_units"
    """The backend lists a citizen's bookings at many of its units in one call: the adapter
    implements ``bookings_across_units`` and the schedule asks each such backend once instead of
    once per unit (a crm:scheduling producer is asked per unit)."""


class BackendUnit(Model):
    """A care unit as the scheduling system knows it (GetAllHealthcareFacilities)."""

    hsa_id: HsaId
    """The unit's HSA-id, upper-cased (so ``==`` compares it case-insensitively)."""
    name: str
    """The unit's name in the scheduling system."""


class TimeType(Model):
    """A clinic's category of slots, with the name citizens see (tidstyp)."""

    id: str = Field(min_length=1)
    """The system's id of the time type; slots and bookings name it in ``time_type_id``."""
    name: str
    """The name citizens see for the type (R11)."""
    access: Access1177 = Access1177()
    """What 1177 may do with the type's slots (PASiS: the type's default level; PMO: the booking
    type's flags); a slot may carry its own. The service lists only visible types to citizens.
    Default: not shown on 1177."""


class Slot(Model):
    """A free time at a unit: ``start`` inclusive, ``end`` exclusive."""

    id: str = Field(min_length=1)
    """The adapter's own id of the slot, opaque to tidbok: what ``get_slot``, ``book``
    (``NewBooking.slot_id``) and ``rebook`` get back."""
    unit: HsaId
    """The HSA-id of the unit the slot is at, upper-cased."""
    start: StockholmDatetime
    """When the slot starts (inclusive); aware, in Europe/Stockholm (naive ones are refused)."""
    end: StockholmDatetime
    """When the slot ends (exclusive); aware, in Europe/Stockholm, and after ``start``."""
    time_type_id: str
    """The id of the slot's time type (``TimeType.id``)."""
    time_type_name: str
    """The time type's name as citizens see it."""
    performer: str | None = None
    """Who the visit is with (e.g. a clinician's name), if the system tells."""
    resource: str | None = None
    """The room or other resource the visit uses, if the system tells."""
    access: Access1177 = Access1177()
    """The slot's own 1177 access as the system reports it (PASiS: the slot's level, which may
    differ from its type's). Report it as it is: the service filters what the citizen may see.
    Default: not shown on 1177."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if elapsed(self.start, self.end) <= timedelta(0):
            raise ValueError("a slot must end after it starts")
        return self


class BookedBy(StrEnum):
    """Who made a booking (R12: both kinds are shown)."""

    CITIZEN = "citizen"
    """The citizen made it via 1177 (or an agent acting for the citizen)."""
    STAFF = "staff"
    """Care staff made it in the scheduling system."""


class Permissions(Model):
    """What the citizen may do with a booking now (crm:scheduling flags; missing means false)."""

    cancel_booking_allowed: bool = False
    """The citizen may cancel the booking via 1177."""
    rebooking_allowed: bool = False
    """The citizen may move the booking to another slot via 1177."""
    message_allowed: bool = False
    """A message to the unit may go with a cancellation of the booking."""


class Booking(Model):
    """A slot reserved for a citizen, by the citizen or by care staff."""

    id: str = Field(min_length=1)
    """The adapter's own id of the booking, opaque to tidbok: what ``booking_details``, ``rebook``
    and ``cancel`` get back."""
    unit: HsaId
    """The HSA-id of the unit the booking is at, upper-cased."""
    subject_of_care: PersonalIdentityNumber
    """The citizen the booking is for."""
    start: StockholmDatetime
    """When the visit starts (inclusive); aware, in Europe/Stockholm (naive ones are refused)."""
    end: StockholmDatetime
    """When the visit ends (exclusive); aware, in Europe/Stockholm, and after ``start``."""
    time_type_id: str
    """The id of the booking's time type (``TimeType.id``)."""
    time_type_name: str
    """The time type's name as citizens see it."""
    performer: str | None = None
    """Who the visit is with (e.g. a clinician's name), if the system tells."""
    resource: str | None = None
    """The room or other resource the visit uses, if the system tells."""
    purpose: str | None = None
    """The unit's text about the visit."""
    reason: str | None = None
    """The citizen's own text about why they booked."""
    booked_by: BookedBy = BookedBy.STAFF
    """Who made the booking (R12). STAFF, the default, where the system cannot tell (no
    ``Capability.BOOKED_BY``); reading back a citizen's booking write looks for CITIZEN."""
    hidden: bool = False
    """The unit has chosen not to show this booking on 1177 (dold bokning)."""
    is_invitation: bool = False
    """The booking was made from an open invitation (öppen kallelse, R15; crm:scheduling's
    ``isInvitation``)."""
    access: Access1177 = Access1177(visible=True)
    """What 1177 may do with the booking (PASiS: its slot's level): not visible, it is never shown
    to the citizen; changeable, the citizen may cancel and rebook it within the rules. Default:
    visible only."""
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
    """The adapter's own id of the invitation (kallelse): what ``book_invitation`` gets back."""
    unit: HsaId
    """The HSA-id of the unit that sent the invitation, upper-cased."""
    subject_of_care: PersonalIdentityNumber
    """The invited citizen; no one else may see or book it."""
    title: str
    """A short heading for the invitation, shown to the citizen."""
    slots: tuple[Slot, ...]
    """The free slots the invitation offers; the citizen is offered only those visible on 1177 and
    inside the booking window."""
    purpose: str | None = None
    """The unit's text about the visit, if any."""
    used: bool = False
    """A slot has already been booked from this invitation; a second booking is refused."""


class OutcomeKind(StrEnum):
    """How a write went: OK, or INFO when a text must be shown to the citizen."""

    OK = "OK"
    """Done; nothing more to tell the citizen."""
    INFO = "INFO"
    """Done, and ``WriteOutcome.text`` must be shown to the citizen (e.g. "kom fastande"). A
    business failure is no outcome: the adapter raises a :class:`~tidbok.errors.BookingRefused`."""


class WriteOutcome(Model):
    """The outcome of a successful write. INFO carries a text the citizen must see."""

    kind: OutcomeKind = OutcomeKind.OK
    """OK, or INFO when ``text`` must be shown to the citizen."""
    text: str | None = None
    """The text for the citizen, as the system wrote it; required for INFO."""

    @model_validator(mode="after")
    def _info_has_text(self) -> Self:
        if self.kind is OutcomeKind.INFO and not self.text:
            raise ValueError("an INFO outcome needs a text for the citizen")
        return self


class BookingResult(Model):
    """A booking made or moved, with the outcome of the write."""

    booking: Booking
    """The booking as it is after the write: made, or moved to the new slot."""
    outcome: WriteOutcome = WriteOutcome()
    """How the write went: OK, or INFO with a text for the citizen."""


class NewBooking(Model):
    """What an adapter needs to book a slot (MakeBooking)."""

    slot_id: str = Field(min_length=1, max_length=200)
    """The slot to book: its ``Slot.id``, as the adapter reported it."""
    subject_of_care: PersonalIdentityNumber
    """The citizen to book for."""
    reason: str | None = Field(default=None, max_length=1000)
    """The citizen's own text about why they book, if any (at most 1000 characters)."""


class Caller(Model):
    """Who is asking: the citizen, or an agent (e.g. a 1177 nurse) acting for the citizen."""

    subject_of_care: PersonalIdentityNumber
    """The citizen the call is for."""
    agent_id: str | None = None
    """The id of an agent acting for the citizen (e.g. a 1177 nurse); None: the citizen acts."""
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
    """The unit's HSA-id, upper-cased."""
    name: str
    """The unit's name, as configured in tidbok's settings."""
    system: str
    """The name of the unit's scheduling system (``SchedulingSystem.name``, e.g. ``"pasis"``)."""
    case_types: tuple[CaseType, ...]
    """The case types the unit has activated (R5); none: the unit offers nothing via 1177."""

    def case_type(self, kind: CaseTypeKind) -> CaseType | None:
        """The activated case type of ``kind``, or None."""
        return next((case_type for case_type in self.case_types if case_type.kind is kind), None)


class UnitFailure(Model):
    """A unit that could not answer, reported instead of failing the whole answer (R7)."""

    unit: HsaId
    """The HSA-id of the unit that could not answer."""
    unit_name: str
    """The unit's name, for the citizen."""
    code: str
    """The stable code of the error it met (``TidbokError.code``, e.g. ``"backend_timeout"``)."""
    citizen_text: str
    """The Swedish text the citizen may be shown about it."""


class Schedule(Model):
    """A citizen's bookings gathered across units ("Bokade tider", R7, R12)."""

    bookings: tuple[Booking, ...]
    """The bookings 1177 may show the citizen, from every unit that answered; by start."""
    failed_units: tuple[UnitFailure, ...] = ()
    """The units that could not answer: their bookings are missing."""


class InvitationList(Model):
    """A citizen's open invitations gathered across units."""

    invitations: tuple[Invitation, ...]
    """The citizen's unused invitations from every unit that answered, each with only the slots
    1177 may offer now; an invitation with none left is left out."""
    failed_units: tuple[UnitFailure, ...] = ()
    """The units that could not answer: their invitations are missing."""
