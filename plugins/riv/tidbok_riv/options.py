"""A crm:scheduling backend's own settings: ``[backends.NAME.options]`` (docs/plugins/riv.md).

The contract carries no booking windows, so the backend's settings say what the producer's units
allow; the producer's permission flags stay authoritative for each booking.
"""

from __future__ import annotations

import ssl
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tidbok import Capability, EarliestBooking, PersonalIdentityNumber, SystemRules
from tidbok.crm import OPERATION_NAMES

#: The operations a producer may leave out (TKB §3.1.8: optional, or only for some flows).
OPTIONAL_OPERATIONS = frozenset(
    {"GetAllCareTypes", "GetAllPerformers", "GetAllHealthcareFacilities"}
)

#: What a ``result_texts`` entry may map a producer's ERROR text to.
RefusalCode = Literal[
    "slot_taken",
    "outside_booking_window",
    "not_available_via_1177",
    "not_found",
    "invitation_already_used",
    "invalid_input",
]


class RivOptions(BaseModel):
    """Settings of one crm:scheduling producer; every field has a documented default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: str = "{base_url}/{operation}/1/rivtabp21"
    """URL of each operation's endpoint; ``{base_url}`` and ``{operation}`` are filled in
    (NTjP style: ``https://host/vp/{operation}/1/rivtabp21``)."""
    earliest_booking: EarliestBooking = EarliestBooking.NEXT_DAY
    """The earliest day the producer's units take a new booking for."""
    change_cutoff_hours: float = Field(default=24.0, ge=0)
    """Cancel and rebook are offered until this many hours before the start."""
    message_on_cancel: bool = True
    """The producer takes a message with a cancellation (still only where ``message_allowed``)."""
    operations: frozenset[str] = frozenset(OPERATION_NAMES)
    """The operations the producer offers; the optional ones may be left out."""
    consumer_hsa_id: str = "SE5565594230-1177"
    """tidbok's own HSA-id, sent as the agent in lookups made without a citizen."""
    lookup_subject_of_care: PersonalIdentityNumber = PersonalIdentityNumber("191212121212")
    """The citizen named in lookups made without one (readiness probes, the overview): the
    contract requires one, and an agent's lookups must not depend on it (TKB §3.5)."""
    unknown_name: str = Field(default="Okänd", min_length=1)
    """Sent as first and last name when the caller's register names are not known."""
    result_texts: dict[str, RefusalCode] = Field(default_factory=dict)
    """The producer's own ERROR texts and what they mean (besides tidbok's own texts)."""
    client_certificate: Path | None = None
    """Client certificate chain (PEM) for mutual TLS."""
    client_key: Path | None = None
    """The client certificate's private key (PEM, unencrypted)."""
    ca_bundle: Path | None = None
    """CA bundle (PEM) that signs the producer's certificate; None: the system's CAs."""

    @field_validator("operations")
    @classmethod
    def _known_and_complete(cls, operations: frozenset[str]) -> frozenset[str]:
        unknown = operations - set(OPERATION_NAMES)
        if unknown:
            raise ValueError(f"unknown operations: {', '.join(sorted(unknown))}")
        missing = set(OPERATION_NAMES) - OPTIONAL_OPERATIONS - operations
        if missing:
            raise ValueError(f"these operations are mandatory: {', '.join(sorted(missing))}")
        return operations

    @model_validator(mode="after")
    def _key_with_certificate(self) -> RivOptions:
        if (self.client_certificate is None) != (self.client_key is None):
            raise ValueError("client_certificate and client_key are set together")
        if "{operation}" not in self.endpoint:
            raise ValueError("endpoint must contain {operation}")
        return self

    @property
    def rules(self) -> SystemRules:
        """The booking rules these settings declare."""
        return SystemRules(
            earliest_booking=self.earliest_booking,
            change_cutoff=timedelta(hours=self.change_cutoff_hours),
        )

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What this producer supports, from the settings."""
        capabilities: set[Capability] = set()
        if self.message_on_cancel:
            capabilities.add(Capability.MESSAGE_ON_CANCEL)
        if self.earliest_booking is EarliestBooking.SAME_DAY:
            capabilities.add(Capability.SAME_DAY_BOOKING)
        return frozenset(capabilities)

    def url(self, base_url: str, operation: str) -> str:
        """The endpoint URL of ``operation``."""
        return self.endpoint.format(base_url=base_url.rstrip("/"), operation=operation)

    def tls_context(self) -> ssl.SSLContext | bool:
        """How the producer's certificate is checked, with the client certificate if any."""
        if self.client_certificate is None and self.ca_bundle is None:
            return True
        context = ssl.create_default_context(
            cafile=str(self.ca_bundle) if self.ca_bundle is not None else None
        )
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.client_certificate is not None and self.client_key is not None:
            context.load_cert_chain(str(self.client_certificate), str(self.client_key))
        return context
