"""Article files: YAML front matter between ``---`` lines, then the text, whose SHA-256 the front matter records.

The hash is of the article's text as the loader reads it: the UTF-8 bytes of everything after the
closing ``---`` line, with a byte-order mark dropped and CRLF line ends read as LF.
:func:`fix_hashes` writes the right ``sha256`` into articles where it is missing or wrong
(``timeline validate --fix-hashes``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from timeline.case import yamlio
from timeline.errors import close_matches, display_path
from timeline.files import write_atomic

#: What the hash is of, for messages that give the value to write.
HASHED = "the SHA-256 of the article's text: its UTF-8 bytes after the closing '---' line, line ends as LF"


def fix_hint(case_dir: Path) -> str:
    """How to have the hashes written, naming the case as the user would type it (not the default case)."""
    import shlex

    return f"or run `timeline validate {shlex.quote(display_path(case_dir))} --fix-hashes`"

# A "sha256:" line whose value (if any) stays on that line: the part to replace is group "value".
_HASH_LINE = re.compile(r"^(?P<key>sha256[ \t]*:)(?P<value>[ \t]*[^#\r]*?)(?P<rest>[ \t]+#.*)?(?P<cr>\r?)\Z")


def sha256_of(text: str) -> str:
    """The hex SHA-256 of an article's text (as :func:`split` returns it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split(text: str) -> tuple[str, str] | None:
    """``(front matter, text)`` of an article read with LF line ends, or None if it has no closed front matter.

    The front matter is what lies between the two ``---`` lines (ending with its newline).
    """
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0:
        return None
    return text[4:end + 1], text[end + 5:]


def sha256_yaml(digest: str) -> str:
    """The hash as a YAML value: quoted only if YAML would read it as a number (all digits, say)."""
    return digest if re.search(r"[a-f]", digest) and not re.fullmatch(r"[0-9]+e[0-9]+", digest) else f'"{digest}"'


def fix_hashes(case_dir: Path) -> list[Path]:
    """Write the right ``sha256`` into each article of ``case_dir`` whose hash is missing or wrong; the paths changed.

    Only that one line changes (or one line is added before the closing ``---``); comments, key
    order, line ends and everything else are kept, and each file is replaced atomically with its
    permissions. Articles that cannot be read or parsed are left alone: validation reports them.
    """
    import yaml

    changed = []
    directory = Path(case_dir) / "articles"
    for path in sorted(directory.glob("*.md")) if directory.is_dir() else []:
        try:
            data = path.read_bytes()
            raw = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        bom = "\ufeff" if raw.startswith("\ufeff") else ""
        raw = raw[len(bom):]
        parts = split(raw.replace("\r\n", "\n"))
        if parts is None:
            continue
        front, body = parts
        digest = sha256_of(body)
        try:
            meta = yamlio.loads(front, 1)  # lines as in the file: the opening '---' is line 1
        except (yaml.YAMLError, RecursionError):  # validation reports it
            continue
        if not isinstance(meta, yamlio.LineDict) or meta.get("sha256") == digest:
            continue
        lines = raw.split("\n")  # a CRLF file keeps its '\r's at the ends of these lines
        key = "sha256" if "sha256" in meta else _misspelt_hash_key(meta)
        if key:  # the hash's line, or a misspelt one ("sha265: ..."): that line becomes the right one
            index = meta.line_of(key) - 1
            found = _HASH_LINE.match(lines[index].replace(str(key), "sha256", 1)) if index < len(lines) else None
            # A value on the following lines (or in a flow mapping) is not one line to rewrite.
            if found is None or (not found["value"].strip() and meta[key] is not None):
                continue
            lines[index] = f"{found['key']} {sha256_yaml(digest)}{found['rest'] or ''}{found['cr']}"
        else:
            closing = front.count("\n") + 1  # the closing '---' line
            cr = "\r" if lines[closing].endswith("\r") else ""
            lines.insert(closing, f"sha256: {sha256_yaml(digest)}{cr}")
        text = "\n".join(lines)
        if not _has_hash(text, digest):  # the edit did not make a front matter with this hash: leave it
            continue
        write_atomic(path, (bom + text).encode("utf-8"), keep_mode=True)  # the article keeps its permissions
        changed.append(path)
    return changed


def _misspelt_hash_key(meta: dict) -> str | None:
    """A front-matter key close to ``sha256`` (``sha265``, ``sha-256``), if any: no other field starts with "sha"."""
    close = close_matches("sha256", [str(k) for k in meta if str(k).lower().startswith("sha") and k != "sha256"], 1)
    return close[0] if close else None


def _has_hash(text: str, digest: str) -> bool:
    import yaml

    parts = split(text.replace("\r\n", "\n"))
    try:
        meta = yamlio.loads(parts[0]) if parts else None
    except (yaml.YAMLError, RecursionError):
        return False
    return isinstance(meta, dict) and meta.get("sha256") == digest
