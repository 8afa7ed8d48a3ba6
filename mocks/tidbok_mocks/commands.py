"""The bundled mocks as ``tidbok mock pasis|pmo|riv``, offered through ``tidbok_mock_servers``.

Registered in the ``tidbok`` entry-point group like any plugin. The mocks never import ``tidbok``:
the hook marker is pluggy's own, for the project name ``tidbok``, and an offer is any object with
``name``, ``summary`` and ``main(argv)`` (``tidbok.commands.MockOffer``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pluggy

hookimpl = pluggy.HookimplMarker("tidbok")


@dataclass(frozen=True)
class BundledMock:
    """One bundled mock, served by ``python -m tidbok_mocks NAME`` (:mod:`.standalone`)."""

    name: str
    summary: str

    def main(self, argv: list[str]) -> int:
        """Serve the mock with ``argv`` (its options) until interrupted."""
        from .standalone import main

        return main([self.name, *argv])


@hookimpl
def tidbok_mock_servers() -> list[BundledMock]:
    """The bundled mocks: PASiS, PMO and a crm:scheduling 1.1 producer."""
    return [
        BundledMock("pasis", "mock PASiS API with Swedish demo data"),
        BundledMock("pmo", "mock PMO API (OAuth2) with Swedish demo data"),
        BundledMock("riv", "mock crm:scheduling 1.1 producer (SOAP) with Swedish demo data"),
    ]
