"""Hypothesis settings for the property tests: deterministic and bounded, so CI is repeatable.

The ``tidbok-ci`` profile derandomizes generation (the same examples on every run, no example
database written into the work tree) and keeps each property modest; set
``HYPOTHESIS_PROFILE=tidbok-explore`` locally to search much harder with fresh randomness.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "tidbok-ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "tidbok-explore",
    derandomize=False,
    deadline=None,
    max_examples=5_000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "tidbok-ci"))
