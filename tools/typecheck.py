"""Run mypy over the import packages, which live in folders with other names (core/ is `tidbok`).

mypy cannot follow setuptools' package-dir mapping, so this links each folder under its import name
in `.typecheck/` and checks the packages from there. Usage: `python tools/typecheck.py`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "tidbok": "core",
    "tidbok_pasis": "plugins/pasis",
    "tidbok_pmo": "plugins/pmo",
    "tidbok_mocks": "mocks",
    "tidbok_contract": "contract_tests",
}


def main() -> int:
    """Link the packages and run mypy on them; return mypy's exit code."""
    farm = ROOT / ".typecheck"
    farm.mkdir(exist_ok=True)
    for name, folder in PACKAGES.items():
        link = farm / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(ROOT / folder, target_is_directory=True)
    args = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    for name in PACKAGES:
        args += ["-p", name]
    return subprocess.call(args, cwd=farm)


if __name__ == "__main__":
    raise SystemExit(main())
