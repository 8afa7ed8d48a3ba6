"""`tidbok new-plugin`: a separate distribution, found by its entry point, run by the suite."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from tests.contract.runner import run_suite
from tidbok_contract.newplugin import TemplateError, names, write_plugin


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _fresh_venv(path: Path) -> Path:
    """A new virtual environment that also sees this environment's packages (tidbok, pytest).

    ``--system-site-packages`` would expose the base interpreter's packages, not this venv's, so a
    ``.pth`` file adds this environment's site-packages instead; no network is needed.
    """
    done = _run(sys.executable, "-m", "venv", "--without-pip", path)
    assert done.returncode == 0, done.stderr
    python = path / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    parent = sysconfig.get_paths()["purelib"]
    pth = Path(purelib.stdout.strip()) / "tidbok_parent_env.pth"
    pth.write_text(f"import site; site.addsitedir({parent!r})\n")
    return python


def test_names_are_checked() -> None:
    assert names("acme_care")["cls"] == "AcmeCare"
    with pytest.raises(TemplateError):
        names("Acme-Care")


def test_the_template_is_a_separate_distribution(tmp_path: Path) -> None:
    write_plugin("acme", tmp_path / "acme")
    project = tomllib.loads((tmp_path / "acme" / "pyproject.toml").read_text())
    assert project["project"]["name"] == "tidbok-acme"
    assert project["project"]["entry-points"]["tidbok"] == {"acme": "tidbok_acme"}
    text = "\n".join(p.read_text() for p in (tmp_path / "acme").rglob("*") if p.is_file())
    for word in ("TO" + "DO", "FIX" + "ME", "NotImplemented" + "Error"):
        assert word not in text
    assert "not implemented yet" in text
    assert "__pycache__/" in (tmp_path / "acme" / ".gitignore").read_text()
    assert "https://github.com/)" not in text  # no bare links
    with pytest.raises(TemplateError, match="not empty"):
        write_plugin("acme", tmp_path / "acme")


@pytest.mark.slow
def test_generated_plugin_is_installed_discovered_and_run(tmp_path: Path) -> None:
    folder = tmp_path / "tidbok-acme"
    done = _run(sys.executable, "-m", "tidbok", "new-plugin", "acme", "--dir", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    python = _fresh_venv(tmp_path / "venv")
    install = _run(
        *(sys.executable, "-m", "pip", "--python", python, "install", "-q"),
        *("--no-deps", "--no-build-isolation", "-e", folder),
    )
    assert install.returncode == 0, install.stdout + install.stderr
    listed = _run(python, "-m", "tidbok", "plugins")
    assert "acme 0.1.0 (Acme)" in listed.stdout, listed.stdout + listed.stderr
    # The generated test file runs the suite; --tidbok-system comes from its pyproject addopts.
    run = run_suite("acme", tmp_path, plugins=(), python=str(python), cwd=folder, target=("tests",))
    assert run.returncode == 1, run.output  # tests failed; no internal or usage error
    assert run.with_outcome("error") == set()
    failed = [t for t in run.tests if t["outcome"] == "failed"]
    assert len(failed) > 50
    assert all("not implemented yet" in t["reason"] for t in failed), failed[:3]
    skipped = [t for t in run.tests if t["outcome"] == "skipped"]
    assert all(t["reason"].startswith("not applicable: ") for t in skipped)


@pytest.mark.slow
def test_example_plugin_passes_the_suite(tmp_path: Path) -> None:
    write_plugin("sandbox_demo", tmp_path / "demo", example=True)
    run = run_suite(
        "sandbox_demo",
        tmp_path,
        plugins=("tidbok_sandbox_demo",),
        extra=("--rootdir", str(tmp_path)),
        cwd=tmp_path / "demo" / "src",
    )
    assert run.returncode == 0, run.output
    assert run.with_outcome("failed", "error") == set()
