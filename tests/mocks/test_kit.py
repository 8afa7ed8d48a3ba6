"""The public mock kit: a stable, documented surface (``tidbok_mocks.kit``)."""

from __future__ import annotations

import inspect
from pathlib import Path

from tidbok_mocks import kit

KIT_DOC = Path(__file__).parents[2] / "docs" / "mocks" / "kit.md"


def test_the_kit_has_a_version_and_every_public_name_is_documented() -> None:
    assert kit.KIT_VERSION == "1.1"
    text = KIT_DOC.read_text(encoding="utf-8")
    undocumented = []
    for name in kit.__all__:
        value = getattr(kit, name)
        documented = (
            inspect.isclass(value) or inspect.isfunction(value) or inspect.ismodule(value)
        ) and bool(inspect.getdoc(value))
        if not documented and f"`{name}`" not in text:
            undocumented.append(name)
    assert undocumented == []
    assert sorted(kit.__all__) == sorted(set(kit.__all__))


def test_the_doc_states_every_fault_kind() -> None:
    text = KIT_DOC.read_text(encoding="utf-8")
    assert [kind.value for kind in kit.FaultKind if f"`{kind.value}`" not in text] == []


def test_the_bundled_mocks_use_the_kit_not_common_for_kit_features() -> None:
    root = Path(kit.__file__).parent
    allowed = ("from ..common.demo import", "from ..common.personnummer import")
    offenders = [
        f"{path.relative_to(root)}: {line}"
        for sub in ("pasis", "pmo", "riv")
        for path in (root / sub).glob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("from ..common") and not line.startswith(allowed)
    ]
    assert offenders == []
