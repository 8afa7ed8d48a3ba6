"""Vendor-declared known failures: a file, a class mapping or a marker, always with a reason.

The file given to ``--tidbok-known-failures`` is TOML::

    [known-failures]
    "BookingTests::test_slot_taken_gives_slot_taken" = "Backend 4.2 answers 404; fixed in 4.3"
    "test_dst_ambiguous_hour_slot" = "No offset on the wire until API v2"

A key matches a test by its name, ``Class::name`` (the base class or the concrete class), or the
end of its node id. Each match becomes a strict xfail carrying the reason.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

from tidbok_contract.markers import KNOWN_FAILURE


class KnownFailuresError(ValueError):
    """The known-failures file is malformed."""


def load(path: str | Path) -> dict[str, str]:
    """Read a known-failures TOML file into ``{test key: reason}``."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KnownFailuresError(f"cannot read known failures from {path}: {error}") from None
    table = data.get("known-failures", {})
    if not isinstance(table, dict):
        raise KnownFailuresError(f"{path}: [known-failures] must be a table")
    entries: dict[str, str] = {}
    for key, reason in table.items():
        if not isinstance(reason, str) or not reason.strip():
            raise KnownFailuresError(f"{path}: known failure {key!r} needs a written reason")
        entries[key] = reason
    return entries


def keys_of(item: pytest.Item) -> set[str]:
    """Every key that names ``item`` in a known-failures declaration."""
    name = getattr(item, "originalname", None) or item.name
    keys = {name, item.nodeid}
    cls = getattr(item, "cls", None)
    if cls is not None:
        keys.update(f"{klass.__name__}::{name}" for klass in cls.__mro__)
    return keys


def reason_for(item: pytest.Item, declared: Mapping[str, str]) -> str | None:
    """The reason ``item`` is a known failure, from the file, its class or its marker."""
    marker = item.get_closest_marker(KNOWN_FAILURE)
    if marker is not None and marker.args:
        return str(marker.args[0])
    cls = getattr(item, "cls", None)
    class_declared: Mapping[str, str] = getattr(cls, "known_failures", {}) if cls else {}
    name = getattr(item, "originalname", None) or item.name
    if name in class_declared:
        return class_declared[name]
    keys = keys_of(item)
    for key, reason in declared.items():
        if key in keys or item.nodeid.endswith(key):
            return reason
    return None


def apply(items: list[pytest.Item], declared: Mapping[str, str]) -> None:
    """Turn every declared known failure into a strict xfail with its reason."""
    for item in items:
        reason = reason_for(item, declared)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"known failure: {reason}", strict=True))
