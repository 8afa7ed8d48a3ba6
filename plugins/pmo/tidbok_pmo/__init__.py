"""tidbok_pmo: the PMO scheduling-system plugin.

Registered through the ``tidbok`` entry-point group (``pmo = "tidbok_pmo"``), like any vendor's
plugin; the core never imports it. It offers:

* :class:`~tidbok_pmo.system.PmoSystem` (hook ``tidbok_scheduling_systems``): same-day booking,
  cancel and reschedule until the start, "Boka tid" / "Bokade tider, av- och omboka";
* :class:`~tidbok_pmo.seeder.PmoContractTarget` (hook ``tidbok_contract_targets``): the PMO mock
  in-process, or a real test environment, for the contract suite.

Backend settings: ``base_url`` is the PMO server root (the API is under ``/api/v1``);
``credentials`` are ``client_id``, ``client_secret`` and optionally ``token_url`` (default
``{base_url}/oauth/token``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidbok import hookimpl
from tidbok_pmo.system import PmoSystem

if TYPE_CHECKING:
    from tidbok import SchedulingSystem
    from tidbok_contract.seeding import ContractTarget

__all__ = ["PmoSystem", "tidbok_contract_targets", "tidbok_scheduling_systems"]


@hookimpl
def tidbok_scheduling_systems() -> list[SchedulingSystem]:
    """PMO."""
    return [PmoSystem()]


@hookimpl(optionalhook=True)  # the contract kit's own hook (tidbok_contract.hookspecs)
def tidbok_contract_targets() -> list[ContractTarget]:
    """The PMO contract target (imported only when the contract suite asks)."""
    from tidbok_pmo.seeder import PmoContractTarget

    return [PmoContractTarget()]
