"""An event's image as a page shows it: inlined from the case directory, so the page stays offline.

The one entry point for every page and export that shows an event's image (the story page, the
TimelineJS export): :func:`media_src`.
"""

from __future__ import annotations

import base64
from pathlib import Path

from timeline.case import images
from timeline.views.model import MediaView


def media_src(media: MediaView, case_dir: Path | None) -> str | None:
    """What an ``<img src>`` shows for an event's image: a ``data:`` URI of its file, or None.

    ``media`` is :attr:`timeline.views.model.EventView.media`; ``case_dir`` is the directory of the case the
    graph was built from (its ``media.file`` is relative to it), or None when it is not known.

    For a file: its bytes read from ``case_dir`` and checked again as ``validate`` checks them (inside the
    case directory, no symlink out of it; a PNG, JPEG, GIF or WebP image by its bytes; within
    :data:`timeline.case.images.IMAGE_BUDGET`), then compared with the graph's ``sha256``: a file that
    changed since the build (a stale graph) is not shown. Returns ``data:image/png;base64,...`` (the media
    type from the bytes, not the name).

    None when there is nothing to inline: a ``url`` image (pages show a URL as a link only, with
    ``media.url``, so that they make no network request), no ``case_dir``, or a file that fails a check or
    no longer matches the graph. The caller then shows ``media.alt`` (and ``media.credit``) as text.
    Never raises for a missing or bad file.
    """
    if media.file is None or case_dir is None or media.sha256 is None:
        return None
    try:
        data, kind = images.read_image(Path(case_dir), media.file)
    except images.ImageError:
        return None
    if images.sha256_of(data) != media.sha256:
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
