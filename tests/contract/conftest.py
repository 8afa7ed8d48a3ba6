"""Markers for the contract kit's own tests."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: runs the contract suite or pip in a subprocess (seconds, still in CI)"
    )
