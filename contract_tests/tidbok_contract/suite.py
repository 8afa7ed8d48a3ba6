"""The collectable contract suite: one ``Test*`` class per feature.

A vendor's own test module can run the whole suite with::

    from tidbok_contract.suite import *  # noqa: F403

and override a test by subclassing a base class from :mod:`tidbok_contract.features` instead.
"""

from __future__ import annotations

from tidbok_contract.features.across_units import AcrossUnitsTests
from tidbok_contract.features.activity import InboxMessageTests
from tidbok_contract.features.booking import BookingTests
from tidbok_contract.features.cancel_rebook import CancelRebookTests
from tidbok_contract.features.cutoff import CutoffTests
from tidbok_contract.features.invitations import InvitationTests
from tidbok_contract.features.permissions import PermissionTests
from tidbok_contract.features.resilience import ResilienceTests
from tidbok_contract.features.search import SearchTests
from tidbok_contract.features.time_zones import TimeZoneTests
from tidbok_contract.features.units import CaseTypeTests, UnitTests
from tidbok_contract.features.visibility import VisibilityTests
from tidbok_contract.features.window import BookingWindowTests

__all__ = [
    "TestAcrossUnits",
    "TestBooking",
    "TestBookingWindow",
    "TestCancelRebook",
    "TestCaseTypes",
    "TestCutoff",
    "TestInboxMessages",
    "TestInvitations",
    "TestPermissions",
    "TestResilience",
    "TestSearch",
    "TestTimeZones",
    "TestUnits",
    "TestVisibility",
]


class TestUnits(UnitTests):
    """Units and time types."""


class TestCaseTypes(CaseTypeTests):
    """Case types (R5)."""


class TestSearch(SearchTests):
    """Searching slots."""


class TestBooking(BookingTests):
    """Booking directly."""


class TestBookingWindow(BookingWindowTests):
    """Same-day / next-day booking window."""


class TestCancelRebook(CancelRebookTests):
    """Cancel and rebook."""


class TestCutoff(CutoffTests):
    """Cancel/rebook cut-off."""


class TestPermissions(PermissionTests):
    """Permission flags."""


class TestVisibility(VisibilityTests):
    """Bokade tider."""


class TestInvitations(InvitationTests):
    """Open invitations."""


class TestAcrossUnits(AcrossUnitsTests):
    """Bookings across units."""


class TestInboxMessages(InboxMessageTests):
    """Inbox messages."""


class TestTimeZones(TimeZoneTests):
    """Daylight saving."""


class TestResilience(ResilienceTests):
    """Faults."""


#: Every feature of the suite in report order: (feature key, base class).
FEATURES = [
    (cls.feature, cls)
    for cls in (
        UnitTests,
        CaseTypeTests,
        SearchTests,
        BookingTests,
        BookingWindowTests,
        CancelRebookTests,
        CutoffTests,
        PermissionTests,
        VisibilityTests,
        AcrossUnitsTests,
        InvitationTests,
        InboxMessageTests,
        TimeZoneTests,
        ResilienceTests,
    )
]
