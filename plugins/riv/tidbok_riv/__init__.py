"""tidbok_riv: a plugin for every scheduling system that speaks crm:scheduling 1.1.

Registered through the ``tidbok`` entry-point group like PASiS and PMO; configure a backend with
``system = "riv"`` (docs/plugins/riv.md).
"""

from __future__ import annotations

from tidbok import SchedulingSystem, hookimpl

__version__ = "0.1.0"


@hookimpl
def tidbok_scheduling_systems() -> list[SchedulingSystem]:
    """The ``riv`` system."""
    from tidbok_riv.system import RivSystem

    return [RivSystem()]
