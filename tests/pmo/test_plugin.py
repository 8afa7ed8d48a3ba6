"""PMO as an installed plugin: entry point, rules, names, capabilities and the contract target."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

import tidbok_pmo
from tidbok.adapter import AdapterContext
from tidbok.cli import main
from tidbok.models import Access1177, Capability, CaseTypeKind
from tidbok.plugins import PluginRegistry, default_registry
from tidbok.rules import EarliestBooking
from tidbok.settings import BackendSettings
from tidbok_contract.seeding import ContractEnvironment, SeedingUnsupported
from tidbok_contract.targets import contract_registry, contract_targets
from tidbok_pmo import PmoSystem
from tidbok_pmo.adapter import PmoAdapter
from tidbok_pmo.seeder import PmoContractTarget, PmoSeeder

from .conftest import NOW, TOLVAN, UNIT


def test_tidbok_plugins_lists_pmo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("pmo ") :]
    assert block.startswith("pmo 0.")
    assert "(PMO)" in block.splitlines()[0]
    assert "rules:        book same day; cancel/rebook until the start" in block
    assert "case types:   book: Boka tid; manage: Bokade tider, av- och omboka" in block
    assert (
        "capabilities: access_levels, booked_by, bookings_across_units, idempotent_writes, "
        "message_on_cancel, same_day_booking" in block
    )


def test_the_entry_point_registers_a_valid_system() -> None:
    registry = default_registry()
    system = registry.scheduling_systems()["pmo"]
    assert isinstance(system, PmoSystem)
    assert system.rules.earliest_booking is EarliestBooking.SAME_DAY
    assert system.rules.change_cutoff == timedelta(0)
    assert system.case_type_names[CaseTypeKind.VIEW] == "Bokade tider"
    assert Capability.OPEN_INVITATIONS not in system.capabilities
    assert isinstance(contract_targets(contract_registry())["pmo"], PmoContractTarget)


async def test_connect_does_no_io_and_closes() -> None:
    backend = BackendSettings(
        system="pmo",
        base_url="http://127.0.0.1:9",  # nothing listens: connect must not try
        credentials={"client_id": "a", "client_secret": "b"},
    )
    adapter = PmoSystem().connect(backend, AdapterContext())
    assert isinstance(adapter, PmoAdapter)
    assert adapter.breaker.state == "closed"
    await adapter.aclose()


async def test_contract_target_mock_environment() -> None:
    target = PmoContractTarget()
    async with target.mock() as env:
        assert isinstance(env, ContractEnvironment)
        assert env.backend.system == "pmo"
        assert set(env.backend.credentials) == {"client_id", "client_secret", "token_url"}
        seeder = env.seeder
        assert isinstance(seeder, PmoSeeder)
        await seeder.reset()
        await seeder.set_clock(NOW)
        await seeder.add_unit(UNIT, "Vårdcentralen Rinkeby")
        kind = await seeder.add_time_type(UNIT, "Provtagning", Access1177(visible=True))
        booking = await seeder.add_booking(UNIT, kind, TOLVAN, NOW + timedelta(days=1))
        [record] = await seeder.appointment_book(UNIT)
        assert (record.booking_id, record.subject_of_care) == (booking, TOLVAN)
        with pytest.raises(SeedingUnsupported):
            await seeder.add_invitation(UNIT, kind, TOLVAN, [NOW + timedelta(days=2)])
        registry = PluginRegistry()
        registry.register(tidbok_pmo, name="pmo")
        system = registry.scheduling_systems()["pmo"]
        adapter = system.connect(env.backend, AdapterContext())
        try:
            [time_type] = await adapter.list_time_types(UNIT)
            assert time_type.access == Access1177(visible=True)
        finally:
            await adapter.aclose()


async def test_contract_target_real_environment_uses_the_given_url() -> None:
    target = PmoContractTarget()
    credentials = {"client_id": "x", "client_secret": "y"}
    async with target.real("https://pmo-test.example", credentials) as env:
        assert env.backend.base_url == "https://pmo-test.example"
        assert env.backend.credential("client_secret") == "y"
        assert isinstance(env.seeder, PmoSeeder)
        with pytest.raises(httpx.HTTPError):  # nothing there in this test: it does try the URL
            await env.seeder.appointment_book(UNIT)
