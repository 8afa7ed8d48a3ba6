"""tidbok_contract: the contract suite every scheduling-system plugin must pass.

It is a pytest plugin (registered through the ``pytest11`` entry point) plus base test classes
grouped by feature. Run it against an installed system with::

    pytest --pyargs tidbok_contract --tidbok-system pmo

or ``tidbok contract pmo``. Without ``--tidbok-system`` the plugin only adds its options, so it
never changes another project's test run. See ``docs/contract-tests.md``.

``known_failure`` and ``requires`` are re-exported lazily, so importing this package (for the
``tidbok`` command) does not import pytest.
"""

from __future__ import annotations

from typing import Any

__all__ = ["known_failure", "requires"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tidbok_contract import markers

        return getattr(markers, name)
    raise AttributeError(f"module 'tidbok_contract' has no attribute {name!r}")
