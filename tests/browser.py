"""Opening rendered pages in Debian's Chromium through Playwright, recording what they do.

Every page opened here records its network requests (other than the page
itself), console and page errors and dialogs, so a test can assert that a page
works offline and cleanly. Chromium is started once per test session (see
conftest.py).
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@dataclass
class Visit:
    page: object
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # each dismissed

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


def launch(playwright):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        raise RuntimeError("browser tests need Debian's chromium: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


@contextmanager
def visit(browser, url: str, *, reduced_motion: bool = False, viewport=(1280, 900), wait_for: str | None = None,
          init_script: str | None = None, ignore: tuple[str, ...] = (), timeout: float | None = None,
          record: type[Visit] = Visit, touch: bool = False):
    """Open ``url`` in a fresh context; yields a ``record`` (a :class:`Visit`) of requests, errors and dialogs.

    Requests to ``url`` itself, to ``data:`` URLs and to URLs starting with one of ``ignore`` are not recorded.
    ``init_script`` runs before any script of any frame; ``timeout`` is the page's default timeout (ms).
    ``touch``: a phone-like context (a touch screen, no mouse; mobile below 700 px wide).
    """
    phone = {"has_touch": True, "is_mobile": viewport[0] < 700, "device_scale_factor": 1} if touch else {}
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  reduced_motion="reduce" if reduced_motion else "no-preference", **phone)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    if timeout is not None:
        page.set_default_timeout(timeout)
    seen = record(page)
    own = url.split("#", 1)[0]
    skipped = ("data:", *ignore)
    page.on("request", lambda r: None if r.url.split("#", 1)[0] == own or r.url.startswith(skipped)
            else seen.requests.append(r.url))
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.page_errors.append(str(e)))

    def dialog(d) -> None:
        seen.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    try:
        page.goto(url)
        if wait_for:
            page.wait_for_selector(wait_for)
        yield seen
    finally:
        context.close()
