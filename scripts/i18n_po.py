"""Keep each addon's i18n/zh_CN.po in step with its freshly exported .pot and count what is missing.

    python scripts/i18n_po.py merge [--seed table.json]   # rewrite zh_CN.po from the .pot, keep translations
    python scripts/i18n_po.py check                       # exit 1 when any entry is untranslated or stale

Used by scripts/i18n.sh; the check also runs in the test suite (tests/test_i18n.py).
"""

import json
import sys
from pathlib import Path

import polib

ADDONS = Path(__file__).resolve().parent.parent / "addons"
MODULES = sorted(path.parent.name for path in ADDONS.glob("*/__manifest__.py"))  # every addon of ours
LANG = "zh_CN"
# terms of records every addon declares under another module's XML id (not in any exported .pot)
SHARED = []  # the app menu belongs to crm_customer_facts since 18.0.1.6 of the addons: none left


def _paths(module):
    folder = ADDONS / module / "i18n"
    return folder / f"{module}.pot", folder / f"{LANG}.po"


def merge(seed=None):
    for module in MODULES:
        pot_path, po_path = _paths(module)
        pot = polib.pofile(str(pot_path), wrapwidth=78)
        for msgid, _msgstr, occurrences in SHARED:
            # Odoo merges each .po with its .pot on load and drops what the .pot lacks
            if not pot.find(msgid):
                pot.append(polib.POEntry(msgid=msgid, msgstr="", occurrences=occurrences, comment=f"module: {module}"))
        pot.save(str(pot_path))
        known = dict(seed or {})
        if po_path.exists():
            known.update({e.msgid: e.msgstr for e in polib.pofile(str(po_path)) if e.msgstr and not e.obsolete})
        po = polib.POFile(wrapwidth=78)
        po.metadata = dict(pot.metadata)
        po.metadata.update(
            {
                "Language": LANG,
                "Language-Team": "Chinese (China)",
                "Plural-Forms": "nplurals=1; plural=0;",
                "Content-Type": "text/plain; charset=UTF-8",
            }
        )
        for entry in polib.pofile(str(pot_path)):
            entry.msgstr = known.get(entry.msgid, "")
            po.append(entry)
        shared = {msgid: msgstr for msgid, msgstr, _occurrences in SHARED}
        for entry in po:
            entry.msgstr = entry.msgstr or shared.get(entry.msgid, "")
        po.save(str(po_path))


def untranslated():
    """{module: [msgid, ...]} of entries of the .pot without a translation in zh_CN.po."""
    missing = {}
    for module in MODULES:
        pot_path, po_path = _paths(module)
        done = {e.msgid for e in polib.pofile(str(po_path)) if e.msgstr} if po_path.exists() else set()
        missing[module] = [e.msgid for e in polib.pofile(str(pot_path)) if e.msgid and e.msgid not in done]
    return missing


def main(argv):
    if argv[:1] == ["merge"]:
        seed = json.loads(Path(argv[2]).read_text()) if argv[1:2] == ["--seed"] else None
        merge(seed)
    missing = untranslated()
    for module, ids in missing.items():
        print(f"{module}: {len(ids)} untranslated")
        for msgid in ids[:20]:
            print(f"    {msgid!r}")
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
