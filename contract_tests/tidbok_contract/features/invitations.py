"""Open invitations (öppen kallelse, R15), for systems declaring OPEN_INVITATIONS."""

from __future__ import annotations

import pytest

from tidbok.errors import InvitationAlreadyUsed, NotFound
from tidbok.events import ActivityKind
from tidbok.models import Capability
from tidbok_contract.features.base import ContractTests
from tidbok_contract.markers import requires
from tidbok_contract.scenario import CITIZEN, NOT_SHOWN, SHOWN_ONLY, UNIT


@requires(Capability.OPEN_INVITATIONS)
class InvitationTests(ContractTests):
    """The unit invites a chosen citizen to pick one of a few slots; only once."""

    feature = "invitations"
    rules = ("R15",)

    async def test_invitation_is_listed_with_its_slots(self) -> None:
        """The invited citizen sees the invitation and the slots it offers."""
        starts = [self.far(10), self.far(11)]
        seeded = await self.scenario.invitation(starts)
        listing = await self.service.invitations(self.citizen)
        assert listing.failed_units == ()
        (invitation,) = listing.invitations
        assert invitation.id == seeded.id
        assert invitation.unit == UNIT
        assert invitation.subject_of_care == CITIZEN
        assert {slot.id for slot in invitation.slots} == set(seeded.slot_ids)
        assert sorted(slot.start for slot in invitation.slots) == starts
        assert not invitation.used

    async def test_invitation_slots_kept_off_1177_are_neither_listed_nor_bookable(self) -> None:
        """R6: slots not visible on 1177 (PASiS level 1) are not listed and answer NotFound; slots
        only visible (PASiS level 2) are listed and booked through the invitation."""
        kept_off = await self.scenario.invitation([self.far(10)], access=NOT_SHOWN)
        shown = await self.scenario.invitation([self.far(12)], access=SHOWN_ONLY)
        listing = await self.service.invitations(self.citizen)
        assert [inv.id for inv in listing.invitations] == [shown.id]
        (slot_id,) = kept_off.slot_ids
        with pytest.raises(NotFound):
            await self.service.book_invitation(
                self.citizen, UNIT, kept_off.id, slot_id, accept_terms=True
            )
        assert await self.citizen_records() == []
        (slot_id,) = shown.slot_ids
        result = await self.service.book_invitation(
            self.citizen, UNIT, shown.id, slot_id, accept_terms=True
        )
        assert result.booking.start == self.far(12)
        assert [record.start for record in await self.citizen_records()] == [self.far(12)]

    async def test_book_one_slot_of_an_invitation(self) -> None:
        """Booking one slot makes a real booking, marked as an invitation, with an activity."""
        start = self.far(10)
        seeded = await self.scenario.invitation([start, self.far(11)])
        slot_id = next(
            slot.id
            for inv in (await self.service.invitations(self.citizen)).invitations
            for slot in inv.slots
            if slot.start == start
        )
        result = await self.service.book_invitation(
            self.citizen, UNIT, seeded.id, slot_id, accept_terms=True
        )
        assert result.booking.start == start
        assert result.booking.subject_of_care == CITIZEN
        assert result.booking.is_invitation
        assert [record.start for record in await self.citizen_records()] == [start]
        assert [a.kind for a in self.activities.activities] == [ActivityKind.INVITATION_BOOKED]

    async def test_second_booking_of_an_invitation_gives_already_used(self) -> None:
        """The exact error for booking the same invitation twice: InvitationAlreadyUsed."""
        seeded = await self.scenario.invitation([self.far(10), self.far(11)])
        first, second = seeded.slot_ids
        await self.service.book_invitation(self.citizen, UNIT, seeded.id, first, accept_terms=True)
        with pytest.raises(InvitationAlreadyUsed):
            await self.service.book_invitation(
                self.citizen, UNIT, seeded.id, second, accept_terms=True
            )
        assert len(await self.citizen_records()) == 1

    async def test_used_invitation_is_no_longer_listed(self) -> None:
        """Once used, the invitation leaves the citizen's list."""
        seeded = await self.scenario.invitation([self.far(10)])
        await self.service.book_invitation(
            self.citizen, UNIT, seeded.id, seeded.slot_ids[0], accept_terms=True
        )
        assert (await self.service.invitations(self.citizen)).invitations == ()

    async def test_another_citizen_can_neither_see_nor_book_it(self) -> None:
        """Care decides who may book: another citizen gets NotFound."""
        seeded = await self.scenario.invitation([self.far(10)])
        assert (await self.service.invitations(self.other)).invitations == ()
        with pytest.raises(NotFound):
            await self.service.book_invitation(
                self.other, UNIT, seeded.id, seeded.slot_ids[0], accept_terms=True
            )
        assert await self.citizen_records(caller=self.other) == []
