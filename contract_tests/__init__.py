"""tidbok_contract: the contract suite every scheduling-system plugin must pass.

It is a pytest plugin (registered through the ``pytest11`` entry point) plus base test classes
grouped by feature. Run it against an installed system with::

    pytest --pyargs tidbok_contract --tidbok-system pmo

or ``tidbok contract pmo``. Without ``--tidbok-system`` the plugin only adds its options, so it
never changes another project's test run. See ``docs/contract-tests.md``.
"""

from tidbok_contract.markers import known_failure, requires

__all__ = ["known_failure", "requires"]
