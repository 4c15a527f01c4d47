"""The Chinese translation is complete and the .pot files match the code; generated readmes are fresh."""

import subprocess
import sys

import polib
from conftest import OUR_ADDONS, PY, REPO, odoo

sys.path.insert(0, str(REPO / "scripts"))
import i18n_po


def test_zh_cn_has_no_untranslated_entry():
    missing = i18n_po.untranslated()
    assert missing == {module: [] for module in OUR_ADDONS}


def test_po_files_compile_with_format_checks():
    for module in OUR_ADDONS:
        po = REPO / "addons" / module / "i18n" / "zh_CN.po"
        proc = subprocess.run(
            ["msgfmt", "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stderr


def test_pot_files_match_the_code(scratch_db, tmp_path):
    for module in OUR_ADDONS:
        fresh = tmp_path / f"{module}.pot"
        odoo("-d", scratch_db, f"--i18n-export={fresh}", f"--modules={module}", "--stop-after-init", "--no-http")
        committed = REPO / "addons" / module / "i18n" / f"{module}.pot"
        want = {e.msgid for e in polib.pofile(str(fresh))} | {msgid for msgid, _tr, _occ in i18n_po.SHARED}
        have = {e.msgid for e in polib.pofile(str(committed))}
        assert want == have, (
            f"{module}: run scripts/i18n.sh (new: {sorted(want - have)[:5]}, gone: {sorted(have - want)[:5]})"
        )


def test_generated_readmes_are_up_to_date():
    proc = subprocess.run(
        [PY, str(REPO / "scripts" / "gen_readme.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + "\nrun: python scripts/gen_readme.py"
