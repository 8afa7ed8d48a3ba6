"""docs/reference.md is exactly what ``python -m tidbok_contract.reference`` writes today.

Regenerate it after changing a public name, a field or a docstring::

    .venv/bin/python -m tidbok_contract.reference > docs/reference.md
"""

from __future__ import annotations

import enum
import inspect
from dataclasses import fields, is_dataclass
from pathlib import Path

import tidbok
from tidbok_contract import seeding
from tidbok_contract.reference import SEEDING_NAMES, field_docs, render

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"


def test_the_reference_is_generated_from_the_code_as_it_is() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/reference.md is stale: run "
        "`.venv/bin/python -m tidbok_contract.reference > docs/reference.md`"
    )


def test_the_reference_names_every_public_name() -> None:
    import tidbok

    text = REFERENCE.read_text(encoding="utf-8")
    missing = [name for name in tidbok.__all__ if f"### `{name}`" not in text]
    assert missing == []


#: Fields allowed without a meaning: none, every public field says what it means. An entry
#: added here must go again once its field gets its docstring (the test below insists).
ALLOWED_WITHOUT_MEANING: frozenset[str] = frozenset()


def _field_names(cls: type) -> list[str]:
    """The rows the reference gives ``cls`` a table for: enum members, model or dataclass fields."""
    if issubclass(cls, enum.Enum):
        return [member.name for member in cls]
    if hasattr(cls, "model_fields"):
        return list(cls.model_fields)
    if is_dataclass(cls):
        return [item.name for item in fields(cls)]
    return []


def _fields_without_meaning() -> set[str]:
    public = [getattr(tidbok, name) for name in tidbok.__all__]
    public += [getattr(seeding, name) for name in SEEDING_NAMES]
    empty: set[str] = set()
    for cls in public:
        if not inspect.isclass(cls):
            continue
        notes = field_docs(cls)
        empty |= {f"{cls.__name__}.{name}" for name in _field_names(cls) if not notes.get(name)}
    return empty


def test_every_public_field_says_what_it_means() -> None:
    """Every field of a public model, enum or dataclass has a docstring right under it."""
    missing = sorted(_fields_without_meaning() - ALLOWED_WITHOUT_MEANING)
    assert missing == [], (
        "these fields have no meaning in docs/reference.md: write a docstring under each "
        f'(`field: T = default` then a """...""" line): {missing}'
    )


def test_the_allow_list_names_only_fields_still_without_meaning() -> None:
    stale = sorted(ALLOWED_WITHOUT_MEANING - _fields_without_meaning())
    assert stale == [], f"these fields have a meaning now: remove them from the allow-list: {stale}"
