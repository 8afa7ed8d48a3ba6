"""``tidbok store status`` and ``tidbok store migrate`` on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tidbok.cli import main
from tidbok.gateway.migrations import LATEST


def _config(tmp_path: Path, kind: str, location: str) -> str:
    if kind == "sqlite":
        text = f"[gateway]\noutbox_path = {json.dumps(location)}\n"
    else:
        text = f"[gateway.store]\nurl = {json.dumps(location)}\n"
    path = tmp_path / "tidbok.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_status_then_migrate_then_status(
    tmp_path: Path, store_kind: str, store_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, store_kind, store_location)
    assert main(["store", "status", "--config", config]) == 1
    out = capsys.readouterr().out
    kind = "sqlite" if store_kind == "sqlite" else "postgresql"
    assert f"store:   {kind}" in out
    assert f"version 0 (latest {LATEST}): migrations pending" in out

    assert main(["store", "migrate", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "migrations applied: 1, 2" in out
    assert f"version {LATEST} (latest {LATEST}): up to date" in out

    assert main(["store", "migrate", "--config", config]) == 0
    assert "migrations applied: none (already up to date)" in capsys.readouterr().out
    assert main(["store", "status", "--config", config]) == 0


def test_status_never_shows_the_password(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with_password = pg_url.replace("postgres:@", "postgres:hunter2-secret@")
    assert with_password != pg_url
    config = _config(tmp_path, "postgres", with_password)
    assert main(["store", "migrate", "--config", config]) == 0
    captured = capsys.readouterr()
    assert "hunter2" not in captured.out + captured.err
    assert "postgres:***@" in captured.out


def test_an_unreachable_database_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://nobody:pw@/x?host={tmp_path}&connect_timeout=1"
    config = _config(tmp_path, "postgres", url)
    assert main(["store", "status", "--config", config]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tidbok store status: OperationalError")
    assert "pw@" not in err


def test_migrate_refuses_a_file_a_gateway_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import fcntl

    path = tmp_path / "g.sqlite3"
    config = _config(tmp_path, "sqlite", str(path))
    with (tmp_path / "g.sqlite3.lock").open("a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # a running gateway
        assert main(["store", "migrate", "--config", config]) == 2
    assert "another gateway uses" in capsys.readouterr().err


def test_help_explains_the_stores(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["store", "--help"])
    out = capsys.readouterr().out
    assert "PostgreSQL" in out
    assert "TIDBOK_GATEWAY__STORE__URL" in out
    assert main(["store"]) == 2
    assert "status" in capsys.readouterr().err
