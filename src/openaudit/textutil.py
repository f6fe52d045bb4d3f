"""Reading untrusted text safely: size caps, decoding, line splitting."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from openaudit.lazyre import compile as _lazy

DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024


def env_seconds(name: str, default: float) -> float:
    """A duration in seconds from the environment variable ``name`` (fractions allowed); unset, unparsable, not
    positive, a day or more, nan or inf: ``default``."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if 0 < value < 24 * 3600 else default  # also refuses nan and inf


def _max_file_bytes() -> int:
    """OPENAUDIT_MAX_FILE_BYTES, a positive integer; anything else (empty, ``2MB``, ``-1``) means the default."""
    try:
        value = int(os.environ.get("OPENAUDIT_MAX_FILE_BYTES") or DEFAULT_MAX_FILE_BYTES)
    except ValueError:
        return DEFAULT_MAX_FILE_BYTES
    return value if value > 0 else DEFAULT_MAX_FILE_BYTES


# Documented caps (docs/security.md, "Limits"). A card or license larger than this is read up to the cap.
MAX_FILE_BYTES = _max_file_bytes()


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


def open_regular(path: str | os.PathLike[str]) -> Any:
    """Open a file for reading without ever blocking: ``O_NONBLOCK`` (a FIFO opens at once; a kernel file such as
    /proc/kmsg answers EAGAIN instead of waiting), then refuse anything that is not a regular file. Raises OSError
    (``errno.EINVAL``, "not a regular file") for a FIFO, device, socket or directory."""
    import errno
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: Path, cap: int = MAX_FILE_BYTES) -> tuple[str | None, str | None, bool, int]:
    """Read at most ``cap`` bytes of a regular file, never blocking (see ``open_regular``).
    Returns (text, error, truncated, size)."""
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(cap + 1)
    if data is None:  # a non-blocking read with nothing to give
        raise OSError(11, "no data without blocking")
    return (*decode_capped(data, cap), size)


def within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path``, every symbolic link followed, is ``root`` (links followed too) or inside it."""
    try:
        real, top = os.path.realpath(path), os.path.realpath(root)
    except (OSError, ValueError):
        return False
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all: into a temporary file beside it, flushed to disk,
    then renamed over it. A symbolic link at ``path`` is refused (never written through), and so is anything
    that is not a regular file; on any failure (a full disk) the previous file is left as it was.
    Raises OSError; the message of a refused link names it."""
    import errno
    import stat
    import tempfile

    target = os.fspath(path)
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise OSError(errno.ELOOP, "it is a symbolic link (refusing to write through it)")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def decode_capped(data: bytes, cap: int = MAX_FILE_BYTES) -> tuple[str | None, str | None, bool]:
    """Decode at most ``cap`` bytes (a cut text loses its partial last line). Returns (text, error, truncated)."""
    truncated = len(data) > cap
    if truncated:
        data = data[:cap]
    text, err = decode(data)
    if truncated and text is not None:
        text = text.rsplit("\n", 1)[0] if "\n" in text else text
    return text, err, truncated


_HF_TOKEN_SHAPE = _lazy(r"\bhf_[A-Za-z0-9]{8,}\b")  # compiled when an error message is first redacted


def secrets() -> list[str]:
    """The Hub tokens this process could send: HF_TOKEN / HUGGING_FACE_HUB_TOKEN, and the token saved by
    ``hf auth login`` when huggingface_hub is already loaded (it is, whenever a Hub request was made)."""
    found = [os.environ.get("HF_TOKEN"), os.environ.get("HUGGING_FACE_HUB_TOKEN")]
    if "huggingface_hub" in sys.modules:
        try:
            from huggingface_hub import get_token

            found.append(get_token())
        except Exception:  # noqa: BLE001, S110 (a broken token file must not break the report)
            pass
    return sorted({t for t in found if t and len(t) >= 4}, key=len, reverse=True)


def redact_secrets(text: str, tokens: list[str] | None = None, *, shape: bool = True) -> str:
    """Replace the Hub tokens (``secrets()``) and, with ``shape``, anything shaped like a Hub token with ``***``
    (for messages). Without ``shape`` (file contents, where ``hf_`` names are legitimate) the replacement is
    ``REDACTED``, of the same character class as a token, so a card's YAML or Markdown keeps its structure."""
    for token in secrets() if tokens is None else tokens:
        text = text.replace(token, "***" if shape else "REDACTED")
    return _HF_TOKEN_SHAPE.sub("hf_***", text) if shape else text


class RedactingWriter:
    """A text stream that writes through to ``out`` with the given tokens replaced by ``***``."""

    def __init__(self, out: Any, tokens: list[str]):
        # Also as Markdown escapes them (``hf\_abc``): a format may escape a token it quotes.
        variants = {v for t in tokens for v in (t, t.replace("_", "\\_"), t.replace("-", "\\-"),
                                                 t.replace("_", "\\_").replace("-", "\\-"))}
        self._out, self._tokens = out, sorted(variants, key=len, reverse=True)

    def write(self, text: str) -> int:
        for token in self._tokens:
            text = text.replace(token, "***")
        return self._out.write(text)

    def __getattr__(self, name: str) -> Any:  # isatty, flush, encoding, fileno...: those of ``out``
        return getattr(self._out, name)


def split_lines(text: str) -> list[str]:
    """Split into lines, tolerating CRLF and lone CR. Line i (1-based) is result[i-1]."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# C0 controls except tab/newline, DEL, C1 controls, and bidi/zero-width format characters that can
# reorder or hide text on a terminal (Trojan Source). ESC is removed, so no ANSI/OSC sequence survives.
_UNSAFE = {c: None for c in range(0x20) if c not in (0x09, 0x0A)}
_UNSAFE.update({0x7F: None})
_UNSAFE.update(dict.fromkeys(range(128, 160)))
_UNSAFE.update(dict.fromkeys((8203, 8204, 8205, 8206, 8207, 8232, 8233, 65279)))
_UNSAFE.update(dict.fromkeys(range(8234, 8239)))
_UNSAFE.update(dict.fromkeys(range(8294, 8298)))


# A line that starts with "::" (after blanks) is a workflow command to a GitHub Actions runner (::error::,
# ::add-mask::, ::stop-commands::...) when it reaches the job log: the second colon is moved away.
_WORKFLOW_COMMAND = _lazy(r"(?m)^([ \t]*):(?=:)")


def sanitize(value: object, one_line: bool = False, limit: int | None = None) -> str:
    """Make untrusted text safe to show on a terminal or in a CI log: strips control and bidi characters, and no
    line of it can start with "::" (a GitHub Actions workflow command)."""
    text = str(value).translate(_UNSAFE)
    if one_line:
        text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return _WORKFLOW_COMMAND.sub(r"\1: ", text) if "::" in text else text
