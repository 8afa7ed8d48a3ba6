"""Pytest fixtures for the mocks. Import them into a ``conftest.py``::

    from tidbok_mocks.pytest_fixtures import mock_now, pasis_server, pmo_server  # noqa: F401

The clock is frozen at ``mock_now`` (override that fixture to choose another instant). Servers
start empty; ``pasis_demo_server``, ``pmo_demo_server`` and ``riv_demo_server`` start with the demo
data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import pytest_asyncio

from .common.times import parse_aware
from .pasis import PasisServer, run_pasis
from .pmo import PmoServer, run_pmo
from .riv import RivServer, run_riv

DEFAULT_MOCK_NOW = "2026-11-23T09:00:00+01:00"
"""A Monday morning in Stockholm (winter time)."""


@pytest.fixture
def mock_now() -> datetime:
    """The instant the mocks' clocks are frozen at."""
    return parse_aware(DEFAULT_MOCK_NOW)


@pytest_asyncio.fixture
async def pasis_server(mock_now: datetime) -> AsyncIterator[PasisServer]:
    """An empty PASiS mock on loopback."""
    async with run_pasis(now=mock_now) as server:
        yield server


@pytest_asyncio.fixture
async def pmo_server(mock_now: datetime) -> AsyncIterator[PmoServer]:
    """An empty PMO mock on loopback."""
    async with run_pmo(now=mock_now) as server:
        yield server


@pytest_asyncio.fixture
async def pasis_demo_server(mock_now: datetime) -> AsyncIterator[PasisServer]:
    """A PASiS mock with the demo data."""
    async with run_pasis(now=mock_now, demo_data=True) as server:
        yield server


@pytest_asyncio.fixture
async def pmo_demo_server(mock_now: datetime) -> AsyncIterator[PmoServer]:
    """A PMO mock with the demo data."""
    async with run_pmo(now=mock_now, demo_data=True) as server:
        yield server


@pytest_asyncio.fixture
async def riv_server(mock_now: datetime) -> AsyncIterator[RivServer]:
    """An empty riv (crm:scheduling producer) mock on loopback."""
    async with run_riv(now=mock_now) as server:
        yield server


@pytest_asyncio.fixture
async def riv_demo_server(mock_now: datetime) -> AsyncIterator[RivServer]:
    """A riv mock with the demo data."""
    async with run_riv(now=mock_now, demo_data=True) as server:
        yield server
