"""A unit whose system no plugin provides stops start-up, unless the unit is marked optional.

Fails on the code before issue 12: a typo'd ``system`` started the gateway anyway, and the unit
answered "backend unavailable" forever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.core.memory_system import PASIS_UNIT, PMO_UNIT, world_settings
from tests.gateway.conftest import make_systems
from tidbok import BackendUnavailable, BookingService, SystemNotInstalled, TidbokSettings
from tidbok.cli import main as tidbok_main


def _typo_settings(optional: bool) -> TidbokSettings:
    settings = world_settings()
    data: dict[str, Any] = settings.model_dump(mode="json")
    data["backends"]["pasis-main"]["system"] = "memory_pasiss"
    for unit in data["units"]:
        if unit["hsa_id"] == PASIS_UNIT:
            unit["optional"] = optional
    return TidbokSettings(**data)


def test_the_service_refuses_a_unit_whose_system_is_not_installed() -> None:
    systems = make_systems()
    with pytest.raises(SystemNotInstalled) as raised:
        BookingService(_typo_settings(optional=False), registry=systems.registry)
    message = str(raised.value)
    assert PASIS_UNIT in message
    assert "'memory_pasiss'" in message
    assert "memory_pasis, memory_pmo" in message
    assert "optional" in message


async def test_an_optional_unit_starts_and_answers_backend_unavailable() -> None:
    systems = make_systems()
    settings = _typo_settings(optional=True)
    async with BookingService(settings, registry=systems.registry) as service:
        assert service.unit(PMO_UNIT).system == "memory_pmo"
        with pytest.raises(BackendUnavailable):
            await service.time_types(PASIS_UNIT)


def test_tidbok_serve_refuses_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "tidbok.toml"
    config.write_text(
        "[backends.main]\n"
        'system = "pasiss"\n'
        'base_url = "http://127.0.0.1:1"\n'
        "[[units]]\n"
        'hsa_id = "SE2321000016-1234"\n'
        'name = "Vårdcentralen Tensta"\n'
        'backend = "main"\n'
        # No jwt_secret: the old code stops there (it never starts serving in this test).
        "[gateway]\n"
        f'outbox_path = "{tmp_path / "outbox.sqlite3"}"\n'
        "port = 0\n",
        encoding="utf-8",
    )
    assert tidbok_main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "SE2321000016-1234" in err[0]
    assert "'pasiss'" in err[0]
