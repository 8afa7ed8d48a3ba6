"""The PASiS plugin for tidbok (``tidbok_pasis``).

Registered through the ``tidbok`` entry-point group. It offers the PASiS scheduling system
(:class:`~tidbok_pasis.system.PasisSystem`) and, for the contract kit, a target that runs the
bundled PASiS mock (:class:`~tidbok_pasis.seeder.PasisContractTarget`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidbok import hookimpl
from tidbok_pasis.system import PasisSystem

if TYPE_CHECKING:
    from tidbok import SchedulingSystem
    from tidbok_contract.seeding import ContractTarget

__all__ = ["PasisSystem", "tidbok_contract_targets", "tidbok_scheduling_systems"]


@hookimpl
def tidbok_scheduling_systems() -> list[SchedulingSystem]:
    """PASiS."""
    return [PasisSystem()]


@hookimpl(optionalhook=True)  # the contract kit's own hook (tidbok_contract.hookspecs)
def tidbok_contract_targets() -> list[ContractTarget]:
    """The PASiS contract target (imports the contract kit only when asked)."""
    from tidbok_pasis.seeder import PasisContractTarget

    return [PasisContractTarget()]
