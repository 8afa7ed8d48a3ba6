"""``tidbok serve`` and ``tidbok overview`` (R14)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.core.memory_system import BOOKABLE, NOT_SHOWN, SHOWN_ONLY
from tidbok.cli import main, overview_table
from tidbok.clock import FrozenClock
from tidbok.models import Access1177
from tidbok.service import BookingService

from .conftest import NOW, PASIS_UNIT, VIEW_UNIT, at, make_settings, make_systems

SECRET = "a-secret-for-the-cli-test-long-enough"


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """``main`` configures logging for a terminal; put the test run's logging back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def table_rows(table: str) -> list[list[str]]:
    """The rows of an overview table, as words: from the dashes to a blank or the final note."""
    lines = table.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    rows: list[list[str]] = []
    for line in lines[first:]:
        if not line or line.startswith("Nothing"):
            break
        rows.append(line.split())
    return rows


async def test_overview_lists_every_time_type_with_its_access(tmp_path: Path) -> None:
    systems = make_systems()
    systems.pasis.add_time_type(PASIS_UNIT, "niva4", "Provtagning", BOOKABLE)
    systems.pasis.add_time_type(PASIS_UNIT, "niva2", "Telefontid", SHOWN_ONLY)
    systems.pasis.add_time_type(
        PASIS_UNIT, "niva3", "Återbesök", Access1177(visible=True, changeable=True)
    )
    systems.pasis.add_time_type(PASIS_UNIT, "niva1", "Internt möte", NOT_SHOWN)
    settings = make_settings(tmp_path / "o.sqlite3", None, jwt_secret=SECRET)
    clock = FrozenClock(NOW)
    async with BookingService(settings, registry=systems.registry, clock=clock) as service:
        table = await overview_table(service, PASIS_UNIT.lower())
    lines = table.splitlines()
    assert lines[0] == "Vårdcentralen Tensta (SE2321000016-1111), system memory_pasis"
    assert "Boka tid i minnet [book]" in lines[1]
    rows = {row[0]: row[1:] for row in table_rows(table)}
    assert list(rows) == ["niva4", "niva2", "niva3", "niva1"]  # visible first, then by name
    assert rows["niva4"][-3:] == ["yes", "yes", "yes"]
    assert rows["niva2"][-3:] == ["yes", "no", "no"]
    assert rows["niva3"][-3:] == ["yes", "no", "yes"]
    assert rows["niva1"][-3:] == ["no", "no", "no"]
    assert lines[-1] == "Nothing that is not visible on 1177 is ever shown to citizens."


async def test_overview_marks_access_the_unit_does_not_use(tmp_path: Path) -> None:
    systems = make_systems()
    systems.pmo.add_time_type(VIEW_UNIT, "t", "Synundersökning", BOOKABLE)
    settings = make_settings(tmp_path / "o.sqlite3", None, jwt_secret=SECRET)
    clock = FrozenClock(NOW)
    async with BookingService(settings, registry=systems.registry, clock=clock) as service:
        table = await overview_table(service, VIEW_UNIT)
    assert table_rows(table) == [
        ["t", "Synundersökning", "yes", "no", "(service", "off)", "no", "(service", "off)"]
    ]


async def test_overview_lists_slot_levels_that_differ_from_the_time_type(tmp_path: Path) -> None:
    """PASiS sets a level per slot: each level other than the type's gets a line with counts."""
    systems = make_systems()
    provtagning = systems.pasis.add_time_type(PASIS_UNIT, "niva4", "Provtagning", BOOKABLE)
    systems.pasis.add_time_type(PASIS_UNIT, "niva2", "Telefontid", SHOWN_ONLY)
    for day, access in [(1, BOOKABLE), (2, BOOKABLE), (3, SHOWN_ONLY), (4, SHOWN_ONLY)]:
        systems.pasis.add_slot(PASIS_UNIT, at(day, 10), time_type=provtagning, access=access)
    systems.pasis.add_slot(PASIS_UNIT, at(5, 10), time_type=provtagning, access=NOT_SHOWN)
    systems.pasis.add_slot(PASIS_UNIT, at(29, 10), time_type=provtagning, access=SHOWN_ONLY)
    settings = make_settings(tmp_path / "o.sqlite3", None, jwt_secret=SECRET)
    async with BookingService(
        settings, registry=systems.registry, clock=FrozenClock(NOW)
    ) as service:
        table = await overview_table(service, PASIS_UNIT)
    assert table_rows(table) == [
        ["niva4", "Provtagning", "yes", "yes", "yes"],
        ["\u2514", "2", "of", "5", "free", "slots", "yes", "no", "no"],
        ["\u2514", "1", "of", "5", "free", "slots", "no", "no", "no"],
        ["niva2", "Telefontid", "yes", "no", "no"],
    ]
    assert (
        "\u2514 free slots from 2026-12-01 09:00 to 2026-12-29 09:00 whose 1177 level differs "
        "from their time type's." in table.splitlines()
    )


def test_overview_of_an_unknown_unit_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "tidbok.toml"
    config.write_text("")
    assert main(["overview", "SE2321000016-9999", "--config", str(config)]) == 1
    assert "not_found" in capsys.readouterr().err


def test_bad_settings_stop_serve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--config", str(tmp_path / "missing.toml")]) == 2
    config = tmp_path / "tidbok.toml"
    config.write_text("[gateway]\nport = 0\n")
    assert main(["serve", "--config", str(config)]) == 2
    assert "jwt_secret" in capsys.readouterr().err


async def test_serve_runs_until_interrupted(tmp_path: Path) -> None:
    config = tmp_path / "tidbok.toml"
    config.write_text(
        f'[gateway]\njwt_secret = "{SECRET}"\noutbox_path = "{tmp_path / "outbox.sqlite3"}"\n'
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tidbok",
        "serve",
        "--config",
        str(config),
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(15):
            line = (await process.stdout.readline()).decode()
        assert "listening on http://127.0.0.1:" in line, line
        url = line.rsplit(" ", 1)[1].strip()
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            assert (await client.get("/v1/bookings")).status_code == 401
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert (tmp_path / "outbox.sqlite3").exists()
