"""Opaque, unit-qualified ids for bookings and invitations.

The API never shows a backend's own id alone: ``SE2321000016-1234`` plus backend id ``bk-17``
becomes the URL-safe base64 text of ``SE2321000016-1234|bk-17`` (without padding). Clients treat it
as opaque. Decoding anything else raises :class:`~tidbok.errors.NotFound`, as for an unknown id.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from tidbok.errors import NotFound
from tidbok.identity import normalize_hsa_id

_SEPARATOR = "|"
_MAX_LENGTH = 600


@dataclass(frozen=True)
class UnitQualifiedId:
    """A backend id together with the HSA-id of the unit that holds it."""

    unit: str
    backend_id: str

    def encode(self) -> str:
        """The opaque form shown in the API."""
        raw = f"{self.unit}{_SEPARATOR}{self.backend_id}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def encode_id(unit: str, backend_id: str) -> str:
    """The opaque API id of ``backend_id`` at ``unit``."""
    return UnitQualifiedId(normalize_hsa_id(unit), backend_id).encode()


def decode_id(opaque: str, what: str = "booking") -> UnitQualifiedId:
    """Split an opaque API id into unit and backend id; NotFound for anything malformed."""
    if not opaque or len(opaque) > _MAX_LENGTH:
        raise NotFound(f"malformed {what} id")
    try:
        raw = base64.urlsafe_b64decode(opaque + "=" * (-len(opaque) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise NotFound(f"malformed {what} id") from None
    unit, separator, backend_id = raw.partition(_SEPARATOR)
    if not separator or not backend_id or not backend_id.isprintable():
        raise NotFound(f"malformed {what} id")
    try:
        return UnitQualifiedId(normalize_hsa_id(unit), backend_id)
    except ValueError:
        raise NotFound(f"malformed {what} id") from None
