"""Authoring a case: ``timeline new`` scaffolds one, ``timeline add`` adds articles to it.

A new case's record files carry the field reference of the sample's files, copied from them when the case is
made, so the two never disagree. An added article is written in the case's own format (front matter with its
SHA-256, then the text exactly as given), so quotes copied from the input match; its publisher becomes an
entity of the case if none has that name. Every file is written atomically, and an article and the entity it
needs are written together or not at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeline import resources
from timeline.case import articles, loader
from timeline.case.choice import PROJECT_FILE
from timeline.case.names import NameIndex
from timeline.errors import TimelineError, display_path
from timeline.files import new_dir_mode, write_all, write_atomic

RECORD_HEADINGS = {"entities.yaml": "Entities", "events.yaml": "Events", "claims.yaml": "Claims"}
PUBLISHER_TYPE = "news-organization"
TEXT_SUFFIXES = (".txt",)
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
#: Front-matter fields an input ``.md`` may carry (the hash is always recomputed).
_CARRIED = tuple(name for name in loader.SOURCE_FIELDS if name != "sha256")


def slug(text: str) -> str:
    """An id from a name: ASCII lower-case letters, digits and single '-' (``News.com.au`` -> ``news-com-au``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# ------------------------------------------------------------------ new


def record_file_header(name: str) -> str:
    """The comment block that opens a new case's ``entities.yaml``, ``events.yaml`` or ``claims.yaml``.

    It is the sample's own block (the field reference), with the sample's name taken out, so the
    reference is written once, in the sample.
    """
    try:
        lines = (resources.sample_case_dir() / name).read_text(encoding="utf-8").splitlines()
    except (OSError, FileNotFoundError, UnicodeDecodeError):  # an install without the sample: a heading only
        return f"# {RECORD_HEADINGS[name]} of the case.\n"
    block = []
    for line in lines:
        if not line.startswith("#"):
            break
        block.append(re.sub(r"\bthe [A-Z][\w-]* case\b", "the case", line))
    return "\n".join(block) + "\n"


def case_yaml(case_id: str, title: str, language: str) -> str:
    """A new case's ``case.yaml``: id, title and language, and an empty description saying what to write."""
    return ("# The case: what it covers and where its records live.\n"
            + _yaml_mapping({"id": case_id, "title": title})
            + "# What the case covers, in two or three sentences: who did what, when, and why it matters.\n"
            + "description:\n"
            + _yaml_mapping({"language": language}))


def new_case(directory: Path, title: str | None = None, language: str = "en") -> list[Path]:
    """Scaffold a case in ``directory`` (new or empty); the files and directories made, in order.

    The case is made in a temporary directory beside it and renamed into place, so a failure leaves nothing.
    """
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise TimelineError(f"{display_path(directory)}: exists and is not empty; give a new directory",
                            param="directory")
    case_id = slug(directory.resolve().name)
    if not case_id:
        raise TimelineError(f"{display_path(directory)}: the directory's name makes no case id; use letters or "
                            "digits in it", param="directory")
    title = (title or "").strip() or directory.resolve().name
    language = (language or "").strip()
    if not language:
        raise TimelineError("language is empty; give a language code such as en", param="language")
    contents = {"case.yaml": case_yaml(case_id, title, language),
                **{name: record_file_header(name) for name in loader.RECORD_FILES}}
    parent = directory.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".tmp", dir=parent))
    try:
        os.chmod(staging, new_dir_mode())  # mkdtemp makes it 0700: give it a new directory's mode
        for name, text in contents.items():
            (staging / name).write_text(text, encoding="utf-8")  # a new file: the umask's permissions
        (staging / "articles").mkdir()
        os.replace(staging, directory)  # over an empty directory too
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [directory / name for name in contents] + [directory / "articles"]


def project_file_text(case: str, existing: str | None) -> str:
    """``timeline.toml`` naming ``case``: a new file, or ``existing`` with only its ``case`` line changed.

    Every other line and comment stays as it was; a comment after the value too.
    """
    value = json.dumps(case, ensure_ascii=False)  # a TOML basic string: JSON's escapes are TOML's
    if existing is None:
        return f"# The case `timeline` commands use when none is given.\ncase = {value}\n"
    lines = existing.splitlines(keepends=True)
    tables = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
    for index in range(tables):  # keys after a table's header are not the top-level `case`
        line = lines[index]
        found = re.match(r"""^(\s*case\s*=\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*')(.*?)(\r?\n?)$""", line, re.S)
        if found:  # a comment after the value is kept
            lines[index] = f"{found[1]}{value}{found[3]}{found[4]}"
            return "".join(lines)
        if re.match(r"^\s*case\s*=", line):  # a value of another form: the line is replaced
            lines[index] = f"case = {value}" + ("\n" if line.endswith("\n") else "")
            return "".join(lines)
    head, tail = lines[:tables], lines[tables:]
    if head and not head[-1].endswith("\n"):
        head[-1] += "\n"
    return "".join([*head, f"case = {value}\n", *tail])


def planned_project_file(case: str, cwd: Path | None = None) -> tuple[Path, str, bool]:
    """``(path, text, existed)`` of the ``./timeline.toml`` that makes ``case`` the current case.

    Checked before anything is written: the text must read back with ``case`` as its case.
    """
    import tomllib

    path = (cwd or Path.cwd()) / PROJECT_FILE
    existing = None
    if path.exists():
        try:
            existing = path.read_bytes().decode("utf-8")
            tomllib.loads(existing)
        except UnicodeDecodeError:
            raise TimelineError(f"{display_path(path)}: not UTF-8 text; fix it or remove it") from None
        except tomllib.TOMLDecodeError as exc:
            raise TimelineError(f"{display_path(path)}: invalid TOML: {exc}; fix it or remove it") from None
        except OSError as exc:
            raise TimelineError(f"{display_path(path)}: cannot read: {exc.strerror or exc}") from None
    text = project_file_text(case, existing)
    try:
        ok = tomllib.loads(text).get("case") == case
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        raise TimelineError(f"{display_path(path)}: cannot set its `case` line; write `case = \"{case}\"` in it")
    return path, text, existing is not None


def write_project_file(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"), keep_mode=True)  # the user's file keeps its permissions


# ------------------------------------------------------------------ add


@dataclass
class Detail:
    """One front-matter value of an added article and where it came from (``given``, ``the page's JSON-LD``...)."""

    value: Any
    how: str


@dataclass
class AddedArticle:
    """An article ``timeline add`` wrote (or will write): its file, its values and what was not found."""

    source: Path
    id: str
    path: Path
    details: dict[str, Detail]
    text: str
    #: Fields that could not be determined, with the flag that sets them.
    missing: list[str] = field(default_factory=list)
    #: The id of the publisher entity added to the case's ``entities.yaml``, if one was.
    new_entity: str | None = None
    front_matter: str = ""


@dataclass
class Overrides:
    """What the user gave on the command line; each value wins over what was detected."""

    id: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None

    def given(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v is not None and k != "id"}


def add_articles(case_dir: Path, files: list[Path], overrides: Overrides | None = None) -> list[AddedArticle]:
    """Add the articles ``files`` (``.txt``, ``.md``, ``.html``) to the case in ``case_dir``.

    Everything is read and checked first (dates, ids, duplicates); then each article is written, after the
    publisher entity it needs. A failure leaves the case as it was: what was written is put back.
    """
    case_dir, files = Path(case_dir), [Path(f) for f in files]
    overrides = overrides or Overrides()
    if len(files) > 1:
        for name in ("id", "title", "url"):
            if getattr(overrides, name) is not None:
                raise TimelineError(f"{name} is for one article; add the files one by one", param=name)
    state = _CaseState.read(case_dir)
    planned = [state.plan(path, overrides) for path in files]
    _write(state, planned)
    return planned


class _CaseState:
    """What adding needs to know of a case: ids taken, entity names, article hashes, and what is added."""

    def __init__(self, case_dir: Path, ids: set[str], entities: list[tuple[str, str, list[str]]],
                 hashes: dict[str, str], language: str, entities_readable: bool):
        self.case_dir = case_dir
        self.ids = ids
        self.entities = entities
        self.hashes = hashes
        self.language = language
        self.entities_readable = entities_readable
        self.new_entities: list[tuple[str, str]] = []  # (id, label) to append to entities.yaml

    @classmethod
    def read(cls, case_dir: Path) -> _CaseState:
        from timeline.case.tables import load_case_with_csv

        if not (case_dir / "case.yaml").is_file():
            raise TimelineError(f"{display_path(case_dir)}: not a case directory (no case.yaml); make one with "
                                "`timeline new DIR`", param="case")
        case, _problems = load_case_with_csv(case_dir)
        if case is None:
            raise TimelineError(f"{display_path(case_dir)}: not a case directory", param="case")
        records = [*case.sources, *case.entities, *case.events, *case.claims]
        ids = set(records) | set(case.failed_ids)
        entities = [(e.id, e.label, list(e.aliases)) for e in case.entities.values()]
        hashes = {}
        directory = case_dir / "articles"
        for path in sorted(directory.glob("*.md")) if directory.is_dir() else []:
            ids.add(path.stem)
            text = _article_text(path)
            if text is not None:
                hashes.setdefault(articles.sha256_of(text), path.stem)
        return cls(case_dir, ids, entities, hashes, case.language or "en", "entities.yaml" not in case.unreadable)

    def plan(self, path: Path, overrides: Overrides) -> AddedArticle:
        """The article ``path`` would become, checked; the state then counts it as added."""
        found = read_input(path, self.language)
        details = found.details
        for name, value in overrides.given().items():
            details[name] = Detail(value.strip(), "given")
        if "title" in details and details["title"].how == "given":
            details["title_supplied"] = Detail(True, "given")
        if details.get("published") and details["published"].how == "given":
            details.pop("published_note", None)  # the note was about the detected date
        shown = display_path(path)
        if not details.get("published"):
            raise TimelineError(f"{shown}: no publication date found; give it with published=YYYY-MM-DD (EDTF: "
                                "2018-10-23, 2018-10, [2020-06-10..2020-06-30]): every relative date in the "
                                "article is read against it", param="published", said="published=YYYY-MM-DD",
                                value="YYYY-MM-DD")
        if not details.get("title"):
            raise TimelineError(f"{shown}: no title found; give one with title=TEXT", param="title",
                                said="title=TEXT", value="TEXT")
        details["published"] = Detail(str(details["published"].value), details["published"].how)
        digest = articles.sha256_of(found.text)
        if digest in self.hashes:
            raise TimelineError(f"{shown}: the case already has this article: "
                                f"{display_path(self.case_dir / 'articles' / (self.hashes[digest] + '.md'))} "
                                "(same text)")
        new_entity = self._publisher(details, shown)
        article_id = self._article_id(overrides.id or found.id, details, shown, bool(overrides.id))
        details = {"id": Detail(article_id, "given" if overrides.id else "made"), **details}
        _check_fields(details, shown)
        front = _front_matter(details, digest)
        added = AddedArticle(path, article_id, self.case_dir / "articles" / f"{article_id}.md", details, found.text,
                             found.missing, new_entity, front)
        self.ids.add(article_id)
        self.hashes[digest] = article_id
        return added

    def _publisher(self, details: dict[str, Detail], shown: str) -> str | None:
        """Resolve the publisher to an entity id; a name no entity has becomes a new entity. Its id if new."""
        given = details.get("publisher")
        if given is None or not str(given.value).strip():
            details.pop("publisher", None)
            return None
        name = str(given.value).strip()
        index = NameIndex([*self.entities, *((eid, label, []) for eid, label in self.new_entities)])
        _tier, ids = index.exact(name)
        if len(ids) > 1:
            raise TimelineError(f"{shown}: publisher {name!r} names several entities ({', '.join(ids)}); give "
                                "publisher=ID", param="publisher", said="publisher=ID", value="ID")
        if ids:
            details["publisher"] = Detail(ids[0], given.how)
            return None
        if not self.entities_readable:
            raise TimelineError(f"{display_path(self.case_dir / 'entities.yaml')}: cannot be read, so the publisher "
                                f"{name!r} cannot be added to it; fix it (`timeline validate`) first")
        entity_id = self._unique(slug(name) or "publisher")
        self.new_entities.append((entity_id, name))
        self.ids.add(entity_id)
        details["publisher"] = Detail(entity_id, f"{given.how}: {name!r}" if entity_id != name else given.how)
        return entity_id

    def _article_id(self, wanted: str | None, details: dict[str, Detail], shown: str, given: bool) -> str:
        if wanted:
            if not loader.ID_RE.match(wanted):
                raise TimelineError(f"id {wanted!r} is not an id: use lower-case letters, digits and '-' "
                                    f"(such as {slug(wanted) or 'mashable-2018-10-23'})", param="id")
            if wanted in self.ids:
                where = "given" if given else f"from the front matter of {shown}"
                raise TimelineError(f"id {wanted!r} ({where}) is taken in {display_path(self.case_dir)}; "
                                    "give another with id=ID", param="id", said="id=ID", value="ID")
            return wanted
        first = details["publisher"].value if "publisher" in details else " ".join(
            str(details["title"].value).split()[:5])
        return self._unique(slug(f"{first} {details['published'].value}") or "article")

    def _unique(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        return candidate


@dataclass
class _Found:
    """What an input file gave: the text, the values found, their origins, and what it did not give."""

    text: str
    details: dict[str, Detail]
    missing: list[str]
    id: str | None = None


def read_input(path: Path, case_language: str = "en") -> _Found:
    """Read an article to add: its text, and what its file says (``.md`` front matter, a page's metadata)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (*TEXT_SUFFIXES, *MARKDOWN_SUFFIXES, *HTML_SUFFIXES):
        raise TimelineError(f"{display_path(path)}: not an article file (.txt, .md or a saved web page .html)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TimelineError(f"{display_path(path)}: cannot read: {exc.strerror or exc}") from None
    if suffix in HTML_SUFFIXES:
        found = _from_html(path, data)
    else:
        found = _from_text(path, data, markdown=suffix in MARKDOWN_SUFFIXES)
    if not found.text.strip():
        raise TimelineError(f"{display_path(path)}: the article text is empty")
    if "language" not in found.details:
        found.details["language"] = Detail(case_language, "the case's language")
    for name in ("publisher", "url"):
        if name not in found.details:
            found.missing.append(name)
    return found


def _decode(path: Path, data: bytes) -> str:
    problems: list[str] = []
    text = loader.decode_text(data, lambda line, message: problems.append(
        f"{display_path(path)}:{line}: {message}" if line else f"{display_path(path)}: {message}"))
    if text is None:
        raise TimelineError(problems[0])
    return text


def _from_text(path: Path, data: bytes, markdown: bool) -> _Found:
    text = _decode(path, data)
    parts = articles.split(text) if markdown else None
    if parts is not None:
        return _from_front_matter(path, *parts)
    details: dict[str, Detail] = {}
    missing = ["published"]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not markdown and first:  # a plain text has no title of its own: its first line is a guess, marked so
        details["title"] = Detail(first[:300], "the first line")
        details["title_supplied"] = Detail(True, "the first line")
    else:
        missing.append("title")
    return _Found(text, details, missing)


def _from_front_matter(path: Path, front: str, text: str) -> _Found:
    import yaml

    from timeline.case import yamlio

    shown = display_path(path)
    try:
        meta = yamlio.loads(front, 1)
    except (yaml.YAMLError, RecursionError) as exc:
        line, message = yamlio.error_line(exc, front) if isinstance(exc, yaml.YAMLError) else (0, "nested too deeply")
        raise TimelineError(f"{shown}:{line + 1 if line else 1}: {message}") from None
    if not isinstance(meta, dict):
        raise TimelineError(f"{shown}:2: the front matter must be a mapping of field: value")
    details: dict[str, Detail] = {}
    for key, value in meta.items():
        if key == "sha256":
            continue  # recomputed from the text
        if key not in _CARRIED:
            from timeline.errors import did_you_mean

            raise TimelineError(f"{shown}:{meta.line_of(key)}: unknown front-matter field {key!r}"
                                f"{did_you_mean(str(key), loader.SOURCE_FIELDS)}")
        if value is not None and value != "":
            details[key] = Detail(value, "the front matter")
    wanted = details.pop("id").value if "id" in details else None
    missing = [name for name in ("title", "published") if name not in details]
    return _Found(text, details, missing, str(wanted) if wanted is not None else None)


def _from_html(path: Path, data: bytes) -> _Found:
    from timeline.case.webpage import extract_article

    page = extract_article(data, url=None)
    details: dict[str, Detail] = {}
    origin = "the page"
    if page.title:
        details["title"] = Detail(page.title, origin)
    if page.publisher:
        details["publisher"] = Detail(page.publisher, origin)
    if page.published:
        how = f"the page: {page.published_from}" if page.published_from else origin
        details["published"] = Detail(str(page.published), how)
        details["published_note"] = Detail(f"Detected by `timeline add` from {page.published_from or 'the page'}.",
                                           how)
    if page.url:
        details["url"] = Detail(page.url, origin)
    if page.language:
        details["language"] = Detail(page.language, origin)
    removed = page.removed if isinstance(page.removed, str) else "; ".join(str(r) for r in page.removed or [])
    if removed:
        details["trimmed"] = Detail(f"Removed as page furniture: {removed}", origin)
    missing = [name for name in ("title", "published") if name not in details]
    return _Found(page.text, details, missing)


def _check_fields(details: dict[str, Detail], shown: str) -> None:
    """Each value as the loader checks it; one from a flag is named by its parameter (the CLI's flag)."""
    for name, detail in details.items():
        kind, _required = loader.SOURCE_FIELDS[name]
        if kind == "edtf":  # stored as text: the loader reads it back as an EDTF date
            value, message = loader.check_value(kind, str(detail.value))  # the loader's own rules, not a copy
        else:
            value, message = loader.check_value(kind, detail.value)
        if message is None:
            continue
        if detail.how == "given":
            raise TimelineError(f"{name} {message}", param=name)
        raise TimelineError(f"{shown}: {name} {message} (in {detail.how}); give it with {name}=VALUE",
                            param=name, said=f"{name}=VALUE", value="VALUE")


def _front_matter(details: dict[str, Detail], digest: str) -> str:
    """The article's front matter, in the loader's field order."""
    values = {name: details[name].value for name in loader.SOURCE_FIELDS if name in details}
    values["sha256"] = digest
    return _yaml_mapping(values)


def article_bytes(added: AddedArticle) -> bytes:
    """The article file: front matter between ``---`` lines, then the text as given."""
    return f"---\n{added.front_matter}---\n{added.text}".encode()


def entity_record(entity_id: str, label: str) -> str:
    """A publisher's entity record, as appended to ``entities.yaml``."""
    import yaml

    return yaml.safe_dump([{"id": entity_id, "type": PUBLISHER_TYPE, "label": label}], sort_keys=False,
                          allow_unicode=True, width=100)


def _write(state: _CaseState, planned: list[AddedArticle]) -> None:
    """The new entities and each article, all or none: on a failure, the case is left as it was."""
    changes: dict[Path, bytes | None] = {}
    if state.new_entities:
        entities_file = state.case_dir / "entities.yaml"
        old = entities_file.read_text(encoding="utf-8") if entities_file.exists() else ""
        lead = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
        records = "\n".join(entity_record(eid, label) for eid, label in state.new_entities)
        changes[entities_file] = (old + lead + records).encode("utf-8")
    for added in planned:
        changes[added.path] = article_bytes(added)
    write_all(changes)


def _article_text(path: Path) -> str | None:
    """The text of an existing article (what its hash is of), or None if it cannot be read as one."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    parts = articles.split(raw.removeprefix("\ufeff").replace("\r\n", "\n"))
    return parts[1] if parts else None


def _yaml_mapping(values: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=100)
