"""Build each addon's README.rst and static/description/index.html from its readme/ fragments,
the way OCA's oca-gen-addon-readme does (DESCRIPTION, CONFIGURE, USAGE, CONTRIBUTORS).

    python scripts/gen_readme.py           # write the files
    python scripts/gen_readme.py --check   # exit 1 when a generated file is out of date
"""

import ast
import re
import sys
from pathlib import Path

from docutils.core import publish_parts

ADDONS = Path(__file__).resolve().parent.parent / "addons"
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def md_to_rst(text):
    """The small Markdown subset our fragments use: lists, **bold**, `code`."""
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)


def heading(title, char):
    return f"{title}\n{char * len(title)}\n\n"


def build(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    badge = manifest["license"].replace("-", "--")
    rst = "=" * len(title) + f"\n{title}\n" + "=" * len(title) + "\n\n"
    rst += (
        f".. |license| image:: https://img.shields.io/badge/licence-{badge}-blue.png\n\n"
        f"|license| Odoo {manifest['version'].split('.')[0]}.0 - ``{addon.name}`` {manifest['version']}\n\n"
    )
    rst += f"{manifest['summary']}\n\n"
    body = ""
    for fragment, section in SECTIONS:
        path = addon / "readme" / fragment
        if not path.exists():
            continue
        if section:
            body += heading(section, "=")
        body += md_to_rst(path.read_text().strip()) + "\n\n"
    rst += ".. contents::\n   :local:\n\n" + body
    rst += heading("Maintainers", "=") + f"This module is maintained by {manifest['author']}.\n"
    html = publish_parts(
        rst,
        writer_name="html5",
        settings_overrides={"report_level": 5, "embed_stylesheet": False, "stylesheet_path": ""},
    )
    page = (
        '<section class="oe_container">\n<div class="oe_row oe_spaced">\n'
        f"{html['html_title']}{html['body']}</div>\n</section>\n"
    )
    return {addon / "README.rst": rst, addon / "static" / "description" / "index.html": page}


def main(argv):
    stale = []
    for addon in sorted(p.parent for p in ADDONS.glob("*/__manifest__.py")):
        for path, content in build(addon).items():
            if not path.exists() or path.read_text() != content:
                stale.append(path)
                if "--check" not in argv:
                    path.write_text(content)
    if "--check" in argv and stale:
        print("out of date:", *map(str, stale), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
