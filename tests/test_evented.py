"""The evented process: with ``--workers``, Odoo starts ``odoo-bin gevent`` for the bus (live notifications,
websocket). gevent loads its plugins through setuptools' ``pkg_resources``, which must find the distributions
pip installs under normalized names (``zope_interface-8.7.dist-info``): before setuptools 70 it did not, and the
process died at start over and over (a multi-worker server without a bus)."""

import subprocess

from conftest import ODOO_PY, ODOO_SRC


def test_gevent_process_starts():
    result = subprocess.run(
        [ODOO_PY, str(ODOO_SRC / "odoo-bin"), "gevent", "--version"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Odoo Server 18.0" in result.stdout
