"""The command-line options of the contract suite, parsed once into :class:`ContractOptions`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

OPTIONS_KEY = pytest.StashKey["ContractOptions"]()

#: pytest plugins a contract run never needs, blocked where the kit starts pytest itself: loading
#: schemathesis and hypothesis took over half of each run's start-up (2.8 s -> 1.2 s).
UNRELATED_PLUGINS: tuple[str, ...] = ("-p", "no:schemathesis", "-p", "no:hypothesispytest")


@dataclass(frozen=True)
class ContractOptions:
    """What the user asked for on the command line."""

    system: str
    url: str | None = None
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    """Secrets for the real environment; never shown (not in ``repr``, not in errors)."""
    known_failures: str | None = None
    plugins: tuple[str, ...] = ()
    results: str | None = None
    variant: str | None = None
    """Which of the system's contract targets (``None``: its first, usually its mock)."""

    @property
    def real(self) -> bool:
        """Whether to run against a real test environment instead of the mock."""
        return self.url is not None


def add_options(parser: pytest.Parser) -> None:
    """Register the ``--tidbok-*`` options."""
    group = parser.getgroup("tidbok", "tidbok contract suite")
    group.addoption(
        "--tidbok-system",
        metavar="NAME",
        help="run the tidbok contract suite against this scheduling system (e.g. pmo)",
    )
    group.addoption(
        "--tidbok-url",
        metavar="URL",
        help="a real test environment's base URL (default: the system's mock, in-process)",
    )
    group.addoption(
        "--tidbok-credential",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a credential for the real test environment (repeatable)",
    )
    group.addoption(
        "--tidbok-known-failures",
        metavar="FILE",
        help="TOML file of vendor-declared known failures, each with a reason",
    )
    group.addoption(
        "--tidbok-plugin",
        metavar="MODULE",
        action="append",
        default=[],
        help="import MODULE and register it as a tidbok plugin (besides installed ones)",
    )
    group.addoption(
        "--tidbok-variant",
        metavar="NAME",
        help="another contract target of the system, e.g. riv's round trip 'via-pasis'",
    )
    group.addoption(
        "--tidbok-results",
        metavar="FILE",
        help="write every contract test's outcome, feature and reason to FILE as JSON",
    )


def parse(config: pytest.Config) -> ContractOptions | None:
    """The options, or None when ``--tidbok-system`` was not given."""
    system = config.getoption("tidbok_system")
    if not system:
        for name in ("tidbok_url", "tidbok_known_failures", "tidbok_results", "tidbok_variant"):
            if config.getoption(name):
                raise pytest.UsageError(f"--{name.replace('_', '-')} needs --tidbok-system")
        return None
    credentials: dict[str, str] = {}
    for pair in config.getoption("tidbok_credential"):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise pytest.UsageError(
                "--tidbok-credential expects KEY=VALUE (the argument is not shown)"
            )
        credentials[key] = value
    url = config.getoption("tidbok_url")
    if credentials and url is None:
        raise pytest.UsageError("--tidbok-credential needs --tidbok-url (a real environment)")
    return ContractOptions(
        system=system,
        url=url,
        credentials=credentials,
        known_failures=config.getoption("tidbok_known_failures"),
        plugins=tuple(config.getoption("tidbok_plugin")),
        results=config.getoption("tidbok_results"),
        variant=config.getoption("tidbok_variant"),
    )
