"""`tidbok new-plugin NAME --http`: a complete HTTP plugin with a mock on the mock kit, green as
generated, and its vendor code within the line budget."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.contract.runner import run_suite
from tests.contract.test_template import _fresh_venv, _run
from tidbok_contract.newplugin import (
    HTTP_LINE_BUDGET,
    HTTP_VENDOR_CODE,
    TemplateError,
    code_lines,
    write_plugin,
)


def vendor_lines(folder: Path, package: str) -> dict[str, int]:
    """Code lines (physical lines that carry code, see ``code_lines``) of each vendor file."""
    source = folder / "src" / package
    return {name: code_lines((source / name).read_text()) for name in HTTP_VENDOR_CODE}


def test_code_lines_counts_physical_code_lines_not_comments_docstrings_or_blanks() -> None:
    text = (
        '"""Module doc."""\n\n# a comment\nimport os\n\n\n'
        "def f(\n    a: int,\n) -> int:\n"
        '    """Doc\n    on two lines."""\n'
        "    x: int = 1\n"
        '    """Attribute doc."""\n'
        "    return (  # why\n        a + x\n    )\n"
        'TEXT = """two\nlines"""\n'
    )
    # import; def over 3 lines; x; return over 3 lines; a string constant over 2 lines
    assert code_lines(text) == 1 + 3 + 1 + 3 + 2


def test_the_http_vendor_code_is_within_the_line_budget(tmp_path: Path) -> None:
    written = write_plugin("acme", tmp_path / "acme", http=True)
    names = {path.relative_to(tmp_path / "acme").as_posix() for path in written}
    assert {"src/tidbok_acme/mock.py", "src/tidbok_acme/seeder.py"} <= names
    assert "tests/test_contract.py" in names
    lines = vendor_lines(tmp_path / "acme", "tidbok_acme")
    assert sum(lines.values()) <= HTTP_LINE_BUDGET, lines
    # Counted as formatted: the generated code is ruff format's own output and lint-clean, with
    # the style its own pyproject.toml declares (no line squeezed in to fit the budget).
    ruff = Path(sys.executable).with_name("ruff")
    for command in (("format", "--check"), ("check",)):
        check = subprocess.run(
            [str(ruff), *command, "--no-cache", "src"],
            cwd=tmp_path / "acme",
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr
    text = "\n".join(path.read_text() for path in written)
    assert "${" not in text
    with pytest.raises(TemplateError, match="not both"):
        write_plugin("acme", tmp_path / "other", example=True, http=True)


def _serve_mock(python: Path) -> tuple[subprocess.Popen[str], str]:
    """Start ``tidbok mock acme --port 0`` from the plugin's venv; the process and its URL."""
    process = subprocess.Popen(
        [str(python), "-m", "tidbok", "mock", "acme", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    assert first.startswith("Acme mock listening on http://"), first + process.stderr.read()
    return process, first.split()[-1]


@pytest.mark.slow
def test_generated_http_plugin_installs_passes_the_suite_and_serves_its_mock(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "tidbok-acme"
    done = _run(sys.executable, "-m", "tidbok", "new-plugin", "acme", "--http", "--dir", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    python = _fresh_venv(tmp_path / "venv")
    install = _run(
        *(sys.executable, "-m", "pip", "--python", python, "install", "-q"),
        *("--no-deps", "--no-build-isolation", "-e", folder),
    )
    assert install.returncode == 0, install.stdout + install.stderr

    # The generated test file runs the whole suite against the mock; every applicable test passes.
    run = run_suite("acme", tmp_path, plugins=(), python=str(python), cwd=folder, target=("tests",))
    assert run.returncode == 0, run.output
    assert run.with_outcome("failed", "error") == set()
    passed = run.with_outcome("passed")
    assert len(passed) > 70  # 77 with acme's capabilities
    skipped = [t for t in run.tests if t["outcome"] == "skipped"]
    assert all(t["reason"].startswith("not applicable: ") for t in skipped), skipped

    process, url = _serve_mock(python)
    try:
        units = httpx.get(f"{url}/api/units", headers={"X-Api-Key": "acme-dev-key"}, timeout=5)
        assert units.status_code == 200
        assert [unit["name"] for unit in units.json()["items"]] == ["Vårdcentralen Acme"]
        assert httpx.get(f"{url}/api/units", timeout=5).status_code == 401
        assert httpx.get(f"{url}/__admin/info", timeout=5).json()["system"] == "acme"
        logged = httpx.get(f"{url}/__admin/requests", timeout=5).json()["requests"]
        assert [(r["path"], r["status"]) for r in logged] == [
            ("/api/units", 200),
            ("/api/units", 401),
        ]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0  # SIGINT stops the mock cleanly
