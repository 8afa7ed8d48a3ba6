"""A vendor's mistake, kept for tests: "no cut-off" written as None (not a duration)."""

from __future__ import annotations

from tidbok import EarliestBooking, SystemRules

RULES = SystemRules(earliest_booking=EarliestBooking.NEXT_DAY, change_cutoff=None)
