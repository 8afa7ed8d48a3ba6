"""The contract suite as collected by ``pytest --pyargs tidbok_contract --tidbok-system NAME``.

Without ``--tidbok-system`` every test here is skipped with that reason.
"""

from __future__ import annotations

import pytest

from tidbok_contract.suite import *  # noqa: F403

pytestmark = pytest.mark.skipif(
    "not config.getoption('tidbok_system')",
    reason="the contract suite needs --tidbok-system NAME",
)
