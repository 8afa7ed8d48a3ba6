"""Hardening tests (issue 12): each would have caught one of the holes it names."""
