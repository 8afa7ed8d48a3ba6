"""Mock PASiS, PMO and crm:scheduling (riv) servers: the vendor side of the wire, for tests and
local development.

Nothing here imports ``tidbok``. Start one in-process with :func:`run_pasis`, :func:`run_pmo`,
:func:`run_riv` or :func:`run_mock`, or standalone with ``python -m tidbok_mocks pasis --port 0``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .common.runner import MockServer
from .pasis import PasisServer, create_pasis_app, run_pasis
from .pmo import PmoServer, create_pmo_app, run_pmo
from .riv import RivServer, create_riv_app, run_riv

SYSTEMS = ("pasis", "pmo", "riv")


@asynccontextmanager
async def run_mock(system: str, **options: Any) -> AsyncIterator[MockServer]:
    """Serve the mock of ``system`` (pasis, pmo or riv); options go to its runner."""
    if system == "pasis":
        async with run_pasis(**options) as pasis:
            yield pasis
    elif system == "pmo":
        async with run_pmo(**options) as pmo:
            yield pmo
    elif system == "riv":
        async with run_riv(**options) as riv:
            yield riv
    else:
        raise ValueError(f"unknown system {system!r}; choose one of {SYSTEMS}")


__all__ = [
    "SYSTEMS",
    "MockServer",
    "PasisServer",
    "PmoServer",
    "RivServer",
    "create_pasis_app",
    "create_pmo_app",
    "create_riv_app",
    "run_mock",
    "run_pasis",
    "run_pmo",
    "run_riv",
]
