"""Run every benchmark, print a table per benchmark with its targets, write JSON to bench/results/.

Usage (from the repository root)::

    .venv/bin/python bench/run.py [--quick] [--only NAME ...]

``--quick`` shortens every run (for trying the harness); the figures in docs/performance.md come
from a full run, which takes about three minutes on a 2-core machine. ``--only`` runs just the
named benchmarks (e.g. ``--only riv`` while working on the SOAP producer).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fanout_bench
import forwarder_bench
import gateway_bench
import memory_bench
import mock_throughput
import outbox_bench
import replicas_bench
import riv_bench
import service_bench
from common import BenchResult, machine, write_results


async def mock_rates(seconds: float) -> BenchResult:
    result = BenchResult("mocks: slot searches per second on loopback (16 concurrent clients)")
    for system in ("pasis", "pmo"):
        rate = await mock_throughput.measure(system, seconds, 16)
        result.add(f"{system} mock", rate, "/s")
    return result


STEPS = (
    "fan-out",
    "by-backend",
    "overhead",
    "gateway",
    "forwarder",
    "memory",
    "replicas",
    "riv",
    "outbox",
    "mocks",
)
"""The benchmarks, in the order they run."""


async def main_async(quick: bool, only: Sequence[str] = STEPS) -> list[BenchResult]:
    results: list[BenchResult] = []

    async def step(
        name: str, runner: Callable[[], Awaitable[BenchResult | list[BenchResult]]]
    ) -> None:
        if name not in only:
            return
        print(f"... {name}", file=sys.stderr, flush=True)
        produced = await runner()
        for result in produced if isinstance(produced, list) else [produced]:
            results.append(result)
            print(result.table(), flush=True)
            print(flush=True)

    await step("fan-out", lambda: fanout_bench.fanout(rounds=5 if quick else 20))
    await step("by-backend", lambda: fanout_bench.fanout_by_backend(rounds=5 if quick else 20))
    await step("overhead", lambda: service_bench.overhead(rounds=50 if quick else 300))
    await step("gateway", lambda: gateway_bench.run(seconds=2.0 if quick else 5.0))
    await step("forwarder", lambda: forwarder_bench.run(seconds=2.0 if quick else 5.0))
    await step("memory", lambda: memory_bench.run())
    await step("replicas", lambda: replicas_bench.run(rounds=1 if quick else 3))
    await step(
        "riv",
        lambda: riv_bench.run(
            rounds=50 if quick else 150,
            repetitions=2 if quick else 3,
            seconds=0.5 if quick else 1.0,
        ),
    )
    await step("outbox", lambda: outbox_bench.run(2_000 if quick else outbox_bench.ACTIVITIES))
    await step("mocks", lambda: mock_rates(1.0 if quick else 3.0))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run tidbok's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="short runs, to try the harness")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=STEPS,
        default=list(STEPS),
        metavar="NAME",
        help=f"run only these benchmarks ({', '.join(STEPS)})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    info = machine()
    print(f"machine: {info['nproc']} x {info['cpu']}; Python {info['python']}; {info['platform']}")
    print()
    began = time.perf_counter()
    results = asyncio.run(main_async(args.quick, args.only))
    total = time.perf_counter() - began
    path = write_results(results, total)
    missed = [f"{r.name}: {row.name}" for r in results for row in r.rows if row.met is False]
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    print(f"all benchmarks in {total:.0f} s (budget 300 s); JSON: {shown}")
    if missed:
        print("targets missed (see docs/performance.md for the reasons):")
        for line in missed:
            print(f"  - {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
