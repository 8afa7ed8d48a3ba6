"""``tidbok new-plugin NAME``: write a plugin distribution from the template in ``template/``.

The result is a separate distribution with its own ``pyproject.toml`` (a ``tidbok`` entry point),
an adapter skeleton whose operations raise a typed "not implemented yet" error, a seeder
skeleton, a contract target and a test that runs the contract suite. ``example=True`` writes a
complete plugin over an in-memory sandbox instead, which passes the suite as generated.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from string import Template

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

#: Output path (relative, with ``{package}``) -> template file, for the skeleton.
SKELETON = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    ".gitignore": "gitignore.tmpl",
    "src/{package}/__init__.py": "init.py.tmpl",
    "src/{package}/system.py": "system.py.tmpl",
    "src/{package}/adapter.py": "adapter.py.tmpl",
    "src/{package}/seeder.py": "seeder.py.tmpl",
    "tests/test_contract.py": "test_contract.py.tmpl",
}
#: What ``--example`` writes instead of, or besides, the skeleton's files.
EXAMPLE = {
    **SKELETON,
    "src/{package}/adapter.py": "adapter_example.py.tmpl",
    "src/{package}/seeder.py": "seeder_example.py.tmpl",
    "src/{package}/sandbox.py": "sandbox.py.tmpl",
}


class TemplateError(ValueError):
    """The plugin cannot be written (bad name, or the folder is not empty)."""


def names(name: str) -> dict[str, str]:
    """The template's placeholders for a system name."""
    if not _NAME.fullmatch(name):
        raise TemplateError(f"{name!r}: use lower-case letters, digits and _ (e.g. 'acme')")
    words = name.split("_")
    return {
        "name": name,
        "package": f"tidbok_{name}",
        "dist": name.replace("_", "-"),
        "cls": "".join(word.capitalize() for word in words),
        "display": " ".join(word.capitalize() for word in words),
    }


def render(template_name: str, values: dict[str, str]) -> str:
    """One template file with its placeholders filled in."""
    text = (
        resources.files("tidbok_contract")
        .joinpath("template", template_name)
        .read_text(encoding="utf-8")
    )
    return Template(text).substitute(values)


def write_plugin(name: str, target: Path, example: bool = False) -> list[Path]:
    """Write the plugin into ``target`` (created; must be empty). Returns the files written."""
    values = names(name)
    if target.exists() and any(target.iterdir()):
        raise TemplateError(f"{target} is not empty")
    written: list[Path] = []
    for relative, template_name in (EXAMPLE if example else SKELETON).items():
        path = target / relative.format(package=values["package"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template_name, values), encoding="utf-8")
        written.append(path)
    typed = target / "src" / values["package"] / "py.typed"
    typed.write_text("", encoding="utf-8")
    written.append(typed)
    return written
