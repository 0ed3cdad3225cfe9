"""Reading sources as Python does, and writing them back atomically, byte-faithful.

A source is decoded with the encoding Python itself would use (a BOM, a PEP 263 cookie,
else UTF-8) and without newline translation, so CRLF files keep their CRLFs. A rewrite goes
to a temporary file in the same directory, takes the original's permission bits, and
replaces the original with one `os.replace`, so a reader never sees half a file.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

# line breaks `str.splitlines` knows and Python source does not
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class DecodeError(Exception):
    """The file's bytes are not valid in its declared encoding."""


@dataclass(frozen=True)
class SourceText:
    """A decoded source and the encoding to write it back with."""

    text: str
    encoding: str  # "utf-8-sig" keeps a BOM


def decode(data: bytes) -> SourceText:
    """Decode like the interpreter: BOM, then coding cookie, then UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return SourceText(data.decode(encoding), encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        raise DecodeError(str(error)) from None


def split_lines(text: str) -> list[str]:
    """The lines of `text` with their endings, as Python, `ast` and LibCST count them.

    `str.splitlines` also breaks at form feeds, U+2028 and other separators that a source
    may hold (in a comment, a string, or as the page break some editors put between
    functions), which would shift every line number after them.
    """
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(keepends=True)
    return _LINE.findall(text)


def encode(source: SourceText, text: str) -> bytes:
    """Encode `text` the way `source` was encoded."""
    return text.encode(source.encoding)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` (through symlinks) by `data`, keeping its permission bits."""
    import stat
    import tempfile

    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".fe-gen", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
