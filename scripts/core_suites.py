"""odoo-bin with Odoo's own test suites run once the whole registry is loaded (used by scripts/test.sh and
scripts/regression.sh on an installed database):
    python scripts/core_suites.py <odoo source tree> <odoo-bin arguments>

On an installed database Odoo runs a module's at_install tests while the modules are being loaded, with a
registry of that module and its dependencies only (the database has every module's columns, so core tests
then fail on NOT NULL columns of modules loaded later). Here the at_install tests of the selected modules
run with the post_install ones, after loading: every selected core test runs with our addons installed,
which is the point of the check. The vanilla baseline (scripts/regression.sh) runs the same way.
"""

import sys


def main():
    sys.path.insert(0, sys.argv.pop(1))  # the Odoo source tree, as odoo-bin puts it on the path
    import odoo.cli
    from odoo.tests import loader

    make_suite = loader.make_suite

    def after_loading(module_names, position="at_install"):
        if position == "at_install":
            return make_suite([], position)  # nothing while loading: the registry is partial then
        at_install = make_suite(module_names, "at_install")
        post_install = make_suite(module_names, "post_install")
        return type(post_install)([*at_install, *post_install])

    loader.make_suite = after_loading
    sys.argv[0] = "odoo-bin"
    odoo.cli.main()


if __name__ == "__main__":
    main()
