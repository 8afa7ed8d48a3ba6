"""The contract suite's base test classes, one module per feature.

Each class is abstract (its name does not start with ``Test``); :mod:`tidbok_contract.suite`
subclasses them into collectable ``Test*`` classes. A vendor can subclass them too and override or
extend tests, the way SQLAlchemy's dialect suite and fsspec's abstract tests are used.
"""
