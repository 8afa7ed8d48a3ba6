"""The plugin author's reference (docs/reference.md), generated from the code itself.

Every name of the public surface (``tidbok.__all__``, the contract kit's seeding vocabulary)
with its signature, its docstring, and for models, enums and dataclasses every field with its
type, default and the docstring written under it. A test regenerates the page and fails when the
committed one differs, so the reference cannot drift from the code::

    python -m tidbok_contract.reference > docs/reference.md
"""

from __future__ import annotations

import ast
import contextlib
import enum
import inspect
import itertools
import re
import textwrap
from collections.abc import Iterator
from dataclasses import MISSING, fields, is_dataclass
from typing import Any

import tidbok
from tidbok_contract import seeding

HEADER = """# Reference for plugin authors

Generated from the code's docstrings and type hints by `python -m tidbok_contract.reference`
(a test keeps this page equal to its output). The guide is [plugin-authors.md](plugin-authors.md);
the contract suite is [contract-tests.md](contract-tests.md).
"""

#: The contract kit's names a plugin's seeder and contract target use.
SEEDING_NAMES = (
    "ContractTarget",
    "ContractEnvironment",
    "ContractSeeder",
    "FaultKind",
    "FaultTarget",
    "SeededInvitation",
    "AppointmentRecord",
    "SeedingUnsupported",
)


def field_docs(cls: type) -> dict[str, str]:
    """The docstrings written right under each attribute of ``cls`` (the class body only)."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    tree = ast.parse(source)
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for statement, following in itertools.pairwise(body):
        target = None
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            target = statement.target.id
        elif isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            target = statement.targets[0].id
        if (
            target is not None
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[target] = " ".join(following.value.value.split())
    return docs


def _doc(value: Any) -> str:
    return inspect.cleandoc(value.__doc__ or "").strip() or "(no docstring)"


def _model_rows(cls: type) -> Iterator[str]:
    notes = field_docs(cls)
    model_fields: dict[str, Any] = getattr(cls, "model_fields", {})
    for name, info in model_fields.items():
        annotation = getattr(info.annotation, "__name__", None) or str(info.annotation)
        default = "required" if info.is_required() else f"`{info.get_default()!r}`"
        yield f"| `{name}` | `{annotation}` | {default} | {notes.get(name, '')} |"


def _dataclass_rows(cls: type) -> Iterator[str]:
    notes = field_docs(cls)
    for item in fields(cls):
        annotation = item.type if isinstance(item.type, str) else getattr(item.type, "__name__", "")
        default = "required" if item.default is MISSING else f"`{item.default!r}`"
        yield f"| `{item.name}` | `{annotation}` | {default} | {notes.get(item.name, '')} |"


def _attributes(cls: type) -> Iterator[str]:
    """Public class attributes of a plain class (not a model, dataclass or enum) with their
    docstrings, e.g. what a subclass declares (``HttpSchedulingAdapter.errors``)."""
    for name, doc in field_docs(cls).items():
        if not name.startswith("_"):
            yield f"- `{name}` (attribute): {doc}"


def _members(cls: type) -> Iterator[str]:
    """Public methods and properties defined by ``cls`` itself, with signature and summary."""
    for name, member in cls.__dict__.items():
        if name.startswith("_"):
            continue
        target = member.fget if isinstance(member, property) else member
        if isinstance(target, classmethod | staticmethod):
            target = target.__func__
        if not callable(target) or not getattr(target, "__doc__", None):
            continue
        try:
            signature = (
                str(inspect.signature(target)).replace("(self, ", "(").replace("(self)", "()")
            )
        except (TypeError, ValueError):
            signature = ""
        summary = _doc(target).split("\n\n")[0].replace("\n", " ")
        kind = "property" if isinstance(member, property) else "method"
        shown = name if kind == "property" else f"{name}{signature}"
        yield f"- `{shown}` ({kind}): {summary}"


def describe(name: str, value: Any) -> str:
    """One name's section."""
    lines = [f"### `{name}`", ""]
    if inspect.isclass(value):
        lines += [_doc(value), ""]
        if issubclass(value, enum.Enum):
            notes = field_docs(value)
            lines += ["| member | value | meaning |", "|---|---|---|"]
            lines += [f"| `{m.name}` | `{m.value}` | {notes.get(m.name, '')} |" for m in value]
            lines.append("")
        elif hasattr(value, "model_fields"):
            lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
            lines += [*_model_rows(value), ""]
        elif is_dataclass(value):
            lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
            lines += [*_dataclass_rows(value), ""]
        plain = not (issubclass(value, enum.Enum) or hasattr(value, "model_fields"))
        attributes = list(_attributes(value)) if plain and not is_dataclass(value) else []
        members = [*attributes, *_members(value)]
        if members:
            lines += [*members, ""]
    elif callable(value):
        with contextlib.suppress(TypeError, ValueError):
            lines += [f"`{name}{inspect.signature(value)}`", ""]
        lines += [_doc(value), ""]
    else:
        lines += [f"`{name} = {value!r}`", ""]
    return "\n".join(lines)


def render() -> str:
    """The whole page."""
    parts = [HEADER, "## `tidbok`: the public API", ""]
    for name in sorted(tidbok.__all__, key=str.lower):
        parts.append(describe(name, getattr(tidbok, name)))
    parts += ["## `tidbok_contract.seeding`: contract targets, seeders, faults", ""]
    for name in SEEDING_NAMES:
        parts.append(describe(name, getattr(seeding, name)))
    text = "\n".join(parts).rstrip() + "\n"
    return re.sub(r" at 0x[0-9a-f]+>", ">", text)  # default values' reprs, the same every run


if __name__ == "__main__":
    print(render(), end="")
