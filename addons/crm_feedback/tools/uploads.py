"""Files customers send with their feedback: what is accepted is decided on the content, never the name."""

import os
import re

MAX_FILES = 5
MAX_FILE_BYTES = 5 * 1024 * 1024
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"  # the form's hint; the server checks the content

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)
_UNSAFE = re.compile(r"[^\w .()-]+")


def sniff(data):
    """``(mimetype, extension)`` of a JPEG, PNG, WebP image or PDF document by its magic bytes, else None."""
    data = bytes(data or b"")
    for magic, mimetype, extension in _SIGNATURES:
        if data.startswith(magic):
            return mimetype, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def safe_name(filename, extension):
    """A harmless file name: no folder, no control or markup character, at most 100 characters, and the
    extension of the detected type (``invoice.pdf.exe`` holding a PDF becomes ``invoice.pdf.pdf``)."""
    base = os.path.basename(str(filename or "").replace("\\", "/"))
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:100] or "file"
    return f"{stem}.{extension}"


def shown_name(filename):
    """The sender's file name as it may be shown back in an error: no folder, no control or markup character."""
    base = os.path.basename(str(filename or "").replace("\\", "/"))
    return _UNSAFE.sub("_", base).strip(" ")[:100] or "file"
