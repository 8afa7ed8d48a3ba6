"""The distribution ships every package under its import name, and the core stays plugin-neutral."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_subpackage_is_listed_in_pyproject() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    for name, folder in setuptools["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            dotted = ".".join((name, *relative.parts))
            assert dotted in listed, f"{dotted} is missing from [tool.setuptools] packages"


def test_no_bare_core_or_mocks_package_is_installed() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert all(name.startswith("tidbok") for name in setuptools["packages"])


def test_the_core_never_imports_the_builtin_plugins() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "core").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+tidbok_(pasis|pmo)\b", path.read_text(), re.M)
    ]
    assert offenders == []


def test_builtin_plugins_register_through_the_vendor_entry_point_group() -> None:
    group = PYPROJECT["project"]["entry-points"]["tidbok"]
    assert group == {"pasis": "tidbok_pasis", "pmo": "tidbok_pmo"}
