"""tidbok: connects the 1177 patient portal to care units' scheduling systems.

This module is the stable surface for plugin authors and embedders: everything a scheduling-system
plugin needs is importable from ``tidbok`` itself (``from tidbok import hookimpl, SchedulingSystem,
Slot, SlotTaken, ...``). Names reached only through a submodule (``tidbok.service``,
``tidbok.gateway``, ``tidbok.plugins``, ``tidbok.backend_http``, ...) are internal: they may change
between releases without notice. The embedder's facade is :class:`BookingService`, exported here.

See ``docs/plugin-authors.md`` for writing a plugin and ``docs/architecture.md`` for the map.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import pluggy

try:
    __version__ = version("tidbok")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

#: Decorator for plugin hook implementations: ``@tidbok.hookimpl``.
hookimpl = pluggy.HookimplMarker("tidbok")

#: Where each public name lives. Imported on first use (PEP 562): ``import tidbok.clock`` does not
#: load the whole core (HTTP client, service), and every name stays importable from here.
_PUBLIC = {
    "acting_caller": "tidbok.acting",
    "may_book_start": "tidbok.rules",
    "Access1177": "tidbok.models",
    "ActiveUnit": "tidbok.models",
    "ActivityIntent": "tidbok.events",
    "ActivityKind": "tidbok.events",
    "AdapterContext": "tidbok.adapter",
    "BackendHttp": "tidbok.backend_http",
    "BackendProtocolError": "tidbok.errors",
    "BackendSettings": "tidbok.settings",
    "BackendTimeout": "tidbok.errors",
    "BackendUnavailable": "tidbok.errors",
    "BackendUnit": "tidbok.models",
    "BookedBy": "tidbok.models",
    "Booking": "tidbok.models",
    "BookingActivity": "tidbok.events",
    "BookingRefused": "tidbok.errors",
    "BookingResult": "tidbok.models",
    "BookingService": "tidbok.service",
    "Caller": "tidbok.models",
    "Capability": "tidbok.models",
    "CaseType": "tidbok.models",
    "CaseTypeKind": "tidbok.models",
    "CaseTypeNotActive": "tidbok.errors",
    "ClientCredentialsAuth": "tidbok.oauth",
    "Clock": "tidbok.clock",
    "Commands": "tidbok.commands",
    "EarliestBooking": "tidbok.rules",
    "FakeTimer": "tidbok.clock",
    "FrozenClock": "tidbok.clock",
    "HsaId": "tidbok.identity",
    "HttpSchedulingAdapter": "tidbok.adapter",
    "InvalidInput": "tidbok.errors",
    "Invitation": "tidbok.models",
    "InvitationAlreadyUsed": "tidbok.errors",
    "InvitationList": "tidbok.models",
    "LocalTimestamp": "tidbok.wire",
    "NewBooking": "tidbok.models",
    "NotAvailableVia1177": "tidbok.errors",
    "NotFound": "tidbok.errors",
    "OutcomeKind": "tidbok.models",
    "OutcomeUnknown": "tidbok.errors",
    "OutsideBookingWindow": "tidbok.errors",
    "Permissions": "tidbok.models",
    "RefusedByUnit": "tidbok.errors",
    "PersonalIdentityNumber": "tidbok.identity",
    "ResilienceSettings": "tidbok.settings",
    "STOCKHOLM": "tidbok.clock",
    "Schedule": "tidbok.models",
    "SchedulingAdapter": "tidbok.adapter",
    "SchedulingSystem": "tidbok.adapter",
    "Slot": "tidbok.models",
    "SlotLevel": "tidbok.overview",
    "SlotTaken": "tidbok.errors",
    "SystemClock": "tidbok.clock",
    "SystemNotInstalled": "tidbok.routing",
    "SystemRules": "tidbok.rules",
    "SystemTimer": "tidbok.clock",
    "TechnicalFault": "tidbok.errors",
    "TermsNotAccepted": "tidbok.errors",
    "TidbokError": "tidbok.errors",
    "TidbokSettings": "tidbok.settings",
    "TimeType": "tidbok.models",
    "TimeTypeOverview": "tidbok.overview",
    "Timer": "tidbok.clock",
    "UnitFailure": "tidbok.models",
    "UnitOverview": "tidbok.overview",
    "UtcTimestamp": "tidbok.wire",
    "WireModel": "tidbok.wire",
    "WriteOutcome": "tidbok.models",
    "build_models": "tidbok.wire",
    "collect_pages": "tidbok.wire",
    "instant": "tidbok.clock",
    "load_settings": "tidbok.settings",
    "page_model": "tidbok.wire",
    "parse_json": "tidbok.wire",
    "parse_model": "tidbok.wire",
    "parse_response": "tidbok.wire",
    "path_segment": "tidbok.wire",
    "local_span": "tidbok.wire",
    "stockholm_to_utc": "tidbok.wire",
    "to_stockholm": "tidbok.clock",
    "translate_error": "tidbok.wire",
    "wire_slot": "tidbok.wire",
    "write_with_readback": "tidbok.backend_http",
}

if TYPE_CHECKING:
    from tidbok.acting import acting_caller
    from tidbok.adapter import (
        AdapterContext,
        HttpSchedulingAdapter,
        SchedulingAdapter,
        SchedulingSystem,
    )
    from tidbok.backend_http import BackendHttp, write_with_readback
    from tidbok.clock import (
        STOCKHOLM,
        Clock,
        FakeTimer,
        FrozenClock,
        SystemClock,
        SystemTimer,
        Timer,
        instant,
        to_stockholm,
    )
    from tidbok.commands import Commands
    from tidbok.errors import (
        BackendProtocolError,
        BackendTimeout,
        BackendUnavailable,
        BookingRefused,
        CaseTypeNotActive,
        InvalidInput,
        InvitationAlreadyUsed,
        NotAvailableVia1177,
        NotFound,
        OutcomeUnknown,
        OutsideBookingWindow,
        RefusedByUnit,
        SlotTaken,
        TechnicalFault,
        TermsNotAccepted,
        TidbokError,
    )
    from tidbok.events import ActivityIntent, ActivityKind, BookingActivity
    from tidbok.identity import HsaId, PersonalIdentityNumber
    from tidbok.models import (
        Access1177,
        ActiveUnit,
        BackendUnit,
        BookedBy,
        Booking,
        BookingResult,
        Caller,
        Capability,
        CaseType,
        CaseTypeKind,
        Invitation,
        InvitationList,
        NewBooking,
        OutcomeKind,
        Permissions,
        Schedule,
        Slot,
        TimeType,
        UnitFailure,
        WriteOutcome,
    )
    from tidbok.oauth import ClientCredentialsAuth
    from tidbok.overview import SlotLevel, TimeTypeOverview, UnitOverview
    from tidbok.routing import SystemNotInstalled
    from tidbok.rules import EarliestBooking, SystemRules, may_book_start
    from tidbok.service import BookingService
    from tidbok.settings import BackendSettings, ResilienceSettings, TidbokSettings, load_settings
    from tidbok.wire import (
        LocalTimestamp,
        UtcTimestamp,
        WireModel,
        build_models,
        collect_pages,
        local_span,
        page_model,
        parse_json,
        parse_model,
        parse_response,
        path_segment,
        stockholm_to_utc,
        translate_error,
        wire_slot,
    )


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tidbok' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


__all__ = [
    "STOCKHOLM",
    "Access1177",
    "ActiveUnit",
    "ActivityIntent",
    "ActivityKind",
    "AdapterContext",
    "BackendHttp",
    "BackendProtocolError",
    "BackendSettings",
    "BackendTimeout",
    "BackendUnavailable",
    "BackendUnit",
    "BookedBy",
    "Booking",
    "BookingActivity",
    "BookingRefused",
    "BookingResult",
    "BookingService",
    "Caller",
    "Capability",
    "CaseType",
    "CaseTypeKind",
    "CaseTypeNotActive",
    "ClientCredentialsAuth",
    "Clock",
    "Commands",
    "EarliestBooking",
    "FakeTimer",
    "FrozenClock",
    "HsaId",
    "HttpSchedulingAdapter",
    "InvalidInput",
    "Invitation",
    "InvitationAlreadyUsed",
    "InvitationList",
    "LocalTimestamp",
    "NewBooking",
    "NotAvailableVia1177",
    "NotFound",
    "OutcomeKind",
    "OutcomeUnknown",
    "OutsideBookingWindow",
    "Permissions",
    "PersonalIdentityNumber",
    "RefusedByUnit",
    "ResilienceSettings",
    "Schedule",
    "SchedulingAdapter",
    "SchedulingSystem",
    "Slot",
    "SlotLevel",
    "SlotTaken",
    "SystemClock",
    "SystemNotInstalled",
    "SystemRules",
    "SystemTimer",
    "TechnicalFault",
    "TermsNotAccepted",
    "TidbokError",
    "TidbokSettings",
    "TimeType",
    "TimeTypeOverview",
    "Timer",
    "UnitFailure",
    "UnitOverview",
    "UtcTimestamp",
    "WireModel",
    "WriteOutcome",
    "__version__",
    "acting_caller",
    "build_models",
    "collect_pages",
    "hookimpl",
    "instant",
    "load_settings",
    "local_span",
    "may_book_start",
    "page_model",
    "parse_json",
    "parse_model",
    "parse_response",
    "path_segment",
    "stockholm_to_utc",
    "to_stockholm",
    "translate_error",
    "wire_slot",
    "write_with_readback",
]
