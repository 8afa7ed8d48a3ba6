"""The ``resultText`` of every ``resultCode`` ERROR the mock answers (shown to the citizen).

docs/mocks/riv-api.md lists them; tests compare against these constants.
"""

from __future__ import annotations

SLOT_TAKEN = "Tiden är redan bokad."
"""No free slot with the requested start and end (taken, reserved, or never there)."""
TOO_CLOSE = "Tiden kan inte bokas så nära inpå."
"""The slot starts before the booking window opens (by default: before tomorrow)."""
INVITATION_USED = "Kallelsen är redan bokad."
"""MakeBooking against an invitation that a booking already used."""
UNKNOWN_BOOKING = "Bokningen finns inte."
"""An invitation or booking id the unit does not know for this citizen (or a cancelled one)."""
NOT_CHANGEABLE = "Bokningen kan inte ändras via nätet."
"""The booking may not be changed online (hidden, not changeable, or past the change cut-off)."""
NOT_BOOKABLE = "Tiden kan inte bokas via nätet."
"""The slot's time type is not bookable online."""

ALL = (SLOT_TAKEN, TOO_CLOSE, INVITATION_USED, UNKNOWN_BOOKING, NOT_CHANGEABLE, NOT_BOOKABLE)
"""Every ERROR text."""
