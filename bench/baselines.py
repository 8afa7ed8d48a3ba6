"""Baselines without tidbok, measured in the same run as the figure they judge.

The floor for a Python client is aiohttp's own client: the same requests to the same mock, one
pooled ``aiohttp.ClientSession``, the JSON parsed, nothing else. A ratio against these says what
tidbok adds; against httpx it would also say what httpx adds.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp


class AiohttpBaseline:
    """One pooled aiohttp session to a mock's API; ``limit`` connections at most."""

    def __init__(self, base_url: str, headers: Mapping[str, str], limit: int = 100) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = dict(headers)
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> AiohttpBaseline:
        connector = aiohttp.TCPConnector(limit=self._limit)
        self._session = aiohttp.ClientSession(connector=connector, headers=self._headers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def get_json(self, path: str, params: Mapping[str, Any]) -> Any:
        """GET ``path`` with ``params``; the parsed JSON (an error status raises)."""
        assert self._session is not None, "use AiohttpBaseline as an async context manager"
        query = {key: str(value) for key, value in params.items()}
        async with self._session.get(self._base_url + path, params=query) as response:
            response.raise_for_status()
            return json.loads(await response.read())

    async def fan_out(
        self, requests: Sequence[tuple[str, Mapping[str, Any]]], rounds: int, warm_up: int = 3
    ) -> list[float]:
        """Seconds per round of all ``requests`` at once, after ``warm_up`` unmeasured rounds."""
        samples: list[float] = []
        for index in range(rounds + warm_up):
            started = time.perf_counter()
            await asyncio.gather(*(self.get_json(path, params) for path, params in requests))
            if index >= warm_up:
                samples.append(time.perf_counter() - started)
        return samples
