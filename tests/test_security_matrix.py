"""docs/security.md shows the access matrix the code really grants (regenerated and compared)."""

from conftest import REPO, odoo


def test_documented_matrix_is_the_real_one(scratch_db):
    script = (REPO / "scripts" / "access_matrix.py").read_text()
    _proc, log = odoo("shell", "-d", scratch_db, "--no-http", stdin=script)
    generated = log.split("MATRIX-BEGIN\n", 1)[1].split("\nMATRIX-END", 1)[0].strip()
    doc = (REPO / "docs" / "security.md").read_text()
    documented = doc.split("<!-- matrix:begin -->", 1)[1].split("<!-- matrix:end -->", 1)[0].strip()
    assert generated == documented, (
        "the access rights changed: regenerate the matrix of docs/security.md with scripts/access_matrix.py\n"
        + generated
    )
