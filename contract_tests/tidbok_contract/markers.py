"""Markers a vendor can put on contract tests: capability requirements and known failures.

* ``@requires(Capability.OPEN_INVITATIONS)`` marks a test that only applies to systems declaring
  the capability; for other systems it is skipped as "not applicable" with the reason.
* ``@known_failure("reason")`` (or a ``known_failures`` mapping on a subclass, or the
  ``--tidbok-known-failures`` file) declares that a test is expected to fail, with a written
  reason. It is a strict xfail: a known failure that starts passing is reported so the declaration
  is removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from tidbok.models import Capability

F = TypeVar("F", bound=Callable[..., Any])

REQUIRES = "tidbok_requires"
KNOWN_FAILURE = "tidbok_known_failure"

MARKER_HELP = {
    REQUIRES: f"{REQUIRES}(*capabilities): the contract test applies only to systems declaring "
    "every capability",
    KNOWN_FAILURE: f"{KNOWN_FAILURE}(reason): the vendor declares a known contract failure",
}


def requires(*capabilities: Capability) -> pytest.MarkDecorator:
    """Mark a contract test as applying only to systems with all ``capabilities``."""
    return getattr(pytest.mark, REQUIRES)(*capabilities)


def known_failure(reason: str) -> pytest.MarkDecorator:
    """Declare a contract test a known failure of this plugin; ``reason`` is required."""
    if not reason.strip():
        raise ValueError("a known failure needs a written reason")
    return getattr(pytest.mark, KNOWN_FAILURE)(reason)


def missing_capabilities(item: pytest.Item, declared: frozenset[Capability]) -> list[Capability]:
    """The capabilities the item's ``tidbok_requires`` markers ask for that are not declared."""
    missing: list[Capability] = []
    for marker in item.iter_markers(REQUIRES):
        missing.extend(cap for cap in marker.args if cap not in declared and cap not in missing)
    return missing
