"""The registry the contract kit works with, and the contract targets its plugins offer."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence

from tidbok.plugins import PluginRegistry
from tidbok_contract import hookspecs
from tidbok_contract.seeding import ContractTarget

log = logging.getLogger("tidbok_contract")


def contract_registry(plugins: Sequence[str] = ()) -> PluginRegistry:
    """Every installed tidbok plugin plus the named modules, with the contract kit's hooks added."""
    registry = PluginRegistry()
    registry.add_hookspecs(hookspecs)
    registry.load_entry_points()
    for module_name in plugins:
        registry.register(importlib.import_module(module_name), name=module_name)
    return registry


def contract_targets(registry: PluginRegistry) -> dict[str, ContractTarget]:
    """Every contract target the registered plugins offer, by :func:`target_key` (the first
    one wins)."""
    targets: dict[str, ContractTarget] = {}
    for offered in registry.hook.tidbok_contract_targets():
        if not isinstance(offered, list | tuple):
            log.error("tidbok_contract_targets returned %r, not a list; ignored", offered)
            continue
        for target in offered:
            if not isinstance(target, ContractTarget):
                log.error("%r is not a tidbok_contract.seeding.ContractTarget; ignored", target)
                continue
            targets.setdefault(target_key(target.system, target.variant), target)
    return targets


def target_key(system: str, variant: str | None = None) -> str:
    """``system``, or ``system:variant`` for another target of the same system."""
    return system if variant is None else f"{system}:{variant}"
