"""``tidbok mock NAME``: run the mock server any installed plugin offers (``tidbok_mock_servers``).

The bundled mocks offer ``pasis``, ``pmo`` and ``riv``; a vendor's plugin offers the mock of its
own system the same way, so ``tidbok mock acme --port 0`` serves it.
"""

from __future__ import annotations

import argparse
import logging

from tidbok.commands import Commands, MockOffer
from tidbok.plugins import PluginRegistry

log = logging.getLogger("tidbok.cli")


def mock_offers(registry: PluginRegistry) -> dict[str, MockOffer]:
    """Every mock the registered plugins offer, by name (the first one wins; others logged)."""
    offers: dict[str, MockOffer] = {}
    for offered in registry.hook.tidbok_mock_servers():
        for offer in offered if isinstance(offered, list | tuple) else ():
            name = getattr(offer, "name", None)
            if not isinstance(name, str) or not callable(getattr(offer, "main", None)):
                log.error("a mock offer without name or main was ignored: %r", offer)
                continue
            if name in offers:
                log.error("two plugins offer a mock named %r; the first is used", name)
                continue
            offers[name] = offer
    return offers


def add_mock_command(commands: Commands, registry: PluginRegistry) -> None:
    """Add ``tidbok mock NAME [options]`` over the offered mocks."""
    offers = mock_offers(registry)
    listing = "; ".join(
        f"{name}: {getattr(offers[name], 'summary', '')}" for name in sorted(offers)
    )
    parser = commands.add(
        "mock",
        help="run a scheduling system's mock server ("
        + (", ".join(sorted(offers)) or "none")
        + ")",
        description="Serve the mock of an installed scheduling system until Ctrl-C; it prints "
        "its URL and credentials. The mocks offered by the installed plugins: "
        f"{listing or 'none'}. Options after NAME are the mock's own: "
        "tidbok mock NAME --help lists them.",
        run=lambda args: _run(args, offers),
    )
    parser.add_argument(
        "name",
        metavar="NAME",
        choices=sorted(offers),
        help="the mock to run: " + ", ".join(sorted(offers)),
    )
    parser.add_argument(
        "options", nargs=argparse.REMAINDER, help="the mock's own options, e.g. --port 0"
    )


def _run(args: argparse.Namespace, offers: dict[str, MockOffer]) -> int:
    return offers[args.name].main(list(args.options))
