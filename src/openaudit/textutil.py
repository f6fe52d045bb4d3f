"""Reading untrusted text safely: size caps, decoding, line splitting."""

from __future__ import annotations

import os
from pathlib import Path

# Documented caps (README "Limits"). A card or license larger than this is read up to the cap.
MAX_FILE_BYTES = int(os.environ.get("OPENAUDIT_MAX_FILE_BYTES", 2 * 1024 * 1024))


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Decode bytes as UTF-8 (BOM tolerated). Returns (text, error)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, "invalid UTF-16 text"
    if b"\x00" in data[:8192]:
        return None, "binary file (contains NUL bytes)"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        # Keep going with replacement characters; the report says the bytes were not UTF-8.
        return data.decode("utf-8", errors="replace"), "not valid UTF-8; undecodable bytes replaced"


def read_capped(path: Path, cap: int = MAX_FILE_BYTES) -> tuple[str | None, str | None, bool, int]:
    """Read at most ``cap`` bytes of a file. Returns (text, error, truncated, size)."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        data = fh.read(cap + 1)
    truncated = len(data) > cap
    if truncated:
        data = data[:cap]
    text, err = decode(data)
    if truncated and text is not None:
        text = text.rsplit("\n", 1)[0] if "\n" in text else text
    return text, err, truncated, size


def split_lines(text: str) -> list[str]:
    """Split into lines, tolerating CRLF and lone CR. Line i (1-based) is result[i-1]."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# C0 controls except tab/newline, DEL, C1 controls, and bidi/zero-width format characters that can
# reorder or hide text on a terminal (Trojan Source). ESC is removed, so no ANSI/OSC sequence survives.
_UNSAFE = {c: None for c in range(0x00, 0x20) if c not in (0x09, 0x0A)}
_UNSAFE.update({0x7F: None})
_UNSAFE.update({c: None for c in range(0x80, 0xA0)})
_UNSAFE.update({c: None for c in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF)})
_UNSAFE.update({c: None for c in range(0x202A, 0x202F)})
_UNSAFE.update({c: None for c in range(0x2066, 0x206A)})


def sanitize(value: object, one_line: bool = False, limit: int | None = None) -> str:
    """Make untrusted text safe to show on a terminal: strips control and bidi characters."""
    text = str(value).translate(_UNSAFE)
    if one_line:
        text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
