"""Unit routing: which scheduling system and adapter answer for a care unit's HSA-id.

A :class:`UnitDirectory` is built once from the settings: it connects one adapter per configured
backend and gives every configured unit a :class:`UnitRoute`. Resolving an HSA-id and checking that
a unit can serve a request raise the same typed errors everywhere (not an HSA-id, unit not
connected, no plugin loaded for its system, case type not activated).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from tidbok.adapter import AdapterContext, SchedulingAdapter, SchedulingSystem
from tidbok.backend_http import CallObserver
from tidbok.clock import Clock, SystemTimer, Timer
from tidbok.errors import BackendUnavailable, CaseTypeNotActive, InvalidInput, NotFound
from tidbok.identity import normalize_hsa_id
from tidbok.models import ActiveUnit, Capability, CaseType, CaseTypeKind
from tidbok.rules import SystemRules
from tidbok.settings import BackendSettings, TidbokSettings, UnitSettings

log = logging.getLogger("tidbok.service")


class BackendSetupError(ValueError):
    """A configured backend cannot be set up: its plugin is missing or broken, or its options
    are wrong. The message is one line saying what to change; ``tidbok serve`` refuses to start."""


class SystemNotInstalled(BackendSetupError):
    """A configured unit needs a scheduling system that no loaded plugin provides.

    Raised when the service is built (so ``tidbok serve`` refuses to start), unless the unit is
    marked ``optional = true``: a typo'd ``system`` would otherwise leave the unit answering
    "backend unavailable" forever.
    """


@dataclass(frozen=True)
class UnitRoute:
    """A configured unit, its scheduling system and the adapter of its backend."""

    unit: ActiveUnit
    system: SchedulingSystem | None
    adapter: SchedulingAdapter | None

    @property
    def hsa_id(self) -> str:
        """The unit's normalized HSA-id."""
        return self.unit.hsa_id

    def describe(self) -> tuple[str, str]:
        """HSA-id and name, for failure reports."""
        return self.unit.hsa_id, self.unit.name

    def require_adapter(self) -> SchedulingAdapter:
        """The adapter of the unit's backend; BackendUnavailable if its plugin is not loaded."""
        if self.adapter is None:
            raise BackendUnavailable(f"no plugin is loaded for the system of unit {self.hsa_id}")
        return self.adapter

    def require_system(self) -> SchedulingSystem:
        """The unit's scheduling system; BackendUnavailable if its plugin is not loaded."""
        if self.system is None:
            raise BackendUnavailable(f"no plugin is loaded for the system of unit {self.hsa_id}")
        return self.system

    @property
    def rules(self) -> SystemRules:
        """The booking rules of the unit's backend: its adapter's own, else its system's."""
        own = self.adapter.rules if self.adapter is not None else None
        return own if own is not None else self.require_system().rules

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The capabilities of the unit's backend: its adapter's own, else its system's."""
        own = self.adapter.capabilities if self.adapter is not None else None
        if own is not None:
            return own
        return self.system.capabilities if self.system is not None else frozenset()

    def require_active(self) -> None:
        """CaseTypeNotActive unless the unit has activated at least one case type."""
        if not self.unit.case_types:
            raise CaseTypeNotActive(f"unit {self.hsa_id} has no active case type")

    def require_case_type(self, kind: CaseTypeKind) -> CaseType:
        """The unit's case type of ``kind``; CaseTypeNotActive if it has not activated it."""
        case_type = self.unit.case_type(kind)
        if case_type is None:
            raise CaseTypeNotActive(f"unit {self.hsa_id} has not activated case type {kind}")
        return case_type


class UnitDirectory:
    """Every configured unit by HSA-id, routed to its system and its backend's adapter."""

    def __init__(
        self, routes: Mapping[str, UnitRoute], adapters: Mapping[str, SchedulingAdapter]
    ) -> None:
        self._routes = dict(routes)
        self._adapters = dict(adapters)

    @classmethod
    def connect(
        cls,
        settings: TidbokSettings,
        systems: Mapping[str, SchedulingSystem],
        clock: Clock,
        observer: CallObserver | None = None,
        timer: Timer | None = None,
    ) -> UnitDirectory:
        """Connect an adapter per backend and route every configured unit to it.

        A backend whose scheduling system no loaded plugin provides gets no adapter (logged); if
        one of its units is not ``optional``, :class:`SystemNotInstalled` is raised, naming the
        unit, the system and the installed systems; optional units answer "backend unavailable".
        """
        _require_systems(settings, systems)
        adapters: dict[str, SchedulingAdapter] = {}
        for backend_name, backend in settings.backends.items():
            system = systems.get(backend.system)
            if system is None:
                log.error(
                    "backend %s needs scheduling system %r, which no loaded plugin provides "
                    "(loaded: %s); its units will answer 'backend unavailable'",
                    backend_name,
                    backend.system,
                    ", ".join(sorted(systems)) or "none",
                )
                continue
            context = AdapterContext(
                clock=clock,
                timer=timer or SystemTimer(),
                resilience=settings.resilience,
                backend_name=backend_name,
                observer=observer,
                units=tuple(unit.hsa_id for unit in settings.units if unit.backend == backend_name),
            )
            adapters[backend_name] = _connect(system, backend_name, backend, context)
        routes: dict[str, UnitRoute] = {}
        for unit_settings in settings.units:
            backend = settings.backends[unit_settings.backend]
            system = systems.get(backend.system)
            routes[unit_settings.hsa_id] = UnitRoute(
                unit=_active_unit(unit_settings, backend.system, system),
                system=system,
                adapter=adapters.get(unit_settings.backend),
            )
        return cls(routes, adapters)

    @property
    def adapters(self) -> Mapping[str, SchedulingAdapter]:
        """The connected adapters, by backend name."""
        return dict(self._adapters)

    def active_routes(self) -> list[UnitRoute]:
        """The routes of units where 1177 tidbokning is active (some case type activated)."""
        return [route for route in self._routes.values() if route.unit.case_types]

    def route(self, hsa_id: str) -> UnitRoute:
        """The route of a unit; InvalidInput if not an HSA-id, NotFound if not configured."""
        try:
            key = normalize_hsa_id(hsa_id)
        except ValueError:
            raise InvalidInput("not an HSA-id (expected e.g. SE2321000016-1234)") from None
        route = self._routes.get(key)
        if route is None:
            raise NotFound(f"unit {key} is not connected to 1177 tidbokning")
        return route

    async def aclose(self) -> None:
        """Close every adapter's connections; a failure to close one is logged, not raised."""
        for name, adapter in self._adapters.items():
            try:
                await adapter.aclose()
            except Exception:
                log.exception("closing backend %s failed", name)


def _connect(
    system: SchedulingSystem, name: str, backend: BackendSettings, context: AdapterContext
) -> SchedulingAdapter:
    """The system's adapter for one backend; a plugin mistake is one line naming what to do."""
    try:
        adapter = system.connect(backend, context)
    except TypeError as error:
        missing = getattr(error, "args", ("",))[0]
        if "abstract method" in str(missing):
            raise BackendSetupError(
                f"system {system.name}: its adapter cannot be created ({missing}); implement "
                "every SchedulingAdapter method (docs/plugin-authors.md)"
            ) from None
        raise
    except ValidationError as error:
        problems = "; ".join(
            ": ".join(filter(None, (".".join(str(part) for part in item["loc"]), item["msg"])))
            for item in error.errors(include_input=False, include_url=False)
        )
        raise BackendSetupError(f"backend {name} ({system.name}): {problems}") from None
    if not isinstance(adapter, SchedulingAdapter):
        raise BackendSetupError(
            f"system {system.name}: connect() returned {type(adapter).__name__}, not a "
            "tidbok.SchedulingAdapter"
        )
    return adapter


def _require_systems(settings: TidbokSettings, systems: Mapping[str, SchedulingSystem]) -> None:
    for unit in settings.units:
        system = settings.backends[unit.backend].system
        if system in systems or unit.optional:
            continue
        raise SystemNotInstalled(
            f"unit {unit.hsa_id} ({unit.name}) uses backend {unit.backend!r} with system "
            f"{system!r}, which no installed plugin provides (installed: "
            f"{', '.join(sorted(systems)) or 'none'}); correct the system name, install its "
            "plugin (see `tidbok plugins`), or mark the unit optional = true"
        )


def _active_unit(
    unit: UnitSettings, system_name: str, system: SchedulingSystem | None
) -> ActiveUnit:
    names = system.case_type_names if system is not None else {}
    case_types = tuple(
        CaseType(
            kind=case_type.kind,
            name=case_type.name or names.get(case_type.kind) or _FALLBACK_NAMES[case_type.kind],
            terms=case_type.terms,
        )
        for case_type in unit.case_types
    )
    return ActiveUnit(hsa_id=unit.hsa_id, name=unit.name, system=system_name, case_types=case_types)


_FALLBACK_NAMES = {
    CaseTypeKind.BOOK: "Boka tid",
    CaseTypeKind.MANAGE: "Bokade tider, av- och omboka",
    CaseTypeKind.VIEW: "Bokade tider",
}
