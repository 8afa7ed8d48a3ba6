"""tidbok_riv: a plugin for every scheduling system that speaks crm:scheduling 1.1.

Registered through the ``tidbok`` entry-point group like PASiS and PMO; configure a backend with
``system = "riv"`` (docs/plugins/riv.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidbok import SchedulingSystem, hookimpl

if TYPE_CHECKING:
    from tidbok_contract.seeding import ContractTarget

__version__ = "0.1.0"


@hookimpl
def tidbok_scheduling_systems() -> list[SchedulingSystem]:
    """The ``riv`` system."""
    from tidbok_riv.system import RivSystem

    return [RivSystem()]


@hookimpl(optionalhook=True)  # the contract kit's own hook (tidbok_contract.hookspecs)
def tidbok_contract_targets() -> list[ContractTarget]:
    """The riv mock and the round trips through tidbok's producer (imported on demand)."""
    from tidbok_riv.seeder import contract_targets

    return contract_targets()
