"""``timeline accept``: reviewed draft records moved into the case's ``entities.yaml``, ``events.yaml`` and
``claims.yaml``.

The user's files are edited as text, not re-dumped: accepted records are appended at the end of each file, so
every byte above them (comments, order, quoting, indentation) stays as the user wrote it. A draft entity that
names an existing entity (its label or an alias, :mod:`timeline.case.names`) is merged into it: its names are
added to that entity's ``aliases`` in place, and the draft's references to it are rewritten. Each edited file
is read back and compared with what was meant before anything is written. All files are replaced together or
not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeline.case import loader
from timeline.case.drafts import DRAFTS_DIR
from timeline.case.loader import DRAFT_ONLY
from timeline.case.names import NameIndex
from timeline.errors import Problem, TimelineError, close_matches, did_you_mean_text, display_path
from timeline.files import write_all

#: Draft list -> the case's record file.
KINDS = {"entities": "entities.yaml", "events": "events.yaml", "claims": "claims.yaml"}
_ONE = {"entities": "entity", "events": "event", "claims": "claim"}
#: Fields whose strings are prose, never a reference to an entity.
_PROSE = frozenset({"id", "label", "aliases", "description", "text", "quote", "date_note", "evidence", "status"})


@dataclass
class Accepted:
    """What :func:`accept` did: records added per file, entities merged, and what became of the draft."""

    added: dict[str, list[str]] = field(default_factory=dict)
    #: draft entity id -> the existing entity it was merged into.
    merged: dict[str, str] = field(default_factory=dict)
    draft_removed: bool = False
    remaining: int = 0
    written: list[Path] = field(default_factory=list)


def draft_path(case_dir: Path, draft: str) -> Path:
    """The draft file ``draft`` names: a path, or an article id (``CASE/drafts/ID.yaml`` or ``.json``)."""
    given = Path(draft)
    if given.is_file():
        return given
    for suffix in (".yaml", ".json"):
        candidate = Path(case_dir) / DRAFTS_DIR / f"{draft}{suffix}"
        if candidate.is_file():
            return candidate
    folder = Path(case_dir) / DRAFTS_DIR
    known = sorted(p.stem for p in folder.glob("*.*")) if folder.is_dir() else []
    hint = did_you_mean_text(close_matches(draft, known)) or " (make one with `timeline draft SOURCE`)"
    raise TimelineError(f"{draft}: no such draft file, nor {display_path(Path(case_dir) / 'drafts')}/{draft}.yaml"
                        f"{hint}", param="draft")


def accept(case_dir: Path, draft: Path, ids: list[str] | None = None) -> Accepted:
    """Move the records ``ids`` of ``draft`` (all when none are given) into the case in ``case_dir``.

    Raises :class:`TimelineError` (nothing written) for an unknown id (``param="ids"``), an id the case
    already has (naming both places), or a record file that cannot be edited.
    """
    case_dir, draft = Path(case_dir), Path(draft)
    records = _read_draft(draft)
    chosen = _chosen(records, ids, draft)
    case = _read_case(case_dir)
    result = Accepted()
    merges = _merges(case, records, chosen)
    result.merged = {d: e for d, (e, _names) in merges.items()}
    _rewrite_refs(records, result.merged)
    _refuse_taken(case, records, chosen, merges, draft)
    changes: dict[Path, bytes] = {}
    for kind, name in KINDS.items():
        path = case_dir / name
        new = [_clean(r) for r in records[kind] if r["id"] in chosen and r["id"] not in merges]
        aliases = {e: names for e, names in merges.values()} if kind == "entities" else {}
        if not new and not aliases:
            continue
        changes[path] = _edited(path, new, aliases).encode("utf-8")
        result.added[name] = [r["id"] for r in new]
    remaining = {k: [r for r in v if r["id"] not in chosen] for k, v in records.items()}
    result.remaining = sum(len(v) for v in remaining.values())
    draft_text = None if not result.remaining else _render_draft(remaining, draft)
    _write_all(changes, draft, draft_text)
    result.draft_removed = draft_text is None
    result.written = list(changes)
    return result


# ------------------------------------------------------------------ reading


def _read_draft(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The draft's records by kind, as plain data, read by the loader's own draft reader (as validate reads it)."""
    problems: list[Problem] = []
    found = loader.read_draft_file(path, problems)
    if problems:
        raise TimelineError(f"{problems[0]}".replace(": error: ", ": ", 1), param="draft")
    records: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for record in found:
        if not isinstance(record.raw.get("id"), str):
            raise TimelineError(f"{display_path(path)}:{record.raw.line}: this {_ONE[record.kind]} record has no "
                                "id; give it one", param="draft")
        records[record.kind].append(_plain(record.raw))
    return records


def _plain(value: Any) -> Any:
    """Plain dicts and lists, as the YAML dumper writes them, of the loader's line-numbered ones."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _chosen(records: dict[str, list[dict[str, Any]]], ids: list[str] | None, draft: Path) -> set[str]:
    known = [r["id"] for items in records.values() for r in items]
    if not ids:
        if not known:
            raise TimelineError(f"{display_path(draft)}: has no records to accept", param="draft")
        return set(known)
    for wanted in ids:
        if wanted not in known:
            hint = did_you_mean_text(close_matches(wanted, known)) or f" (its ids: {', '.join(known[:5])}…)"
            raise TimelineError(f"no record {wanted!r} in {display_path(draft)}{hint}", param="ids", value=wanted)
    return set(ids)


def _read_case(case_dir: Path):
    if not (case_dir / "case.yaml").is_file():
        raise TimelineError(f"{display_path(case_dir)}: not a case directory (no case.yaml)", param="case")
    case, _problems = loader.load_case(case_dir)
    if case is None:
        raise TimelineError(f"{display_path(case_dir)}: not a case directory", param="case")
    bad = [n for n in KINDS.values() if n in case.unreadable]
    if bad:
        raise TimelineError(f"{display_path(case_dir / bad[0])}: cannot be read; fix it (`timeline validate`) first",
                            param="case")
    return case


# ------------------------------------------------------------------ deciding


def _merges(case, records, chosen: set[str]) -> dict[str, tuple[str, list[str]]]:
    """Accepted draft entities naming one existing entity: draft id -> (entity id, names to add as aliases)."""
    index = NameIndex((e.id, e.label, e.aliases) for e in case.entities.values())
    merges: dict[str, tuple[str, list[str]]] = {}
    for record in records["entities"]:
        if record["id"] not in chosen:
            continue
        names = [str(n) for n in [record.get("label"), *(record.get("aliases") or [])] if n]
        found = {i for n in names for i in index.exact(n)[1]}
        if len(found) != 1:
            continue
        target = case.entities[found.pop()]
        have = {n.casefold() for n in [target.label, *target.aliases]}  # an id is not a name people read
        new = []
        for n in names:
            if n.casefold() not in have:
                have.add(n.casefold())
                new.append(n)
        merges[record["id"]] = (target.id, new)
    return merges


def _rewrite_refs(value: Any, renamed: dict[str, str]) -> Any:
    """Point the draft's references to merged entities at the entities they were merged into (in place)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _PROSE:
                continue
            if isinstance(item, str) and item in renamed:
                value[key] = renamed[item]
            elif isinstance(item, list):
                value[key] = [renamed.get(i, i) if isinstance(i, str) else _rewrite_refs(i, renamed) for i in item]
            else:
                _rewrite_refs(item, renamed)
    elif isinstance(value, list):
        for item in value:
            _rewrite_refs(item, renamed)
    return value


def _refuse_taken(case, records, chosen: set[str], merges: dict, draft: Path) -> None:
    tables = [case.sources, case.entities, case.events, case.claims]
    for items in records.values():
        for record in items:
            rid = record["id"]
            if rid not in chosen or rid in merges:
                continue
            existing = next((t[rid] for t in tables if rid in t), None)
            if existing is None and rid not in case.failed_ids:
                continue
            where = f"{display_path(existing.path)}:{existing.line}" if existing is not None else "the case"
            raise TimelineError(f"{rid!r} in {display_path(draft)} is already an id in the case ({where}); rename "
                                "it in the draft or remove the draft record", param="ids", value=rid)


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in DRAFT_ONLY}


# ------------------------------------------------------------------ editing text


def _dump(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=110)


def _edited(path: Path, new: list[dict[str, Any]], aliases: dict[str, list[str]]) -> str:
    """``path``'s text with ``aliases`` added to existing entities and ``new`` appended; checked by reading back."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        before = yaml.safe_load(text) if text.strip() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TimelineError(f"{display_path(path)}: cannot read: {exc}; fix it first") from None
    for entity_id, names in aliases.items():
        if names:
            text = _with_aliases(text, path, entity_id, names)
    if new:
        text = text + ("" if not text or text.endswith("\n") else "\n") + _dump(new)
    expected = [dict(r) for r in (before or [])]
    for record in expected:
        if record.get("id") in aliases and aliases[record["id"]]:
            record["aliases"] = [*(record.get("aliases") or []), *aliases[record["id"]]]
    expected += new
    try:
        after = yaml.safe_load(text)
    except yaml.YAMLError:
        after = None
    if after != expected:  # a layout the text edit does not handle (a flow list, a document end ...)
        raise TimelineError(f"{display_path(path)}: cannot add records to it as text (its records are not a plain "
                            "block list); nothing was changed")
    return text


def _with_aliases(text: str, path: Path, entity_id: str, names: list[str]) -> str:
    """``text`` with ``names`` added to the ``aliases`` of the entity ``entity_id``, only that span edited."""
    import yaml

    root = yaml.compose(text)
    node = next((n for n in getattr(root, "value", []) if isinstance(n, yaml.MappingNode)
                 and any(k.value == "id" and getattr(v, "value", None) == entity_id for k, v in n.value)), None)
    if node is None:
        raise TimelineError(f"{display_path(path)}: entity {entity_id!r} not found to add aliases to")
    pairs = {k.value: (k, v) for k, v in node.value}
    flow = yaml.safe_dump(names, default_flow_style=True, allow_unicode=True, width=10**6).strip()
    if "aliases" not in pairs:
        key, value = pairs.get("label", pairs["id"])
        end = text.find("\n", value.end_mark.index)
        end = len(text) if end < 0 else end
        return text[:end] + "\n" + " " * key.start_mark.column + f"aliases: {flow}" + text[end:]
    value = pairs["aliases"][1]
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        items = [*(text[i.start_mark.index:i.end_mark.index] for i in value.value), flow[1:-1]]
        return text[:value.start_mark.index] + "[" + ", ".join(items) + "]" + text[value.end_mark.index:]
    if isinstance(value, yaml.SequenceNode) and value.value:
        last = value.value[-1]
        end = text.find("\n", last.end_mark.index)
        end = len(text) if end < 0 else end
        indent = " " * (last.start_mark.column - 2)
        lines = "".join(f"\n{indent}- {_dump([n]).strip()[2:]}" for n in names)
        return text[:end] + lines + text[end:]
    return text  # an empty or odd value: the read-back check refuses it


def _render_draft(remaining: dict[str, list[dict[str, Any]]], draft: Path) -> str:
    """The draft's records not accepted, under the draft's own opening comments."""
    import json

    if draft.suffix == ".json":
        return json.dumps(remaining, ensure_ascii=False, indent=2) + "\n"
    header = []
    for line in draft.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        header.append(line)
    return "".join(header) + _dump(remaining)


# ------------------------------------------------------------------ writing


def _write_all(changes: dict[Path, bytes], draft: Path, draft_text: str | None) -> None:
    """Replace every file of ``changes`` and update the draft (removed once empty), or change nothing."""
    write_all({**changes, draft: None if draft_text is None else draft_text.encode("utf-8")})


