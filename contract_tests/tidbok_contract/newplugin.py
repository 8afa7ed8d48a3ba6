"""``tidbok new-plugin NAME``: write a plugin distribution from the template in ``template/``.

The result is a separate distribution with its own ``pyproject.toml`` (a ``tidbok`` entry point),
an adapter skeleton whose operations raise a typed "not implemented yet" error, a seeder
skeleton, a contract target and a test that runs the contract suite. ``example=True`` writes a
complete plugin over an in-memory sandbox instead, which passes the suite as generated.
``http=True`` writes a complete plugin over HTTP: an adapter on ``HttpSchedulingAdapter``, a mock of
its small JSON API on the public mock kit (``tidbok_mocks.kit``), a seeder over the kit's admin API
and the ``tidbok_mock_servers`` hook; it passes the suite as generated too.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
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
#: What ``--http`` writes: the vendor code (system, adapter, mock) and its contract kit.
HTTP = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "http/README.md.tmpl",
    ".gitignore": "gitignore.tmpl",
    "src/{package}/__init__.py": "http/init.py.tmpl",
    "src/{package}/system.py": "http/system.py.tmpl",
    "src/{package}/adapter.py": "http/adapter.py.tmpl",
    "src/{package}/mock.py": "http/mock.py.tmpl",
    "src/{package}/seeder.py": "http/seeder.py.tmpl",
    "tests/test_contract.py": "test_contract.py.tmpl",
}
#: The generated files that are the vendor's own code, counted against the line budget.
HTTP_VENDOR_CODE = ("system.py", "adapter.py", "mock.py")
#: The most lines the vendor code of ``--http`` may have (see :func:`code_lines`).
HTTP_LINE_BUDGET = 250


#: Tokens that carry no code: comments, line ends, indentation.
_NOT_CODE = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
)


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


def write_plugin(
    name: str, target: Path, example: bool = False, *, http: bool = False
) -> list[Path]:
    """Write the plugin into ``target`` (created; must be empty). Returns the files written."""
    values = names(name)
    if example and http:
        raise TemplateError("choose --example or --http, not both")
    if target.exists() and any(target.iterdir()):
        raise TemplateError(f"{target} is not empty")
    written: list[Path] = []
    files = HTTP if http else EXAMPLE if example else SKELETON
    for relative, template_name in files.items():
        path = target / relative.format(package=values["package"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template_name, values), encoding="utf-8")
        written.append(path)
    typed = target / "src" / values["package"] / "py.typed"
    typed.write_text("", encoding="utf-8")
    written.append(typed)
    return written


def code_lines(text: str) -> int:
    """Physical lines of Python code in ``text``: every line that carries code counts, so a
    statement the formatter wraps over three lines counts three; blank lines, comment-only lines
    and docstring lines (module, class, function and attribute docstrings) do not."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        for statement in body if isinstance(body, list) else ():
            value = statement.value if isinstance(statement, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                end = statement.end_lineno or statement.lineno
                docstrings.update(range(statement.lineno, end + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type not in _NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)
