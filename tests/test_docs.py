"""The documentation keeps up with the code (in the spirit of datasette's ``test_docs.py``).

docs/plugin-authors.md documents every hook (the core's and the contract kit's), each of its
arguments, and every name of the public API (``tidbok.__all__``); docs/architecture.md names every
module of the core and every package folder. A new hook, argument, public name or module without
its documentation fails here.

Names count only inside backticks and as whole words: `Slot` is not satisfied by `SlotTaken`,
nor `tidbok.routing` by `tidbok.routing_table`.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import tidbok
import tidbok.hookspecs
import tidbok_contract.hookspecs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CORE = ROOT / "core" / "tidbok"
HOOKSPEC_MODULES = [tidbok.hookspecs, tidbok_contract.hookspecs]
SPEC_MARK = "tidbok_spec"
"""The attribute pluggy's ``HookspecMarker("tidbok")`` sets on a hook specification."""


def hookspecs(module: ModuleType) -> list[Callable[..., Any]]:
    """The hook specifications a module defines (functions carrying pluggy's marker)."""
    return [
        function
        for _, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and hasattr(function, SPEC_MARK)
    ]


HOOKS = [hook for module in HOOKSPEC_MODULES for hook in hookspecs(module)]
HOOK_ARGUMENTS = [
    (hook.__name__, argument) for hook in HOOKS for argument in inspect.signature(hook).parameters
]


def without_code_blocks(markdown: str) -> str:
    """The text without fenced code blocks, so that only inline code spans remain."""
    return re.sub(r"^```.*?^```[^\n]*$", "", markdown, flags=re.M | re.S)


def code_names(markdown: str) -> set[str]:
    """Every identifier, dotted name and path that appears inside an inline code span."""
    names: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", without_code_blocks(markdown)):
        for token in re.findall(r"[\w./]+", span):
            names.add(token.strip("./"))
            names.update(re.findall(r"\w+", token))
    return names


def section(markdown: str, heading: str) -> str:
    """The text under the first heading matching ``heading``, up to the next heading as high."""
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        found = re.match(r"(#+)\s", line)
        if found and re.search(heading, line):
            level = len(found.group(1))
            body = []
            for following in lines[index + 1 :]:
                higher = re.match(r"(#+)\s", following)
                if higher and len(higher.group(1)) <= level:
                    break
                body.append(following)
            return "\n".join(body)
    raise AssertionError(f"no heading matching {heading!r}")


def hook_section(hook_name: str) -> str:
    """The section of docs/plugin-authors.md whose heading names the hook in backticks."""
    return section(PLUGIN_AUTHORS, rf"`{hook_name}\b[^`]*`")


PLUGIN_AUTHORS = (DOCS / "plugin-authors.md").read_text(encoding="utf-8")
ARCHITECTURE = (DOCS / "architecture.md").read_text(encoding="utf-8")


def test_the_hooks_are_found() -> None:
    names = {hook.__name__ for hook in HOOKS}
    assert {"tidbok_scheduling_systems", "tidbok_contract_targets"} <= names
    assert all(name.startswith("tidbok_") for name in names)


@pytest.mark.parametrize("hook", [hook.__name__ for hook in HOOKS])
def test_every_hook_has_a_section_in_plugin_authors(hook: str) -> None:
    assert hook_section(hook).strip(), f"the section on {hook} is empty"


@pytest.mark.parametrize(("hook", "argument"), HOOK_ARGUMENTS)
def test_every_hook_argument_is_documented_in_its_section(hook: str, argument: str) -> None:
    assert argument in code_names(hook_section(hook)), f"`{argument}` of {hook} is undocumented"


def test_the_public_api_reference_is_a_section() -> None:
    assert section(PLUGIN_AUTHORS, r"Public API").strip()


@pytest.mark.parametrize("name", tidbok.__all__)
def test_every_public_name_is_in_the_public_api_reference(name: str) -> None:
    assert name in code_names(section(PLUGIN_AUTHORS, r"Public API")), f"`{name}` is undocumented"


def test_plugin_author_examples_import_only_the_public_surface() -> None:
    """Code examples import ``from tidbok import ...``, never an internal submodule."""
    internal = re.findall(r"^\s*(?:from|import)\s+(tidbok\.[\w.]+)", PLUGIN_AUTHORS, re.M)
    assert internal == []


def core_modules() -> list[Path]:
    """Every module file of the core, ``__init__`` and ``__main__`` left out."""
    return [
        path
        for path in sorted(CORE.rglob("*.py"))
        if path.name not in {"__init__.py", "__main__.py"}
    ]


@pytest.mark.parametrize(
    "path", core_modules(), ids=[str(path.relative_to(CORE)) for path in core_modules()]
)
def test_every_core_module_is_on_the_architecture_map(path: Path) -> None:
    relative = path.relative_to(CORE)
    dotted = ".".join(("tidbok", *relative.with_suffix("").parts))
    spellings = {dotted, relative.as_posix(), f"tidbok/{relative.as_posix()}"}
    if len(relative.parts) == 1:
        spellings.add(relative.name)  # `routing.py` is unambiguous at the top of the core
    assert spellings & code_names(ARCHITECTURE), f"docs/architecture.md does not name {dotted}"


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_ROOTS = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["where"]
PACKAGES = [
    (where, folder.name)
    for where in PACKAGE_ROOTS
    for folder in sorted((ROOT / where).iterdir())
    if (folder / "__init__.py").is_file()
]


def test_every_package_root_holds_a_package() -> None:
    assert {where for where, _ in PACKAGES} == set(PACKAGE_ROOTS)


@pytest.mark.parametrize(("where", "package"), PACKAGES)
def test_every_package_and_its_folder_are_on_the_architecture_map(where: str, package: str) -> None:
    names = code_names(ARCHITECTURE)
    assert package in names, f"docs/architecture.md does not name the package {package}"
    assert where in names or f"{where}/{package}" in names, f"no folder {where}/ for {package}"
