"""Settings: the example file loads, environment variables override it, mistakes are explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tidbok.models import CaseTypeKind
from tidbok.settings import load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tidbok.toml"


def test_the_example_configuration_loads() -> None:
    settings = load_settings(EXAMPLE)
    assert {unit.hsa_id for unit in settings.units} == {
        "SE2321000016-1001",
        "SE2321000016-1002",
        "SE2321000016-2001",
        "SE2321000016-2002",
    }
    assert {backend.system for backend in settings.backends.values()} == {"pasis", "pmo"}
    kista = settings.unit("se2321000016-2002")
    assert kista is not None
    assert [case_type.kind for case_type in kista.case_types] == [CaseTypeKind.VIEW]
    assert settings.gateway.jwt_secret is not None


def test_environment_variables_override_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDBOK_RESILIENCE__ATTEMPT_TIMEOUT", "0.7")
    monkeypatch.setenv("TIDBOK_GATEWAY__PORT", "9001")
    settings = load_settings(EXAMPLE)
    assert settings.resilience.attempt_timeout == 0.7
    assert settings.gateway.port == 9001


def test_a_unit_naming_a_missing_backend_is_explained() -> None:
    with pytest.raises(ValidationError, match="names backend 'nowhere', which is not configured"):
        load_settings(
            units=[{"hsa_id": "SE2321000016-1234", "name": "X", "backend": "nowhere"}],
        )
