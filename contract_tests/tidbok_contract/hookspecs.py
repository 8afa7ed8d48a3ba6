"""The contract kit's own hook specification, added to a registry with ``add_hookspecs``.

Only the contract kit calls it. A plugin implements it with ``@hookimpl(optionalhook=True)``, so
the plugin loads in any registry, also one where the contract kit's specifications are not added
(the gateway's, for example).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from tidbok_contract.seeding import ContractTarget

hookspec = pluggy.HookspecMarker("tidbok")


@hookspec
def tidbok_contract_targets() -> list[ContractTarget]:
    """Offer the contract suite a way to reach and seed each of the plugin's systems.

    Return a list of :class:`tidbok_contract.seeding.ContractTarget` objects, one per scheduling
    system the plugin registers. A target starts the system's mock in-process (the default for
    contract runs) or connects to a real test environment, and yields a
    :class:`tidbok_contract.seeding.ContractEnvironment`: backend settings plus a seeder that puts
    the backend into system-neutral states. Only the contract suite calls this hook.
    """
    raise AssertionError("hook specification; never called")
