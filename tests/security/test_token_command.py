"""``tidbok token``: a citizen's token for a test environment, and only for one.

Fails on the code before issue 12: there was no supported way to get a token (no ``tidbok token``,
no ``test_environment`` setting), and ``tidbok demo --serve`` did not say how to get another.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path

import jwt
import pytest

from tidbok.cli import TokenRefused, environment_token
from tidbok.cli import main as tidbok_main
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.settings import load_settings

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)


def _config(tmp_path: Path, test_environment: bool) -> Path:
    path = tmp_path / "tidbok.toml"
    path.write_text(
        "[gateway]\n"
        f"test_environment = {str(test_environment).lower()}\n"
        f'jwt_secret = "{SECRET}"\n'
        'jwt_audience = "tidbok-test"\n'
        'jwt_issuer = "https://1177.example/idp"\n',
        encoding="utf-8",
    )
    return path


def test_it_refuses_outside_a_test_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, test_environment=False)
    assert tidbok_main(["token", "--sub", "191212121212", "--config", str(config)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "test_environment" in err
    assert len(err.strip().splitlines()) == 1


def test_it_prints_a_token_the_gateway_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, test_environment=True)
    args = ["token", "--sub", "19121212-1212", "--act", "se2321000016-9999"]
    assert tidbok_main([*args, "--config", str(config)]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        audience="tidbok-test",
        issuer="https://1177.example/idp",
    )
    assert claims["sub"] == "191212121212"
    assert claims["act"] == {"sub": "SE2321000016-9999"}


def test_its_expiry_comes_from_the_clock(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, test_environment=True))
    token = environment_token(settings, "191212121212", FrozenClock(NOW), agent=None, minutes=30)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert claims["iat"] == int(NOW.timestamp())
    for subject in ("1912121212", "191212121213"):
        with pytest.raises(TokenRefused, match="--sub"):
            environment_token(settings, subject, FrozenClock(NOW), agent=None, minutes=30)


async def test_the_demo_says_how_to_get_another_token(capsys: pytest.CaptureFixture[str]) -> None:
    from tidbok_demo.run import run_demo

    lines: list[str] = []
    task = asyncio.create_task(run_demo(say=lines.append, serve=True, clock=FrozenClock(NOW)))
    try:
        async with asyncio.timeout(60):
            while not any("Ctrl-C" in line for line in lines):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        [command] = [line.strip() for line in lines if "tidbok token" in line]
        config = command.split("--config ", 1)[1]
        assert command.startswith("tidbok token --sub ")
        assert tidbok_main(["token", "--sub", "191212121212", "--config", config]) == 0
        assert capsys.readouterr().out.count(".") == 2  # one JWT
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_the_settings_default_is_not_a_test_environment() -> None:
    from tidbok.settings import GatewaySettings

    assert GatewaySettings().test_environment is False
