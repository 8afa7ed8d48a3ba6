"""Shared bench helpers: mock processes, percentiles, tables, JSON results, the machine."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import platform
import re
import signal
import statistics
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
REPO_ROOT = BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def p50(samples: Sequence[float]) -> float:
    return statistics.median(samples)


@dataclass
class Row:
    """One measured figure, with its target if it has one."""

    name: str
    value: float | int | str
    unit: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class BenchResult:
    """A benchmark's rows and raw data, printed as a table and written as JSON."""

    name: str
    rows: list[Row] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        name: str,
        value: float | int | str,
        unit: str = "",
        target: str = "",
        met: bool | None = None,
    ) -> None:
        self.rows.append(Row(name, value, unit, target, met))

    def table(self) -> str:
        def shown(value: float | int | str) -> str:
            if isinstance(value, float):
                return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
            return f"{value:,}" if isinstance(value, int) else value

        header = ("figure", "measured", "target", "")
        lines = [
            (
                row.name,
                f"{shown(row.value)} {row.unit}".strip(),
                row.target,
                {True: "ok", False: "MISSED", None: ""}[row.met],
            )
            for row in self.rows
        ]
        widths = [
            max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)
        ]
        out = [f"== {self.name}"]
        for cells in (header, *lines):
            out.append(
                "  ".join(
                    str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)
                ).rstrip()
            )
        out.extend(f"   note: {note}" for note in self.notes)
        return "\n".join(out)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rows": [row.__dict__ for row in self.rows],
            "data": self.data,
            "notes": self.notes,
        }


def machine() -> dict[str, Any]:
    """nproc, CPU model, Python version and platform of this machine."""
    model = "unknown"
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
        if found:
            model = found.group(1).strip()
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_results(results: Sequence[BenchResult], total_seconds: float) -> Path:
    """Write all results as one JSON file in ``bench/results/``; return its path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"bench-{stamp}.json"
    payload = {
        "when": stamp,
        "machine": machine(),
        "total_seconds": total_seconds,
        "benchmarks": [result.as_json() for result in results],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    return path


@dataclass
class MockProcess:
    """A mock scheduling system running as its own process."""

    process: asyncio.subprocess.Process
    url: str
    system: str
    api_key: str = "pasis-dev-key"
    """PASiS: the X-Api-Key the mock expects (its default)."""

    @property
    def api_url(self) -> str:
        return self.url + ("/api/v2" if self.system == "pasis" else "/api/v1")

    @property
    def admin_url(self) -> str:
        return self.url + "/__admin"

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.admin_url, timeout=60.0) as client:
            response = await client.request(method, path, json=body)
            response.raise_for_status()
            return response.json() if response.content else None

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start_mock(system: str, now: datetime) -> MockProcess:
    """``python -m tidbok_mocks SYSTEM --no-demo-data --now NOW --port 0`` as a subprocess."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tidbok_mocks",
        system,
        "--no-demo-data",
        "--now",
        now.isoformat(),
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
    match = re.search(r"(http://\S+)", line)
    if match is None:
        raise RuntimeError(f"unexpected output from the {system} mock: {line!r}")
    # Keep reading so the pipe never fills.
    asyncio.get_running_loop().create_task(_drain(process.stdout))
    return MockProcess(process, match.group(1), system)


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


def personnummer(number: int) -> str:
    """The ``number``-th valid personnummer (born 1950-1999, check digit computed)."""
    year = 1950 + number % 50
    month = 1 + (number // 50) % 12
    day = 1 + (number // 600) % 28
    serial = (number // 16_800) % 1000 if number >= 16_800 else number % 1000
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{year}{month:02d}{day:02d}{serial:03d}{(10 - total % 10) % 10}"


async def start_json_server(script: Path, *args: str) -> tuple[asyncio.subprocess.Process, Any]:
    """Run ``script`` (a bench server) as a subprocess; return it and the JSON line it prints
    once it listens."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), *args, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
    if not line:
        raise RuntimeError(f"{script.name} exited before it listened")
    return process, json.loads(line)


async def stop_server(process: asyncio.subprocess.Process) -> None:
    """Terminate a bench server and wait for it."""
    if process.returncode is None:
        process.terminate()
        await process.wait()


def peak_rss_mib(pid: int, field: str = "VmHWM") -> float:
    """A process's peak (``VmHWM``) or current (``VmRSS``) resident memory in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


class BaselineMissing(RuntimeError):
    """A ratio's baseline was not measured in this run: the ratio would be meaningless."""


def ratio(measured: float, baseline: float | None, what: str) -> float:
    """``measured / baseline``; raise :class:`BaselineMissing` if the baseline is missing or not a
    positive number (a benchmark never prints a ratio against nothing)."""
    if baseline is None or not baseline > 0:
        raise BaselineMissing(f"the baseline for {what} was not measured ({baseline!r})")
    return measured / baseline


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM: how a bench server knows to stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def run_server(serve: Callable[[], Awaitable[None]]) -> int:
    """A bench server's ``main``: errors only in the log, ``serve()`` until it returns."""
    logging.basicConfig(level=logging.ERROR)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0
