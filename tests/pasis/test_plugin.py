"""The plugin as installed: entry point, `tidbok plugins`, contract target, logs without numbers."""

from __future__ import annotations

import logging

import pytest

from tidbok.adapter import AdapterContext
from tidbok.cli import main
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, Capability, CaseTypeKind
from tidbok.plugins import PluginSettings, default_registry
from tidbok_contract.seeding import FaultKind, FaultTarget
from tidbok_contract.targets import contract_registry, contract_targets
from tidbok_pasis.adapter import PasisAdapter
from tidbok_pasis.seeder import PasisContractTarget, PasisSeeder
from tidbok_pasis.system import PasisSystem

from .conftest import NOW, UNIT, Live, at


def test_entry_point_registers_pasis() -> None:
    registry = default_registry(PluginSettings(strict=True))
    system = registry.scheduling_systems()["pasis"]
    assert isinstance(system, PasisSystem)
    assert system.display_name == "PASiS"
    assert system.rules.change_cutoff.total_seconds() == 24 * 3600
    assert not system.rules.same_day_allowed
    assert system.case_type_names[CaseTypeKind.BOOK] == "Boka tid direkt"
    assert system.case_type_names[CaseTypeKind.MANAGE] == "Bokade tider, av- och omboka direkt"
    assert system.capabilities == {
        Capability.OPEN_INVITATIONS,
        Capability.MESSAGE_ON_CANCEL,
        Capability.ACCESS_LEVELS,
        Capability.BOOKED_BY,
        Capability.BOOKINGS_ACROSS_UNITS,
    }
    assert isinstance(contract_targets(contract_registry())["pasis"], PasisContractTarget)


def test_tidbok_plugins_lists_pasis(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "pasis " in out
    assert "(PASiS)" in out
    assert "book from the next day; cancel/rebook until 24 h before start" in out
    assert "book: Boka tid direkt; manage: Bokade tider, av- och omboka direkt" in out
    assert "message_on_cancel, open_invitations" in out


def test_seeder_levels_and_fault_routes() -> None:
    seeder = PasisSeeder("http://127.0.0.1:1")
    assert seeder.time_type_fields(Access1177()) == {"level": 1}
    assert seeder.time_type_fields(Access1177(visible=True)) == {"level": 2}
    assert seeder.time_type_fields(Access1177(visible=True, changeable=True)) == {"level": 3}
    bookable = Access1177(visible=True, bookable=True, changeable=True)
    assert seeder.time_type_fields(bookable) == {"level": 4}
    assert set(seeder.fault_routes()) == set(FaultTarget)


async def test_contract_target_mock_environment() -> None:
    async with PasisContractTarget().mock() as env:
        assert env.backend.system == "pasis"
        assert env.backend.base_url.endswith("/api/v2")
        seeder = env.seeder
        await seeder.reset()
        await seeder.set_clock(NOW)
        await seeder.add_unit(UNIT, "Vårdcentralen Test")
        type_id = await seeder.add_time_type(UNIT, "Provtagning", Access1177(visible=True))
        slot_id = await seeder.add_free_slot(UNIT, type_id, at(24, 10))
        pin = PersonalIdentityNumber("191212121212")
        await seeder.add_booking(UNIT, type_id, pin, at(25, 10))
        await seeder.inject_fault(FaultKind.HTTP_500, FaultTarget.SEARCH)
        await seeder.clear_faults()
        adapter = PasisSystem().connect(env.backend, AdapterContext())
        try:
            assert isinstance(adapter, PasisAdapter)
            slot = await adapter.get_slot(UNIT, slot_id)
            assert slot.access == Access1177(visible=True)
            (record,) = await seeder.appointment_book(UNIT)
            assert record.subject_of_care == pin
        finally:
            await adapter.aclose()


async def test_logs_carry_no_personal_identity_number(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="tidbok"):
        await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)
        await live.service.unit_bookings(live.citizen, UNIT)
        booking = (await live.service.unit_bookings(live.citizen, UNIT))[0]
        await live.service.cancel(live.citizen, UNIT, booking.id)
    ours = [r for r in caplog.records if r.name.startswith("tidbok")]
    calls = [r.getMessage() for r in ours if r.getMessage().startswith("backend_call")]
    assert any("system=pasis" in line and "operation=book " in line for line in calls)
    for record in ours:
        text = record.getMessage()
        assert "19121212" not in text
        assert "191212121212" not in text
