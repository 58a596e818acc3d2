"""Image files of a case (an event's ``media: {file: ...}``): where they may be, what they must be.

One set of rules for both readers: ``validate`` (:mod:`timeline.case.checks`) and the pages that inline
an image (:mod:`timeline.render.media`), which check again because the file may have changed since the
build. An image is inlined into pages that must work offline, so it has a size budget.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

#: The largest image a case may carry, in bytes: it is inlined, base64 (a third larger), in every page.
IMAGE_BUDGET = 400 * 1024
#: The formats accepted, as they are named in messages.
FORMATS = "PNG, JPEG, GIF or WebP"


class ImageError(ValueError):
    """An image that cannot be used; the message says why and how to fix it."""


def size_text(n: int) -> str:
    """``1.2 MiB``, ``400 KiB``, ``12 bytes``: a size as a person reads it."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"


BUDGET_TEXT = size_text(IMAGE_BUDGET)


def sniff(data: bytes) -> str | None:
    """The media type of an image by its first bytes (its magic number), not its name; None if not an image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def relative_path(value: str) -> str:
    """``value`` as a clean path relative to the case (``./images/x.png`` -> ``images/x.png``).

    Raises :class:`ImageError` for an absolute path or one that climbs out with ``..``: the case is moved
    and shared as a directory, and a page must never read files beside it.
    """
    path = PurePosixPath(value.replace("\\", "/"))
    if path.is_absolute() or value.startswith("~") or re.match(r"[A-Za-z]:/", value.replace("\\", "/")):
        raise ImageError(f"{value!r} is an absolute path: copy the image into the case directory (e.g. images/) "
                         "and give its path relative to the case")
    if ".." in path.parts:
        raise ImageError(f"{value!r} points outside the case directory: copy the image into it (e.g. images/) "
                         "and give its path relative to the case")
    return path.as_posix()


def read_image(case_dir: Path, value: str) -> tuple[bytes, str]:
    """The bytes and media type of the image at ``value`` (relative to ``case_dir``), checked: inside the
    case (a symlink that leads out of it counts as outside), a regular file, an image by its bytes and
    within :data:`IMAGE_BUDGET`. Raises :class:`ImageError` with a message that says how to fix it."""
    relative = relative_path(value)
    root = case_dir.resolve()
    try:
        target = (root / relative).resolve(strict=True)
    except FileNotFoundError:
        raise ImageError(f"{relative} does not exist in the case directory: add the image there or correct "
                         "the path (relative to the case directory)") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a permission
        raise ImageError(f"{relative} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if not target.is_relative_to(root):
        raise ImageError(f"{relative} is a link to a file outside the case directory: copy the image itself "
                         "into the case")
    if not target.is_file():
        raise ImageError(f"{relative} is not a file: give the path of an image file")
    try:
        size = target.stat().st_size
        if size > IMAGE_BUDGET:  # refused before reading: a huge file is never loaded
            raise ImageError(_too_big(relative, size))
        with target.open("rb") as handle:
            data = handle.read(IMAGE_BUDGET + 1)
    except OSError as exc:
        raise ImageError(f"{relative} cannot be read: {exc.strerror or exc}") from None
    if len(data) > IMAGE_BUDGET:  # it grew since stat()
        raise ImageError(_too_big(relative, len(data)))
    kind = sniff(data)
    if kind is None:
        raise ImageError(f"{relative} is not an image: its content is not {FORMATS} (the name does not count); "
                         f"save it in one of these formats")
    return data, kind


def _too_big(relative: str, size: int) -> str:
    return f"{relative} is {size_text(size)}; the budget is {BUDGET_TEXT}: resize it"


def sha256_of(data: bytes) -> str:
    """The SHA-256 digest of an image's bytes, as the graph records it (64 lower-case hex digits)."""
    return hashlib.sha256(data).hexdigest()
