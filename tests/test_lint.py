"""Our code passes ruff (OCA settings in .ruff.toml: lint rules and formatting) and pylint-odoo (OCA's
mandatory checks in .pylintrc-mandatory), zero findings."""

import subprocess

from conftest import PY, REPO

PATHS = ["addons", "tests", "scripts", "bench"]


def _ruff(*args):
    return subprocess.run([PY, "-m", "ruff", *args, *PATHS], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_check():
    proc = _ruff("check", "--no-fix", "--output-format", "concise")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format():
    proc = _ruff("format", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pylint_odoo():
    addons = sorted(str(path.relative_to(REPO)) for path in (REPO / "addons").iterdir() if path.is_dir())
    proc = subprocess.run(
        [PY, "-m", "pylint", "--rcfile=.pylintrc-mandatory", *addons],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr
