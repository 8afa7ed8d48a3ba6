"""A configuration error never echoes the offending values, credentials least of all.

Fails on the old code: ``tidbok`` printed pydantic's own text, which shows each input value and,
for a missing field, the whole table around it, so a typo next to ``credentials`` printed the API
key; and ``ContractOptions`` showed ``--tidbok-credential`` values in its ``repr``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tidbok.cli import main
from tidbok.settings import BackendSettings, load_settings
from tidbok_contract.options import ContractOptions

SECRET = "s3cr3t-API-KEY-do-not-print"
UNIT = "SE2321000016-1234"

BROKEN = {
    "a missing system prints the table around it": (
        f'[backends.p]\nbase_url = "http://x"\ncredentials = {{ api_key = "{SECRET}" }}\n',
        "backends.p.system",
    ),
    "a wrong-typed credential": (
        '[backends.p]\nsystem = "pasis"\nbase_url = "http://x"\n'
        f"credentials = {{ api_key = {{ value = '{SECRET}' }} }}\n",
        "backends.p.credentials.api_key",
    ),
    "credentials that are not a table": (
        f'[backends.p]\nsystem = "pasis"\nbase_url = "http://x"\ncredentials = "{SECRET}"\n',
        "backends.p.credentials",
    ),
    "a wrong-typed jwt_secret": (
        f"[gateway]\njwt_secret = ['{SECRET}']\n",
        "gateway.jwt_secret",
    ),
    "an unknown key next to a secret": (
        f"[gateway]\njwt_secret = '{SECRET}'\njwt_secrett = '{SECRET}'\n",
        "gateway.jwt_secrett",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_settings_error_names_the_field_but_not_the_value(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, location = BROKEN[case]
    path = tmp_path / "tidbok.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["overview", "--config", str(path), UNIT]) == 2
    captured = capsys.readouterr()
    assert location in captured.err
    assert SECRET not in captured.err + captured.out
    assert "s3cr3t" not in captured.err + captured.out


def test_loaded_credentials_never_show(tmp_path: Path) -> None:
    path = tmp_path / "tidbok.toml"
    path.write_text(
        '[backends.p]\nsystem = "pasis"\nbase_url = "http://x"\n'
        f'credentials = {{ api_key = "{SECRET}" }}\n[gateway]\njwt_secret = "{SECRET}"\n',
        encoding="utf-8",
    )
    settings = load_settings(path)
    backend = settings.backends["p"]
    for shown in (repr(settings), str(settings), settings.model_dump_json(), repr(backend)):
        assert SECRET not in shown
    assert backend.credential("api_key") == SECRET  # for the wire only


def test_a_missing_credential_is_named_without_values() -> None:
    backend = BackendSettings(system="pasis", base_url="http://x", credentials={"apikey": SECRET})
    with pytest.raises(KeyError) as raised:
        backend.credential("api_key")
    assert "credentials.api_key" in str(raised.value)
    assert SECRET not in str(raised.value)


def test_contract_options_do_not_show_credentials() -> None:
    options = ContractOptions(system="pasis", url="https://test", credentials={"api_key": SECRET})
    assert SECRET not in repr(options)


def test_debug_logging_never_shows_the_stores_sql_and_parameters() -> None:
    """aiosqlite and psycopg log each statement with its parameters at DEBUG."""
    import logging

    from tidbok.logsafe import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("DEBUG")
        for library in ("aiosqlite", "psycopg", "psycopg.pool"):
            assert not logging.getLogger(library).isEnabledFor(logging.DEBUG), library
        assert logging.getLogger("tidbok").isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:], root.level = handlers, level
