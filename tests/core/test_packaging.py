"""The distribution's layout and the import rules between its packages.

Each package lives in a folder named like it (``core/tidbok``, ``mocks/tidbok_mocks``, ...), and
the rules of docs/architecture.md hold: the core never imports a built-in plugin, the mocks, the
contract kit or the demo; the mocks never import ``tidbok``. The rules are checked on the parsed
imports of every module (``import x``, ``from x import y``, function-level imports included).
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACKAGE_FOLDERS = {
    "tidbok": ROOT / "core" / "tidbok",
    "tidbok_pasis": ROOT / "plugins" / "pasis" / "tidbok_pasis",
    "tidbok_pmo": ROOT / "plugins" / "pmo" / "tidbok_pmo",
    "tidbok_riv": ROOT / "plugins" / "riv" / "tidbok_riv",
    "tidbok_mocks": ROOT / "mocks" / "tidbok_mocks",
    "tidbok_contract": ROOT / "contract_tests" / "tidbok_contract",
    "tidbok_demo": ROOT / "demo" / "tidbok_demo",
}


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every absolute import in a Python file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def offenders(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    """``path:line module`` for each import of a forbidden top-level package under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for line, module in imported_modules(path):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)}:{line} {module}")
    return found


def test_every_package_lives_in_a_folder_named_like_it() -> None:
    for name, folder in PACKAGE_FOLDERS.items():
        assert (folder / "__init__.py").is_file(), f"{name} is not in {folder.relative_to(ROOT)}"


def test_setuptools_finds_the_packages_under_their_roots() -> None:
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    roots = {str(folder.parent.relative_to(ROOT)) for folder in PACKAGE_FOLDERS.values()}
    assert set(find["where"]) >= roots
    assert find["include"] == ["tidbok*"]  # never a bare `core` or `mocks` package


def test_mypy_checks_every_package_from_its_configuration() -> None:
    assert set(PYPROJECT["tool"]["mypy"]["packages"]) >= set(PACKAGE_FOLDERS)


def test_the_core_never_imports_plugins_mocks_contract_kit_or_demo() -> None:
    forbidden = ("tidbok_pasis", "tidbok_pmo", "tidbok_riv", "tidbok_mocks", "tidbok_contract")
    assert offenders(PACKAGE_FOLDERS["tidbok"], (*forbidden, "tidbok_demo")) == []


def test_the_mocks_never_import_tidbok() -> None:
    forbidden = (
        "tidbok",
        "tidbok_pasis",
        "tidbok_pmo",
        "tidbok_riv",
        "tidbok_contract",
        "tidbok_demo",
    )
    assert offenders(PACKAGE_FOLDERS["tidbok_mocks"], forbidden) == []


BUILTIN_PLUGINS = ("tidbok_pasis", "tidbok_pmo", "tidbok_riv")


@pytest.mark.parametrize("plugin", BUILTIN_PLUGINS)
def test_a_builtin_plugin_never_imports_another(plugin: str) -> None:
    others = tuple(name for name in BUILTIN_PLUGINS if name != plugin)
    assert offenders(PACKAGE_FOLDERS[plugin], others) == []


def test_the_rule_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("def later():\n    from tidbok_mocks.pasis import demo\n    import os\n")
    assert [name for _, name in imported_modules(module)] == ["tidbok_mocks.pasis", "os"]


PUBLIC_SURFACE_USERS = [
    *sorted(PACKAGE_FOLDERS["tidbok_pasis"].rglob("*.py")),
    *sorted(PACKAGE_FOLDERS["tidbok_pmo"].rglob("*.py")),
    *sorted(PACKAGE_FOLDERS["tidbok_riv"].rglob("*.py")),
    *sorted((PACKAGE_FOLDERS["tidbok_contract"] / "template").rglob("*.py.tmpl")),
]


#: Public subpackages: their ``__all__`` is as stable as ``tidbok.__all__`` (``tidbok.crm``: the
#: crm:scheduling wire, for plugins that speak it).
PUBLIC_SUBPACKAGES = ("tidbok.crm",)


def core_imports(text: str, module: str = "tidbok") -> tuple[list[str], list[str]]:
    """``(internal modules, names)`` a source text imports from the core (``module``).

    Works on templates too (they are not valid Python until rendered), so it reads the text.
    """
    internal = [
        name
        for name in re.findall(r"^\s*(?:from|import)\s+(tidbok\.[\w.]+)", text, re.M)
        if name not in PUBLIC_SUBPACKAGES
    ]
    names = [
        name.strip().split(" as ")[0].strip()
        for wrapped, single in re.findall(
            rf"^\s*from {re.escape(module)} import (?:\(([^)]*)\)|([^\n]*))", text, re.M
        )
        for name in (wrapped or single).replace("\n", ",").split(",")
        if name.strip() and not name.strip().startswith("#")
    ]
    return internal, names


def test_the_import_reader_sees_internal_modules_and_names() -> None:
    text = "from tidbok import (\n    Slot,\n    hookimpl,\n)\nfrom tidbok.service import X\n"
    assert core_imports(text) == (["tidbok.service"], ["Slot", "hookimpl"])


@pytest.mark.parametrize(
    "path", PUBLIC_SURFACE_USERS, ids=[str(p.relative_to(ROOT)) for p in PUBLIC_SURFACE_USERS]
)
def test_builtin_plugins_and_the_template_import_only_the_public_surface(path: Path) -> None:
    """A plugin needs nothing but ``from tidbok import ...``; submodules are internal."""
    import tidbok
    import tidbok.crm

    text = path.read_text()
    internal, names = core_imports(text)
    assert internal == [], f"{path.name} imports internal modules"
    assert sorted(set(names) - set(tidbok.__all__)) == []
    _, crm_names = core_imports(text, "tidbok.crm")
    assert sorted(set(crm_names) - set(tidbok.crm.__all__)) == []


def test_builtin_plugins_register_through_the_vendor_entry_point_group() -> None:
    group = PYPROJECT["project"]["entry-points"]["tidbok"]
    assert group == {
        "pasis": "tidbok_pasis",
        "pmo": "tidbok_pmo",
        "riv": "tidbok_riv",
        "mocks": "tidbok_mocks.commands",
        "contract": "tidbok_contract.cli",
        "demo": "tidbok_demo.commands",
    }
