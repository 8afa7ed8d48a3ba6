"""docs/reference.md is exactly what ``python -m tidbok_contract.reference`` writes today.

Regenerate it after changing a public name, a field or a docstring::

    .venv/bin/python -m tidbok_contract.reference > docs/reference.md
"""

from __future__ import annotations

from pathlib import Path

from tidbok_contract.reference import render

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
