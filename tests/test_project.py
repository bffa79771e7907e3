"""The project's own tooling: data validation, training, setup."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, **kwargs)  # type: ignore[call-overload,no-any-return]


def test_rasa_data_validate_passes() -> None:
    result = run(
        "bin/rasa", "data", "validate", "--fail-on-warnings",
        "--data", "data/nlu", "data/stories", "data/rules",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_training_is_skipped_when_nothing_changed(trained_model: Path) -> None:
    before = trained_model.stat().st_mtime
    result = run("bin/train")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert trained_model.stat().st_mtime == before


def test_setup_is_fast_when_nothing_changed() -> None:
    result = run("bin/setup")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("is up to date") == 2


def test_missing_python_is_a_clear_error(tmp_path: Path) -> None:
    """On a machine without Python 3.10, setup names what to install."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "bin", checkout / "bin")
    shutil.copytree(ROOT / "requirements", checkout / "requirements")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    for tool in ("bash", "sha256sum", "cut", "cat", "grep", "mkdir", "dirname"):
        (empty / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    env = {"PATH": str(empty), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    result = subprocess.run(
        [str(empty / "bash"), "bin/setup"], cwd=checkout, capture_output=True, text=True, env=env
    )
    assert result.returncode != 0
    assert "Python 3.10 is needed" in result.stderr
    assert "pyenv install 3.10" in result.stderr
