"""tidbok: connects the 1177 patient portal to care units' scheduling systems.

The public surface for embedders and plugin authors is re-exported here; see
``docs/architecture.md`` for the map and ``docs/plugin-authors.md`` for writing a plugin.
"""

from importlib.metadata import PackageNotFoundError, version

import pluggy

try:
    __version__ = version("tidbok")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

#: Decorator for plugin hook implementations: ``@tidbok.hookimpl``.
hookimpl = pluggy.HookimplMarker("tidbok")

__all__ = ["__version__", "hookimpl"]
