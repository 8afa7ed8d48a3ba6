"""A port in use stops ``tidbok serve``, the mocks and the mock inbox with one line and exit 2.

Fails on the code before issue 12: ``tidbok serve`` and the inbox printed a 29-line traceback,
and the standalone mock exited 1 without saying what to do.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidbok.cli import main as tidbok_main
from tidbok_mocks.inbox.server import main as inbox_main
from tidbok_mocks.standalone import main as mock_main


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def _one_line_naming(err: str, port: int) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert f"127.0.0.1:{port}" in lines[0]
    assert "--port" in lines[0]


def test_tidbok_serve(taken_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "tidbok.toml"
    config.write_text(
        "[gateway]\n"
        'jwt_secret = "a-test-secret-that-is-long-enough-for-hs256"\n'
        f'outbox_path = "{tmp_path / "outbox.sqlite3"}"\n',
        encoding="utf-8",
    )
    code = tidbok_main(["serve", "--config", str(config), "--port", str(taken_port)])
    assert code == 2
    _one_line_naming(capsys.readouterr().err, taken_port)


def test_mock_inbox(taken_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert inbox_main(["--port", str(taken_port)]) == 2
    _one_line_naming(capsys.readouterr().err, taken_port)


def test_standalone_mock(taken_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert mock_main(["pasis", "--port", str(taken_port)]) == 2
    _one_line_naming(capsys.readouterr().err, taken_port)
