"""tidbok: connects the 1177 patient portal to care units' scheduling systems.

This module is the stable surface for plugin authors and embedders: everything a scheduling-system
plugin needs is importable from ``tidbok`` itself (``from tidbok import hookimpl, SchedulingSystem,
Slot, SlotTaken, ...``). Names reached only through a submodule (``tidbok.service``,
``tidbok.gateway``, ``tidbok.plugins``, ``tidbok.backend_http``, ...) are internal: they may change
between releases without notice. The embedder's facade is :class:`BookingService`, exported here.

See ``docs/plugin-authors.md`` for writing a plugin and ``docs/architecture.md`` for the map.
"""

from importlib.metadata import PackageNotFoundError, version

import pluggy

try:
    __version__ = version("tidbok")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

#: Decorator for plugin hook implementations: ``@tidbok.hookimpl``.
hookimpl = pluggy.HookimplMarker("tidbok")

# The imports below come after ``hookimpl``: submodules may import it from here.
from tidbok.adapter import (  # noqa: E402
    AdapterContext,
    HttpSchedulingAdapter,
    SchedulingAdapter,
    SchedulingSystem,
)
from tidbok.backend_http import write_with_readback  # noqa: E402
from tidbok.clock import (  # noqa: E402
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
from tidbok.commands import Commands  # noqa: E402
from tidbok.errors import (  # noqa: E402
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
    SlotTaken,
    TechnicalFault,
    TermsNotAccepted,
    TidbokError,
)
from tidbok.events import ActivityIntent, ActivityKind, BookingActivity  # noqa: E402
from tidbok.identity import HsaId, PersonalIdentityNumber  # noqa: E402
from tidbok.models import (  # noqa: E402
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
from tidbok.oauth import ClientCredentialsAuth  # noqa: E402
from tidbok.overview import SlotLevel, TimeTypeOverview, UnitOverview  # noqa: E402
from tidbok.routing import SystemNotInstalled  # noqa: E402
from tidbok.rules import EarliestBooking, SystemRules  # noqa: E402
from tidbok.service import BookingService  # noqa: E402
from tidbok.settings import (  # noqa: E402
    BackendSettings,
    ResilienceSettings,
    TidbokSettings,
    load_settings,
)
from tidbok.wire import (  # noqa: E402
    LocalTimestamp,
    UtcTimestamp,
    build_models,
    collect_pages,
    parse_model,
    parse_response,
    path_segment,
    stockholm_to_utc,
    translate_error,
)

__all__ = [
    "STOCKHOLM",
    "Access1177",
    "ActiveUnit",
    "ActivityIntent",
    "ActivityKind",
    "AdapterContext",
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
    "WriteOutcome",
    "__version__",
    "build_models",
    "collect_pages",
    "hookimpl",
    "instant",
    "load_settings",
    "parse_model",
    "parse_response",
    "path_segment",
    "stockholm_to_utc",
    "to_stockholm",
    "translate_error",
    "write_with_readback",
]
