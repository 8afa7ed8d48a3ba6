"""The pytest plugin (``pytest11`` entry point ``tidbok_contract``).

Without ``--tidbok-system`` it only adds its options and markers: no fixtures, no collection
changes, so other projects' test runs are unaffected. Where respx is installed it also makes respx
route calls made over tidbok's backend transport (:mod:`tidbok_contract.respx_backend`), so a
plugin's respx tests mock its adapter's backend calls as they mock any httpx call. With
``--tidbok-system``, it registers the suite's fixtures, applies known failures and tags each
contract test with its feature for the compliance report.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

# The contract tests live in these modules, not in the collected test file; have pytest rewrite
# their asserts so a vendor sees the values (``assert 'booked' == 'cancelled'``), not a bare
# AssertionError. This must happen before anything imports them.
pytest.register_assert_rewrite(
    "tidbok_contract.features",
    "tidbok_contract.scenario",
    "tidbok_contract.suite",
    "tidbok_contract.fixtures",
)

from tidbok_contract import known_failures  # noqa: E402
from tidbok_contract.markers import MARKER_HELP  # noqa: E402
from tidbok_contract.options import OPTIONS_KEY, ContractOptions, add_options, parse  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--tidbok-*`` options."""
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register markers; activate the suite only when ``--tidbok-system`` is given."""
    for help_text in MARKER_HELP.values():
        config.addinivalue_line("markers", help_text)
    try:
        from tidbok_contract import respx_backend
    except ImportError:  # respx is not installed: nothing to route
        pass
    else:
        respx_backend.install()
    options = parse(config)
    if options is None:
        return
    config.stash[OPTIONS_KEY] = options
    from tidbok_contract import fixtures

    declared = known_failures.load(options.known_failures) if options.known_failures else {}
    config.pluginmanager.register(fixtures, "tidbok_contract.fixtures")
    config.pluginmanager.register(ActiveSuite(options, declared), "tidbok_contract.active")
    if options.results:
        from tidbok_contract.results import ResultsWriter

        config.pluginmanager.register(ResultsWriter(options), "tidbok_contract.results")


class ActiveSuite:
    """Hooks that only run when the suite is active."""

    def __init__(self, options: ContractOptions, declared: Mapping[str, str]) -> None:
        self.options = options
        self.declared = declared

    def pytest_report_header(self) -> str:
        """Name the system and where it runs."""
        where = self.options.url or "its mock, in-process"
        return f"tidbok contract suite: system {self.options.system} against {where}"

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Tag features for the report and turn declared known failures into strict xfails."""
        for item in items:
            cls = getattr(item, "cls", None)
            feature = getattr(cls, "feature", None)
            if feature:
                rules = getattr(cls, "rules", ())
                item.user_properties.append(("tidbok_feature", feature))
                item.user_properties.append(("tidbok_rules", ",".join(rules)))
        known_failures.apply(items, self.declared)
