"""The ``riv`` scheduling system: any producer of crm:scheduling 1.1 (RIV-TA BP 2.1).

Its rules and capabilities are the defaults of :class:`~tidbok_riv.options.RivOptions`; each
backend may declare its own in ``[backends.NAME.options]`` (the contract carries no windows).
"""

from __future__ import annotations

from collections.abc import Mapping

from tidbok import AdapterContext, BackendSettings, CaseTypeKind, SchedulingSystem
from tidbok_riv import __version__
from tidbok_riv.adapter import RivAdapter
from tidbok_riv.options import RivOptions

#: 1177's own names for the case types: crm:scheduling producers have none of their own.
RIV_CASE_TYPES: Mapping[CaseTypeKind, str] = {
    CaseTypeKind.BOOK: "Boka tid",
    CaseTypeKind.MANAGE: "Av- och omboka tid",
    CaseTypeKind.VIEW: "Bokade tider",
}

_DEFAULTS = RivOptions()


class RivSystem(SchedulingSystem):
    """crm:scheduling 1.1 producers; one :class:`RivAdapter` per configured backend."""

    name = "riv"
    display_name = "crm:scheduling 1.1 (RIV-TA BP 2.1)"
    version = __version__
    rules = _DEFAULTS.rules
    """The defaults: book from the next day, cancel/rebook until 24 h before; per backend in
    ``options``."""
    case_type_names = RIV_CASE_TYPES
    capabilities = _DEFAULTS.capabilities

    def connect(self, backend: BackendSettings, context: AdapterContext) -> RivAdapter:
        """The adapter of one backend: validates its options, creates its pool, does no I/O."""
        return RivAdapter(backend, context)
