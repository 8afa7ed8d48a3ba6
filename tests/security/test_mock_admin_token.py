"""The mocks' admin API: loud about having no authentication, and protected by --admin-token.

Fails on the code before issue 12: ``/__admin/info`` answered anyone with the PASiS API key and the
PMO client secret, there was no way to protect it, and the start-up lines did not warn.
"""

from __future__ import annotations

import argparse
import datetime as dt

import httpx
import pytest

from tidbok_mocks import run_pasis, run_pmo
from tidbok_mocks.standalone import _announce
from tidbok_pasis.seeder import PasisSeeder

TOKEN = "a-shared-mock-admin-token"


async def test_without_a_token_the_admin_api_is_open_and_the_start_up_line_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with run_pasis() as server, httpx.AsyncClient() as client:
        info = await client.get(server.admin_url + "/info")
        assert info.status_code == 200
        _announce(server)
    admin_line = next(line for line in capsys.readouterr().out.splitlines() if "admin:" in line)
    assert "WARNING" in admin_line
    assert "--admin-token" in admin_line


async def test_an_admin_token_protects_the_admin_api_of_both_mocks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for running in (run_pasis(admin_token=TOKEN), run_pmo(admin_token=TOKEN)):
        async with running as server, httpx.AsyncClient() as client:
            for headers in ({}, {"X-Admin-Token": "wrong"}):
                refused = await client.get(server.admin_url + "/info", headers=headers)
                assert refused.status_code == 401, server.system
                assert "client_secret" not in refused.text
            allowed = await client.get(server.admin_url + "/info", headers={"X-Admin-Token": TOKEN})
            assert allowed.status_code == 200
            _announce(server)
            assert "WARNING" not in capsys.readouterr().out


async def test_the_contract_seeder_passes_the_admin_token() -> None:
    async with run_pasis(admin_token=TOKEN) as server:
        refused = PasisSeeder(server.url)
        allowed = PasisSeeder(server.url, admin_token=TOKEN)
        try:
            with pytest.raises(RuntimeError, match="401"):
                await refused.reset()
            await allowed.reset()
            await allowed.set_clock(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
        finally:
            await refused.aclose()
            await allowed.aclose()


def test_the_standalone_mock_has_an_admin_token_option() -> None:
    from tidbok_mocks.standalone import build_parser

    args: argparse.Namespace = build_parser().parse_args(["pmo", "--admin-token", TOKEN])
    assert args.admin_token == TOKEN


async def test_an_admin_token_protects_the_mock_inbox_admin_api() -> None:
    from tidbok_mocks.inbox import running_inbox

    async with running_inbox(admin_token=TOKEN) as inbox, httpx.AsyncClient() as client:
        refused = await client.get(inbox.admin_url + "/messages")
        assert refused.status_code == 401
        allowed = await client.get(inbox.admin_url + "/messages", headers={"X-Admin-Token": TOKEN})
        assert allowed.status_code == 200
