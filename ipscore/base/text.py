"""Text from input made safe to show: one line, no control sequences, bounded length.

Cell values, sheet names, headers and file names come from files other people made. Before
any of them reaches a message, a log line or the terminal it goes through :func:`printable`:
control characters (ESC, OSC, BEL, NUL, CR, LF, DEL, C1), line and paragraph separators and
bidi overrides are shown as escapes (``\\x1b``, ``\\n``, ``\\u202e``), so a value can neither
move the cursor, recolour the terminal, forge a log line nor reorder the text around it; and a
long value is cut with ``…``.

Backslashes are left alone, so applying :func:`printable` twice changes nothing.
"""

from __future__ import annotations

import unicodedata

VALUE_LIMIT = 60
"""How many characters of one value (a cell, a header, a sheet name) a message shows."""

MESSAGE_LIMIT = 1000
"""How long one problem message may get, whatever it quotes."""

ELLIPSIS = "…"

_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Format characters that reorder or hide text (bidi embeddings, overrides, isolates, marks),
# and the interlinear annotation marks. Other format characters (ZWJ in emoji, the soft
# hyphen, zero-width space) are harmless and stay.
_HIDDEN = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufff9\ufffa\ufffb"
)


def _escape(ch: str) -> str | None:
    """The escape for one character, or None when it may be shown as it is."""
    if ch in _SHORT:
        return _SHORT[ch]
    if ch in _HIDDEN:
        return f"\\u{ord(ch):04x}"
    category = unicodedata.category(ch)
    if category == "Cc":  # C0 controls, DEL, C1 controls
        return f"\\x{ord(ch):02x}"
    if category in ("Zl", "Zp"):  # line and paragraph separators end a line in many viewers
        return f"\\u{ord(ch):04x}"
    if category == "Cs":  # a lone surrogate: an undecodable byte of a file name
        code = ord(ch)
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
    return None


def printable(value: object, limit: int | None = VALUE_LIMIT) -> str:
    """``value`` as one printable line of at most ``limit`` characters (then ``…``).

    ``limit=None`` keeps the whole text (for file paths: escaped, never cut).
    """
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() and (limit is None or len(text) <= limit):
        return text  # the common case: nothing to do
    pieces: list[str] = []
    size = 0
    for ch in text:
        piece = _escape(ch) or ch
        if limit is not None and size + len(piece) > limit:
            return "".join(pieces) + ELLIPSIS
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)


def printable_path(path: object) -> str:
    """A file path for a message: escaped, but whole."""
    return printable(path, None)
