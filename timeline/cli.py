"""The ``timeline`` command: a thin shell over the library.

Heavy libraries (rdflib, pyoxigraph, pyshacl) are imported inside commands so
that ``timeline --help`` stays fast.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import NoReturn

import click

from timeline import __version__
from timeline.errors import TimelineError

EXIT_ERROR = 1
EXIT_INTERNAL = 70

QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld")


class _Resolving(click.Group):
    """Notes the command it runs, so that an error about a parameter can name that command's flag for it."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        ctx.meta[COMMAND] = command  # shared by the contexts of a run: the innermost command wins
        return name, command, rest


class Group(_Resolving):
    """Turns library errors into one line on stderr and a non-zero exit code."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
        except TimelineError as exc:
            text = _error_text(exc, ctx.meta.get(COMMAND))
            note = ctx.meta.get(CASE_NOTE)  # which case an error happened in, when the user did not name it
            _fail(f"{text} ({note})" if note else text)
        except BrokenPipeError:  # `timeline query ... | head`: the reader left; stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            _fail(f"{where}{exc.strerror or exc}")
        except KeyboardInterrupt:
            _fail("interrupted")
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: one line unless debugging
            if os.environ.get("TIMELINE_DEBUG"):
                raise
            click.echo(f"timeline: internal error: {type(exc).__name__}: {exc} "
                       "(set TIMELINE_DEBUG=1 for a traceback)", err=True)
            sys.exit(EXIT_INTERNAL)
        if ctx.meta.get(CASE_NOTE):  # a read command's summary: the case it read, as it was not named
            click.echo(ctx.meta[CASE_NOTE], err=True)
        return result


#: ``ctx.meta`` key: the case a read command chose by itself (``case: sources/rekognition (the sample)``).
CASE_NOTE = "timeline.case_note"
#: ``ctx.meta`` key: the command being run (under ``render``, its subcommand).
COMMAND = "timeline.command"

#: Library parameters whose option is stored under another name (``view`` is ``--view``, ``view_kind``).
OPTION_NAMES = {"view": "view_kind", "engine": "shacl_engine", "writable": "allow_update", "id": "article_id"}


def _flag(command: click.Command | None, param: str | None) -> str | None:
    """The option of ``command`` that sets the library parameter ``param`` (``--max-hops``), if it has one."""
    if command is None or param is None:
        return None
    names = {param, OPTION_NAMES.get(param, param)}
    for option in command.params:
        if isinstance(option, click.Option) and option.name in names:
            return max(option.opts, key=len)  # --param, not -p
    return None


def _error_text(exc: TimelineError, command: click.Command | None) -> str:
    """A library error as the command's user reads it: its parameter named by the flag that sets it.

    As click's ``BadParameter.param_hint``: ``max_hops must be ...`` reads ``--max-hops must be ...``.
    """
    flag = _flag(command, exc.param)
    return exc.naming(flag) if flag else str(exc)


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"timeline: error: {message}", err=True)
    sys.exit(code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="timeline")
def cli() -> None:
    """Turn news coverage into an event-centric knowledge graph with provenance.

    Every fact in the graph cites the exact sentence of the article that
    supports it. Without CASE (or --case), commands use $TIMELINE_CASE, else
    the case named in ./timeline.toml (case = "DIR"), else the sample case
    (Amazon Rekognition and law enforcement, 2015-2020; ./sources/rekognition
    when the working directory has it, else the copy installed with the tool).
    """


case_argument = click.argument("case", required=False)


def _writable(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``-o FILE`` of a command that writes it at the end: fail now, before any work, if it cannot be written."""
    if value is not None and not ctx.resilient_parsing:  # not while completing a command line
        from timeline.files import check_writable

        check_writable(value)
    return value


def _graph_path(case: str | None, graph: Path | None) -> Path:
    """The built graph a read command uses: --graph, else the built graph of the chosen case."""
    from timeline.case import choice as case_choice  # light: read commands never load the build pipeline

    if graph:
        return graph
    choice = case_choice.choose_case(case)
    if choice.how != "argument":  # said once the command ends (or in its error line): which case it read
        click.get_current_context().meta[CASE_NOTE] = choice.note()
    return case_choice.built_graph(choice)


def _print_problems(problems, quiet_warnings: bool = False, every_warning: bool = False) -> None:
    """Errors one by one (FILE:LINE: error: ...); warnings grouped by kind unless every one is asked for."""
    from timeline.errors import warning_groups

    for problem in problems:
        if problem.is_error or (every_warning and not quiet_warnings):
            click.echo(str(problem), err=True)
    if not quiet_warnings and not every_warning:
        for line in warning_groups(problems, hint="; --warnings lists them"):
            click.echo(line, err=True)


def _refuse(problems, quiet: bool, what: str, after: str, every_warning: bool = False) -> NoReturn:
    """A refused build or import: its problems, then one summary line, and exit 1."""
    _print_problems(problems, quiet, every_warning)
    errors = sum(1 for p in problems if p.is_error)
    _fail(f"{what} failed with {errors} error(s); {after}")


class _ProgressBar:
    """``progress(done, total)`` drawn as a click progress bar on stderr (a label only when not a terminal).

    Used as a context manager: the bar is finished when the work ends, however it ends.
    """

    def __init__(self, label: str, enabled: bool = True):
        self.label, self.enabled, self.bar = label, enabled, None

    def __enter__(self) -> _ProgressBar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True,
                                          show_percent=True)
        self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None


def warning_options(command: click.decorators.FC) -> click.decorators.FC:
    """-q and --warnings, shared by the commands that check a case."""
    command = click.option("--warnings", "every_warning", is_flag=True,
                           help="List every warning as FILE:LINE: warning: ... (by default they are grouped by "
                                "kind, with a count and an example).")(command)
    return click.option("-q", "--quiet", is_flag=True, help="Do not list warnings or draw the progress bar.")(command)


def shacl_options(command):
    """--no-shacl and --shacl-engine, shared by validate and build."""
    command = click.option("--shacl-engine", type=click.Choice(["scan", "sparql", "pyshacl"]), default="scan",
                           show_default=True,
                           help="SHACL engine: one pass over the sorted graph as it is written (fastest; falls "
                                "back to sparql for shapes it cannot check), shapes compiled to SPARQL on "
                                "pyoxigraph, or pySHACL (reference).")(command)
    return click.option("--no-shacl", is_flag=True, help="Skip the SHACL shape check of the built graph.")(command)


@cli.command()
@case_argument
@shacl_options
@warning_options
@click.option("--fix-hashes", is_flag=True,
              help="First write the right sha256 into each article whose hash is missing or wrong (only that line "
                   "changes), then validate.")
def validate(case: str | None, no_shacl: bool, shacl_engine: str, quiet: bool, every_warning: bool,
             fix_hashes: bool) -> None:
    """Check a case: record schema, identifiers, references, EDTF dates,
    every quote against its article, and SHACL shapes. Writes nothing,
    unless --fix-hashes is given.

    Drafts (CASE/drafts/*.yaml and records marked `status: draft`) are
    checked as if accepted; their problems, and drafts that date a quote
    an accepted record cites differently, are warnings. They are not built.

    Errors print as FILE:LINE: error: message; the exit code is 1 if any.
    """
    from timeline import pipeline
    from timeline.case.choice import resolve_case
    from timeline.errors import display_path

    case_dir = resolve_case(case)
    if fix_hashes:
        from timeline.case.articles import fix_hashes as fix

        for path in fix(case_dir):
            click.echo(f"wrote the sha256 of {display_path(path)}")
    with _ProgressBar("reading CSV", enabled=not quiet) as progress:
        report = pipeline.check(case_dir, shacl=not no_shacl, engine=shacl_engine, progress=progress)
    _print_problems(report.problems, quiet, every_warning)
    shown = display_path(case_dir)
    if not report.ok:
        click.echo(f"{shown}: {len(report.errors)} error(s), {len(report.warnings)} warning(s)", err=True)
        sys.exit(EXIT_ERROR)
    summary = ", ".join(f"{v} {k}" for k, v in report.counts().items())
    click.echo(f"{shown}: valid ({summary}; {len(report.warnings)} warning(s))")


@cli.command()
@case_argument
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the graph (N-Quads). Default: out/<case>/graph.nq, or $TIMELINE_OUT/<case>/.")
@shacl_options
@warning_options
@click.option("--pages", is_flag=True,
              help="Also write the case's timeline, graph and story pages (timeline.html, graph.html, story.html) "
                   "beside the graph, replacing those there.")
@click.option("--store", "store_to", metavar="DIR|URL",
              help="Also load the graph into an on-disk Oxigraph store (DIR, replaced atomically) or push it to a "
                   "SPARQL endpoint (URL; the case's graphs are replaced, never duplicated).")
def build(case: str | None, output: Path | None, no_shacl: bool, shacl_engine: str, quiet: bool,
          every_warning: bool, pages: bool, store_to: str | None) -> None:
    """Check a case and build its RDF dataset.

    One named graph per source article, one for the curated facts and one
    for the ontology. The file is replaced atomically, and only when every
    check passes: a failed build leaves the previous graph intact. A big
    graph (4 MiB or more, $TIMELINE_STORE_MIN_BYTES) also gets a query store
    beside it, graph.oxigraph/, which every command reading the graph opens
    instead of parsing it, after checking that it is the store of that very file.

    Without CASE: $TIMELINE_CASE, else the `case` named in ./timeline.toml,
    else the sample.
    """
    from timeline import pipeline
    from timeline.case.choice import default_output, resolve_case
    from timeline.errors import CaseInvalid, display_path
    from timeline.files import check_writable

    case_dir = resolve_case(case)
    target = output or default_output(case_dir)
    for path in [target, *([target.parent / name for name in pipeline.PAGES] if pages else [])]:
        check_writable(path)  # fail now, not after the whole build
    try:
        with _ProgressBar("reading CSV", enabled=not quiet) as progress:
            report = pipeline.build(case_dir, output, shacl=not no_shacl, engine=shacl_engine, progress=progress)
    except CaseInvalid as exc:
        _refuse(exc.problems, quiet, f"{display_path(case_dir)}: build", "the previous graph was left unchanged",
                every_warning)
    _print_problems(report.warnings, quiet, every_warning)
    counts = report.counts()
    click.echo(f"built {display_path(report.output)} from {display_path(case_dir)}: {report.quads} quads in "
               f"{report.graphs} graphs, {', '.join(f'{v} {k}' for k, v in counts.items())} "
               f"({len(report.warnings)} warning(s), {report.seconds:.2f} s)")
    kept = pipeline.keep_store(report.output, _note)  # before the pages, which then read it
    if kept is not None:
        click.echo(f"kept {display_path(kept)} beside it: later commands read the graph from there")
    if pages:  # beside the graph: a page of another case is never overwritten by one of this case
        written = pipeline.render_pages(report.output, case_dir=case_dir)
        click.echo(f"wrote {', '.join(display_path(p) for p in written)} (open them in a web browser)")
    if store_to:
        _store_to(report.output, store_to)


@cli.command()
@click.argument("directory", metavar="DIR")
@click.option("--title", help="The case's title (default: the directory's name).")
@click.option("--language", default="en", show_default=True, help="The language of the case's articles.")
def new(directory: str, title: str | None, language: str) -> None:
    """Make a new case in DIR and make it the current case.

    Writes DIR/case.yaml (its id is the directory's name), entities.yaml,
    events.yaml and claims.yaml (no records yet; each opens with the
    reference of its fields) and DIR/articles/. DIR must be new or empty.
    Then ./timeline.toml names DIR (`case = "DIR"`), so the commands that
    follow use it: a new file, or only its `case` line changed.
    """
    from timeline.case import authoring
    from timeline.errors import display_path

    toml, text, existed = authoring.planned_project_file(directory)  # checked before anything is written
    made = authoring.new_case(Path(directory), title, language)
    authoring.write_project_file(toml, text)
    names = ", ".join(p.name + ("/" if p.is_dir() else "") for p in made)
    click.echo(f"created {display_path(Path(directory))}: {names}")
    click.echo(f"{display_path(toml)}: case is now {directory}" + ("" if existed else " (new file)"), err=True)
    click.echo("next: add an article with `timeline add FILE --published YYYY-MM-DD` (.txt, .md or a saved .html "
               "page)", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--case", "case", metavar="CASE",
              help="The case to add to (default: $TIMELINE_CASE or ./timeline.toml; the sample only when named).")
@click.option("--id", "article_id", metavar="ID",
              help="The article's id (default: publisher and publication date, e.g. mashable-2018-10-23).")
@click.option("--title", help="The article's title (default: the page's; for .txt, its first line).")
@click.option("--publisher", metavar="NAME",
              help="The publisher: an entity's id, label or alias, or a new name (added as a news organization).")
@click.option("--published", metavar="EDTF",
              help="Publication date, e.g. 2018-10-23, 2018-10 or [2020-06-10..2020-06-30] (default: the page's).")
@click.option("--url", help="Where the article was published.")
@click.option("--language", help="The article's language (default: the page's, else the case's).")
def add(files: tuple[Path, ...], case: str | None, article_id: str | None, title: str | None, publisher: str | None,
        published: str | None, url: str | None, language: str | None) -> None:
    """Add articles to a case: .txt (the text), .md (the text, or front matter
    and text as in a case's articles/) or .html (a saved web page: its main
    text and metadata are extracted, and what was removed is noted).

    Each is written to CASE/articles/ID.md with its front matter and SHA-256;
    the text is kept exactly as given, so quotes copied from it match. Flags
    override what was detected. A publication date is required (every
    relative date depends on it). An article already in the case (same text)
    is refused. A publisher no entity names is added to entities.yaml as a
    news organization. Nothing is written unless every article can be added;
    the case is then validated.
    """
    from timeline import pipeline
    from timeline.case import authoring
    from timeline.case.choice import HOW_TO_CHOOSE, choose_case
    from timeline.errors import display_path, warning_groups

    choice = choose_case(case)
    if choice.how == "sample":  # never add to the sample by default
        _fail(f"add needs a case: `timeline new DIR` makes one, or give --case CASE ({HOW_TO_CHOOSE})")
    for f in files:
        if not f.is_file():
            _fail(f"{f}: no such file")
    overrides = authoring.Overrides(article_id, title, publisher, published, url, language)
    added = authoring.add_articles(choice.path, list(files), overrides)
    for article in added:
        _print_added(article)
    report = pipeline.check(choice.path)
    for line in [*(str(p) for p in report.errors),
                 *warning_groups(report.problems, hint="; `timeline validate --warnings` lists them")]:
        click.echo(line, err=True)
    shown = display_path(choice.path)
    summary = ", ".join(f"{v} {k}" for k, v in report.counts().items())
    if report.ok:
        click.echo(f"{shown}: valid ({summary}; {len(report.warnings)} warning(s))")
    else:  # errors of the case's own records: the articles are added all the same
        click.echo(f"{shown}: {len(report.errors)} error(s), {len(report.warnings)} warning(s); fix them and run "
                   "`timeline validate`", err=True)


@cli.command()
@click.argument("source", metavar="SOURCE")
@click.option("--case", "case", metavar="CASE",
              help="The case the article is in (default: $TIMELINE_CASE or ./timeline.toml, else the sample).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="The draft's format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
              help="Where to write the draft (default: CASE/drafts/SOURCE.yaml, or .json; '-' for stdout).")
@click.option("--model", "model", metavar="NAME",
              help="Propose the names a trained spaCy pipeline finds, instead of capitalised names: an installed "
                   "pipeline (en_core_web_sm) or a saved pipeline's directory. Needs pip install 'timeline[nlp]' "
                   "and a pipeline you installed; names the case has are still linked by rule.")
def draft(source: str, case: str | None, fmt: str, output: Path | None, model: str | None) -> None:
    """Draft records for the article SOURCE (its id) for a person to review.

    Proposes new entities (names the case lacks, with a type guessed from
    cue words), events (sentences reporting something happening, typed by
    trigger words, dated from the sentence) and claims (reported speech,
    with its claimant and a stance guess), in the case's record format.
    Every record has `status: draft` and the evidence for each guess; every
    quote is a sentence of the article. Rules only, unless --model names a
    spaCy pipeline you installed: nothing is downloaded.
    The case's own files are not changed; `timeline validate` checks drafts
    as warnings, and nothing in drafts/ is built.
    """
    from timeline.case.choice import choose_case
    from timeline.case.drafts import DRAFTS_DIR
    from timeline.case.loader import load_case
    from timeline.draft.drafter import draft_article, render
    from timeline.draft.model import load_model
    from timeline.errors import display_path
    from timeline.files import write_atomic

    choice = choose_case(case)
    loaded, problems = load_case(choice.path)
    if loaded is None:
        _fail("; ".join(str(p) for p in problems) or f"{choice.path}: not a case")
    nlp = load_model(model) if model is not None else None
    text = render(draft_article(loaded, source, model=nlp), fmt, source)
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    target = output or choice.path / DRAFTS_DIR / f"{source}.{fmt}"
    if output is None:
        target.parent.mkdir(exist_ok=True)  # the umask gives its permissions
    write_atomic(target, text.encode("utf-8"))
    click.echo(f"wrote {display_path(target)}")


@cli.command()
@click.argument("draft", metavar="DRAFT")
@click.argument("ids", nargs=-1)
@click.option("--case", "case", metavar="CASE",
              help="The case to accept into (default: $TIMELINE_CASE or ./timeline.toml; the sample only when named).")
def accept(draft: str, ids: tuple[str, ...], case: str | None) -> None:
    """Move reviewed records of DRAFT (a draft file, or an article id for
    CASE/drafts/ID.yaml) into the case: all of them, or the IDS given.

    Records are appended to entities.yaml, events.yaml and claims.yaml
    without `status` and `evidence`; everything above them (comments, order,
    formatting) is kept byte for byte. A draft entity whose label or alias
    names an existing entity is merged into it (its names become aliases)
    and the draft's references to it follow. An id the case already has is
    refused. All files change together or not at all; accepted records leave
    the draft (deleted when empty); then the case is validated.
    """
    from timeline import pipeline
    from timeline.case import accepting
    from timeline.case.choice import HOW_TO_CHOOSE, choose_case
    from timeline.errors import display_path, warning_groups

    choice = choose_case(case)
    if choice.how == "sample":  # never change the sample by default
        _fail(f"accept needs a case: `timeline new DIR` makes one, or give --case CASE ({HOW_TO_CHOOSE})")
    path = accepting.draft_path(choice.path, draft)
    done = accepting.accept(choice.path, path, list(ids))
    for name, added in done.added.items():
        if added:
            click.echo(f"{display_path(choice.path / name)}: added {', '.join(added)}")
    for draft_id, entity in done.merged.items():
        click.echo(f"merged {draft_id} into {entity} (its names are aliases; references follow)")
    click.echo(f"removed {display_path(path)}" if done.draft_removed
               else f"{display_path(path)}: {done.remaining} record(s) left to review")
    report = pipeline.check(choice.path)
    for line in [*(str(p) for p in report.errors),
                 *warning_groups(report.problems, hint="; `timeline validate --warnings` lists them")]:
        click.echo(line, err=True)
    summary = ", ".join(f"{v} {k}" for k, v in report.counts().items())
    if report.ok:
        click.echo(f"{display_path(choice.path)}: valid ({summary}; {len(report.warnings)} warning(s))")
    else:
        click.echo(f"{display_path(choice.path)}: {len(report.errors)} error(s), {len(report.warnings)} warning(s); "
                   "fix them and run `timeline validate`", err=True)


#: How ``add`` names each front-matter value it reports.
_ADDED_FIELDS = ("title", "publisher", "published", "url", "language")


def _print_added(article) -> None:
    from timeline.errors import display_path

    click.echo(f"added {display_path(article.path)} (from {display_path(article.source)})")
    for name in _ADDED_FIELDS:
        detail = article.details.get(name)
        if detail is None:
            click.echo(f"  {name}: not determined (--{name})")
            continue
        also = "; added to entities.yaml as a news organization" if name == "publisher" and article.new_entity else ""
        click.echo(f"  {name}: {detail.value} ({detail.how}{also})")
    if "published_note" in article.details:
        click.echo(f"  published_note: {article.details['published_note'].value}")
    if "trimmed" in article.details:
        click.echo(f"  trimmed: {article.details['trimmed'].value}")


RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq")


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--case", "case", metavar="CASE",
              help="For CSV: the case (name or directory) the rows are added to; its articles are the sources "
                   "the quotes are checked against.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the graph (N-Quads). Default: the case's graph (as `timeline build`); for RDF, "
                   "out/<first file's name>/graph.nq.")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="For RDF: the named graph for triples outside one (default: the curated graph of the one case "
                   "the data names).")
@click.option("--store", "store_to", metavar="DIR|URL",
              help="Also load the graph into an on-disk Oxigraph store or push it to a SPARQL endpoint (as build).")
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shape check of the result.")
@warning_options
def import_cmd(files: tuple[Path, ...], case: str | None, output: Path | None, graph_iri: str | None,
               store_to: str | None, no_shacl: bool, quiet: bool, every_warning: bool) -> None:
    """Import events and entities from CSV files, or a graph from RDF files.

    CSV (needs --case): files of events and of entities, told apart by their
    header (columns in `pydoc timeline.case.tables`). The rows are checked with the
    case exactly as `timeline build` checks YAML records (references, dates,
    every quote in its article), each problem naming the CSV file and line.
    Only if all pass, the rows are added to the case's events.csv and
    entities.csv, which `validate` and `build` read beside the YAML files,
    and the case is built. Importing the same rows twice is refused as
    duplicate ids.

    RDF (Turtle .ttl, TriG .trig, N-Triples .nt, N-Quads .nq) in the
    timeline ontology: terms and SHACL shapes are checked, the date index is
    added where missing, and the graph is written as sorted N-Quads.
    Nothing is written unless every check passes.
    """
    from timeline.errors import CaseInvalid

    rdf = [f for f in files if f.suffix.lower() in RDF_SUFFIXES]
    tables = [f for f in files if f.suffix.lower() == ".csv"]
    others = [f for f in files if f not in rdf and f not in tables]
    if others:
        _fail(f"{others[0]}: not a CSV or RDF file (.csv, {', '.join(RDF_SUFFIXES)})")
    if rdf and tables:
        _fail("import CSV files (with --case) and RDF files in separate runs")
    for f in files:
        if not f.is_file():
            _fail(f"{f}: no such file")
    if rdf and case:
        _fail("--case is for CSV files; RDF files are imported as a graph of their own")
    try:
        if tables:
            with _ProgressBar("reading CSV", enabled=not quiet) as progress:
                summary = _import_csv(tables, case, output, not no_shacl, progress)
        else:
            summary = _import_rdf(rdf, output, graph_iri, not no_shacl)
    except CaseInvalid as exc:
        _refuse(exc.problems, quiet, "import", "nothing was written", every_warning)
    graph, message, warnings = summary
    _print_problems(warnings, quiet, every_warning)
    click.echo(message)
    if store_to:
        _store_to(graph, store_to)


def _import_csv(tables: list[Path], case: str | None, output: Path | None, shacl: bool, progress):
    from timeline import pipeline
    from timeline.case.choice import HOW_TO_CHOOSE, choose_case
    from timeline.errors import display_path

    choice = choose_case(case)
    if choice.how == "sample":  # never add rows to the sample by default
        _fail(f"CSV import needs --case CASE: the case whose articles the quotes cite (or {HOW_TO_CHOOSE})")
    case_dir = choice.path
    for own in (pipeline.EVENTS_CSV, pipeline.ENTITIES_CSV):
        if any(t.resolve() == (case_dir / own).resolve() for t in tables):
            _fail(f"{case_dir / own}: already part of the case; `timeline build` reads it")
    report = pipeline.import_csv_into_case(case_dir, tables, output, shacl=shacl, progress=progress)
    imported = set(tables)
    added = ", ".join(f"{sum(1 for r in records.values() if r.path in imported)} {name}"
                      for name, records in (("events", report.case.events), ("entities", report.case.entities)))
    return report.output, (f"imported {added} into {display_path(case_dir)}; built {display_path(report.output)}: "
                           f"{report.quads} quads in {report.graphs} graphs ({len(report.warnings)} warning(s), "
                           f"{report.seconds:.2f} s)"), \
        report.warnings


def _import_rdf(rdf: list[Path], output: Path | None, graph_iri: str | None, shacl: bool):
    import time

    from timeline import pipeline
    from timeline.case.choice import default_output
    from timeline.errors import CaseInvalid
    from timeline.files import check_writable, write_atomic

    started = time.perf_counter()
    target = output or default_output(Path(rdf[0].stem))
    check_writable(target)
    nquads, problems = pipeline.import_rdf_report(rdf, graph_iri, shacl=shacl)
    if any(p.is_error for p in problems):
        raise CaseInvalid(problems)
    write_atomic(target, nquads)
    graphs = len({line.rsplit(b" ", 2)[-2] for line in nquads.splitlines()})
    quads = nquads.count(b"\n")
    return target, (f"imported {len(rdf)} file(s); wrote {target}: {quads} quads in {graphs} graphs "
                    f"({time.perf_counter() - started:.2f} s)"), [p for p in problems if not p.is_error]


def _store_to(graph: Path, target: str) -> None:
    from timeline.stores.remote import is_endpoint

    if is_endpoint(target):
        from timeline.stores.push import push

        summary = push(graph, target)
        click.echo(f"pushed to {target}: {summary}")
        click.echo(summary.how_to_query())
    else:
        from timeline.stores import build_disk_store

        click.echo(str(build_disk_store(graph, Path(target))))


def _read_query(query: str | None, file: str | None) -> tuple[str, str, object | None]:
    """(text, where, saved query or None) from a name, an argument, a file or stdin."""
    from timeline.query import saved_queries

    if file is not None:
        if query is not None:
            raise click.UsageError("give the query as an argument or with -f, not both")
        if file == "-":
            return sys.stdin.read(), "<stdin>", None
        path = Path(file)
        try:
            return path.read_text(encoding="utf-8"), str(path), None
        except UnicodeDecodeError:
            raise TimelineError(f"{path}: not UTF-8 text") from None
    if query is None or query == "-":
        if sys.stdin.isatty() and query is None:
            raise click.UsageError("give a query: a saved query name, SPARQL text, -f FILE, or - for stdin")
        return sys.stdin.read(), "<stdin>", None
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", query):
        saved = saved_queries.find_saved(query)
        return saved.text, str(saved.path), saved
    return query, "query", None


def _adhoc_bindings(given: dict[str, str]):
    """Typed terms for --param on ad-hoc queries: <iri>, integer, date or string."""
    from timeline.namespaces import XSD_DATE
    from timeline.query.results import XSD_INTEGER, Term

    bindings = {}
    for name, value in given.items():
        if value.startswith("<") and value.endswith(">"):
            bindings[name] = Term.iri(value[1:-1])
        elif re.fullmatch(r"[+-]?[0-9]+", value):
            bindings[name] = Term.literal(str(int(value)), XSD_INTEGER)
        elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            bindings[name] = Term.literal(value, XSD_DATE)
        else:
            bindings[name] = Term.literal(value)
    return bindings


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "file", help="Read the query from FILE ('-' for stdin).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter (repeatable). Values are bound as typed terms, never pasted into the query.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default=None,
              help="Output format: table (default), csv, tsv, json, xml for SELECT/ASK; "
                   "turtle (default), nt, jsonld for CONSTRUCT/DESCRIBE.")
@click.option("--case", "case", help="Case name or directory whose built graph to query (default: the chosen case).")
@click.option("--graph", "graph", type=click.Path(path_type=Path), help="A built graph file to query instead.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path),
              help="An on-disk Oxigraph store (from `build --store DIR`) to query instead.")
@click.option("--endpoint", metavar="URL", help="A remote SPARQL 1.1 endpoint to query instead: the base URL given to "
              "push (Oxigraph server, Virtuoso) or a query URL; the case's graphs go with each query as its dataset "
              "(credentials from TIMELINE_ENDPOINT_USER/TIMELINE_ENDPOINT_PASSWORD or ~/.netrc).")
@click.option("--backend", type=click.Choice(["oxigraph", "memory"]), default="oxigraph", show_default=True,
              help="Query engine: pyoxigraph, or rdflib's in-memory store.")
@click.option("--allow-update", is_flag=True, help="Allow SPARQL UPDATE; the built graph is rewritten atomically.")
@click.option("--view", "view_kind", type=click.Choice(["timeline", "graph"]),
              help="Render the SELECT result as an interactive page instead (needs -o). Columns: ?item, ?label, "
                   "?start, ?end, ?group, ?description for a timeline; IRI columns as nodes, ?xLabel, ?relation "
                   "for a graph.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="With --view: the HTML file to write.")
def query(query: str | None, file: str | None, params: tuple[str, ...], fmt: str | None, case: str | None,
          graph: Path | None, store_dir: Path | None, endpoint: str | None, backend: str, allow_update: bool,
          view_kind: str | None, output: Path | None) -> None:
    """Run SPARQL 1.1 against a built graph.

    QUERY is the name of a saved query (see `timeline queries`), SPARQL text,
    or '-' for stdin. The ontology's prefixes (tl:, sem:, oa:, schema:, ...)
    are predeclared, and the default graph is the union of all graphs.

    \b
    Examples:
      timeline query actor-timeline --param actor=ice
      timeline query events-in-window -p from=2018-05 -p to=2018-06 --format csv
      timeline query 'SELECT ?e WHERE { ?e a tl:Event } LIMIT 3'
    """
    from timeline.query import saved_queries
    from timeline.query.results import write_select
    from timeline.stores import ReadOnlyError, check_form, open_store, serialize_triples

    text, where, saved = _read_query(query, file)
    form = check_form(text, allow_update, where)  # refuse UPDATE before loading anything
    given = saved_queries.parse_param_args(params)
    if view_kind and output is None:
        raise click.UsageError("--view needs -o FILE")
    if output is not None and not view_kind:  # never ignore -o: the user expects a file
        raise click.UsageError("-o is for --view pages; to save a result, redirect it: > FILE")
    if output is not None:
        from timeline.files import check_writable

        check_writable(output)  # fail now, not after the query
    if fmt is not None:
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        if graph_form and fmt not in ("turtle", "nt", "jsonld"):
            raise click.UsageError(f"--format {fmt} is for SELECT/ASK; use turtle, nt or jsonld for {form}")
        if form in ("SELECT", "ASK") and fmt in ("turtle", "nt", "jsonld"):
            raise click.UsageError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, csv, tsv, json or xml")
    path = endpoint or store_dir or _graph_path(case, graph)
    store = open_store(path, backend, writable=bool(allow_update and form == "UPDATE" and store_dir),
                       keep=form != "UPDATE", note=_note)  # an update rewrites graph.nq itself
    if form == "UPDATE":
        if given:
            raise ReadOnlyError(f"{where}: --param is not supported with updates")
        before = len(store)
        store.update(text, where)
        store.save(path)
        click.echo(f"updated {path}: {before} -> {len(store)} quads")
        return
    bindings = saved_queries.bind(saved, given, store, _note) if saved else _adhoc_bindings(given)
    result = store.query(text, bindings, where)
    if view_kind:
        _render_result(result, store, view_kind, output, saved.title if saved else "Query result")
        return
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        click.echo(serialize_triples(result.triples, fmt or "turtle", store.prefixes), nl=False)
    else:
        click.echo(write_select(result, fmt or "table", store.prefixes), nl=False)


def _render_result(result, store, kind: str, output: Path, title: str) -> None:
    from timeline.files import write_atomic
    from timeline.views import resultview
    from timeline.views.model import load_view

    case_view = load_view(store)
    if kind == "timeline":
        from timeline.render.timeline import render_timeline

        converted = resultview.to_timeline_view(result, case_view, title)
        grouped = any(e.types != [] for e in converted.view.events) and any(
            v.lower() == "group" for v in result.variables)
        html = render_timeline(converted.view, group_by="type" if grouped else "none", title=title)
    else:
        from timeline.render.graph import render_graph

        converted = resultview.to_graph_view(result, case_view, title)
        # The "events" here are result rows, not what happened: a row is a line, never a box.
        html = render_graph(converted.view, title=title, events="none")
    write_atomic(output, html.encode("utf-8"))
    skipped = f"; {converted.skipped} row(s) without a date or IRI left out" if converted.skipped else ""
    click.echo(f"wrote {output}: {len(converted.view.events)} item(s) from {len(result.rows)} row(s){skipped}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--prefixes", "show_prefixes", is_flag=True, help="List the predeclared prefixes instead.")
def queries(fmt: str, show_prefixes: bool) -> None:
    """List the saved queries and their parameters."""
    import json

    from timeline.namespaces import PREFIXES
    from timeline.query import saved_queries

    if show_prefixes:
        for prefix, namespace in PREFIXES.items():
            click.echo(f"{prefix + ':':10} <{namespace}>")
        return
    found = saved_queries.saved_queries()
    if fmt == "json":
        doc = [{"name": q.name, "title": q.title, "description": q.description,
                "params": [{"name": p.name, "type": p.type, "optional": p.optional, "default": p.default,
                            "doc": p.doc} for p in q.params]} for q in found.values()]
        click.echo(json.dumps(doc, indent=1))
        return
    for q in found.values():
        click.echo(f"{q.name}: {q.title}")
        click.echo(f"    {q.description}")
        for p in q.params:
            extra = f", default {p.default}" if p.default else (", optional" if p.optional else "")
            click.echo(f"    --param {p.name}=... ({p.type}{extra}) {p.doc}")


@cli.group(cls=_Resolving)
def render() -> None:
    """Render a built graph as an interactive HTML page (one offline, embeddable file)."""


def _view_options(f):
    options = [
        click.option("--case", "case", help="Case name or directory whose built graph to render (default: the chosen "
                     "case)."),
        click.option("--graph", "graph", type=click.Path(path_type=Path), help="A built graph file instead."),
        click.option("--from", "date_from", metavar="DATE", help="Only events that could overlap from this date on "
                     "(2018, 2018-06 or 2018-06-12)."),
        click.option("--to", "date_to", metavar="DATE", help="... and up to this date (2018 means to 31 December)."),
        click.option("--actor", "actors", multiple=True, metavar="ENTITY",
                     help="Only events this entity takes part in (repeatable; id, label or alias)."),
        click.option("--type", "types", multiple=True, metavar="TYPE", help="Only events of this type (repeatable)."),
        click.option("--title", help="Page title (default: the case title)."),
        click.option("-o", "--output", type=click.Path(path_type=Path), required=True, callback=_writable,
                     help="The HTML file to write."),
        click.option("--embed-snippet", is_flag=True, help="Also print an <iframe> snippet that embeds the page."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _load_view(case, graph, date_from, date_to, actors, types, store=None):
    from timeline.case.dates import EdtfError, parse_simple
    from timeline.query import saved_queries
    from timeline.stores import open_store
    from timeline.views.model import load_view

    def day(value, option, last):
        if value is None:
            return None
        try:
            parsed = parse_simple(value)
        except EdtfError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
        return parsed.hi if last else parsed.lo

    start, end = day(date_from, "--from", False), day(date_to, "--to", True)
    if start and end and start > end:
        raise click.BadParameter("is before --from", param_hint="--to")
    if store is None:
        store = open_store(_graph_path(case, graph), keep=True, note=_note)
    entity = saved_queries.Param("actor", "entity", "")
    actor_ids = [_option_term(entity, "actors", a, store).value.rsplit("/", 1)[-1] for a in actors]
    concept = saved_queries.Param("type", "event-type", "")
    type_ids = [_option_term(concept, "types", t, store).value.rsplit("/", 1)[-1] for t in types]
    return load_view(store, start, end, actor_ids, type_ids)


def _option_term(param, option: str, value: str, store):
    """``value`` of an option (``--actor``) checked as a saved query's parameter, whose errors then name the option."""
    from timeline.query.saved_queries import ParamError, convert

    try:
        return convert(param, value, store, _note)
    except ParamError as exc:
        raise TimelineError(str(exc), param=option, said=exc.said, value=value) from None


def _write_page(html: str, output: Path, title: str, embed: bool) -> None:
    from timeline.files import write_atomic
    from timeline.render.embed import embed_snippet

    write_atomic(output, html.encode("utf-8"))
    click.echo(f"wrote {output} ({len(html.encode('utf-8')) / 1024:.0f} KiB)", err=embed)
    if embed:
        click.echo(embed_snippet(output.name, title), nl=False)


#: --theme, the same for every page.
_THEME = click.option("--theme", type=click.Choice(["auto", "light", "dark", "contrast"]), default="auto",
                      show_default=True, help="Colours. auto: light, or dark when the reader's system asks for it; "
                                              "contrast: black on white with heavy borders.")


def _no_title(what: str, stays: str):
    return click.option("--no-title", "no_title", is_flag=True,
                        help=f"No {what} (it stays for screen readers{stays}): for a page embedded under a heading "
                             "of its own.")


def _accent(what: str):
    return click.option("--accent", metavar="COLOR",
                        help=f"Accent colour of {what}, #rgb or #rrggbb (made darker or lighter where needed to "
                             "keep the text readable).")


@render.command("timeline")
@_view_options
@click.option("--group-by", type=click.Choice(["auto", "actor", "type", "source", "none"]), default="auto",
              show_default=True,
              help="Lanes of the timeline. auto: lanes by event type when the events fall into 2 to 5 types, each "
                   "event in exactly one; otherwise one lane. By actor or source an event is drawn in each of its "
                   "lanes.")
@_no_title("visible heading", " and on the printed handout")
@_THEME
@_accent("the events and links")
def render_timeline_cmd(case, graph, date_from, date_to, actors, types, title, output, embed_snippet,
                        group_by, no_title, theme, accent) -> None:
    """An interactive timeline: zoom and pan, precision-aware dates, citations on click; prints as a handout."""
    from timeline.render.themes import check_accent
    from timeline.render.timeline import render_timeline

    check_accent(accent)  # a bad colour fails before the graph is read
    view = _load_view(case, graph, date_from, date_to, actors, types)
    page_title = title or view.case_title
    html = render_timeline(view, group_by=group_by, title=page_title, show_title=not no_title, theme=theme,
                           accent=accent)
    _write_page(html, output, page_title, embed_snippet)


@render.command("story")
@_view_options
@_no_title("title bar above the slides", ", and the title slide stays")
@_THEME
@_accent("the buttons, links, quote bars and the current date on the navigator")
def render_story_cmd(case, graph, date_from, date_to, actors, types, title, output, embed_snippet, no_title, theme,
                     accent) -> None:
    """A story: a title slide, then one slide per event in date order, with its quotes, people and claims."""
    from timeline.case import choice as case_choice
    from timeline.render.story import case_description, render_story
    from timeline.render.themes import check_accent
    from timeline.stores import open_store

    check_accent(accent)  # before the graph is read
    store = open_store(_graph_path(case, graph), keep=True, note=_note)
    view = _load_view(case, graph, date_from, date_to, actors, types, store=store)
    case_dir = None if graph else case_choice.choose_case(case).path  # where the events' image files are
    page_title = title or view.case_title
    html = render_story(view, title=page_title, show_title=not no_title, theme=theme, accent=accent,
                        description=case_description(store), case_dir=case_dir)
    _write_page(html, output, page_title, embed_snippet)


@render.command("graph")
@_view_options
@click.option("--focus", metavar="ENTITY", help="Centre on this entity (id, label or alias).")
@click.option("--depth", type=click.IntRange(0, 10), default=1, show_default=True,
              help="With --focus: how many hops around it to show.")
@click.option("--events", "include_events", type=click.Choice(["connecting", "all", "none"]), default="connecting",
              is_flag=False, flag_value="all", show_default=True,
              help="Events drawn as boxes linked to those taking part: those that would leave a participant "
                   "unlinked (one participant, or no one acting on another), all (also plain --events), or none.")
def render_graph_cmd(case, graph, date_from, date_to, actors, types, title, output, embed_snippet, focus, depth,
                     include_events) -> None:
    """An interactive network of the case's entities; edges open their citations."""
    from timeline.render.graph import render_graph
    from timeline.views.model import name_index

    view = _load_view(case, graph, date_from, date_to, actors, types)
    focus_id = None
    if focus:
        match = name_index(view).resolve(focus, what="--focus: ")
        if match.partial:
            _note(match.note(focus))
        focus_id = match.id
    page_title = title or view.case_title
    html = render_graph(view, focus=focus_id, depth=depth, events=include_events, title=page_title)
    _write_page(html, output, page_title, embed_snippet)


def _graph_options(f):
    f = click.option("--graph", "graph", type=click.Path(path_type=Path), help="A built graph file instead.")(f)
    return click.option("--case", "case",
                        help="Case name or directory whose built graph to use (default: the chosen case).")(f)


def _case_view(path: Path):
    """The whole case's view of the built graph at ``path``."""
    from timeline.stores import open_store
    from timeline.views.model import load_view

    return load_view(open_store(path, keep=True, note=_note))


def _note(message: str) -> None:
    """Which entity a partial name was taken for, on stderr (stdout stays the answer)."""
    click.echo(message, err=True)


def _echo_json(data) -> None:
    import json

    click.echo(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False))


@cli.command()
@click.argument("name")
@_graph_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def entity(name: str, case, graph, fmt: str) -> None:
    """Profile of an entity: types, aliases, events in date order, relations, claims, sources.

    NAME is an id, a label or an alias, in any case ("ice", "ICE", "U.S. Immigration and Customs
    Enforcement"), or part of the names of only one entity ("immigration and customs": stderr says
    which entity was chosen); unknown or ambiguous names get suggestions.
    """
    from timeline.views.model import resolve_entity
    from timeline.views.profiles import entity_profile

    view = _case_view(_graph_path(case, graph))
    profile = entity_profile(view, resolve_entity(view, name, _note).id)
    if fmt == "json":
        _echo_json(profile)
        return
    click.echo(f"{profile['label']} ({profile['kind_label']}) — {profile['id']}")
    if profile.get("aliases"):
        click.echo(f"  also: {', '.join(profile['aliases'])}")
    if profile.get("description"):
        click.echo(f"  {profile['description']}")
    if profile.get("wikidata_url"):
        click.echo(f"  Wikidata: {profile['wikidata_url']}")
    for title, key in (("Member of", "member_of"), ("Members", "members")):
        if profile.get(key):
            click.echo(f"{title}: " + ", ".join(m["label"] for m in profile[key]))
    click.echo(f"Events ({len(profile['events'])}):")
    for ev in profile["events"]:
        click.echo(f"  {ev['date']:<38} {ev['label']}  [{', '.join(ev['roles'])}]")
    for title, key in (("Claims made", "claims_made"), ("Claims about it", "claims_about")):
        if profile.get(key):
            click.echo(f"{title} ({len(profile[key])}):")
            for c in profile[key]:
                click.echo(f"  {c['stance']:<10} {c['text']}  ({c['claimant']}, {c.get('date') or 'undated'})")
    if profile.get("sources"):
        click.echo("Mentioned by: " + "; ".join(f"{x['title']} ({x['publisher'] or 'unknown publisher'}, "
                                                  f"{x['published']})" for x in profile["sources"]))


@cli.command()
@click.argument("a")
@click.argument("b")
@_graph_options
@click.option("--max-hops", type=click.IntRange(1, 8), default=4, show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=5, show_default=True, help="How many paths to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def path(a: str, b: str, case, graph, max_hops: int, limit: int, fmt: str) -> None:
    """How two actors are connected: each hop is an event they shared, with its date and a citation.

    "Not connected" is an answer (exit code 0), not an error.
    """
    from dataclasses import asdict

    from timeline.views.model import resolve_entity
    from timeline.views.network import paths

    view = _case_view(_graph_path(case, graph))
    start, end = resolve_entity(view, a, _note), resolve_entity(view, b, _note)
    found = paths(view, start.id, end.id, max_hops=max_hops, limit=limit)
    if fmt == "json":
        _echo_json({"from": start.id, "to": end.id, "paths": [[asdict(h) for h in p] for p in found]})
        return
    if not found:
        click.echo(f"{start.label} and {end.label} are not connected within {max_hops} hops.")
        return
    for n, hops in enumerate(found, start=1):
        click.echo(f"Path {n} ({len(hops)} hop{'s' if len(hops) != 1 else ''}):")
        for hop in hops:
            click.echo(f"  {hop.from_label} -> {hop.to_label}: {hop.event_label} ({hop.date_label})")
            if hop.citation is not None:
                click.echo(f"      \u201c{hop.citation.quote}\u201d — {hop.citation.title}, "
                           f"{hop.citation.publisher or 'unknown publisher'}, {hop.citation.published}")


@cli.command()
@_graph_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats(case, graph, fmt: str) -> None:
    """Counts by type, events per year, per-source coverage, corroboration, the most central actors."""
    from timeline.views.profiles import stats as case_stats

    view = _case_view(_graph_path(case, graph))
    data = case_stats(view)
    if fmt == "json":
        _echo_json(data)
        return
    def flat(item) -> str:
        return ", ".join(f"{k}: {v}" for k, v in item.items()) if isinstance(item, dict) else str(item)

    for title, value in data.items():
        click.echo(f"{title.replace('_', ' ')}:")
        if isinstance(value, dict):
            for key, item in value.items():
                click.echo(f"  {key}: {flat(item)}")
        elif isinstance(value, list):
            for item in value:
                click.echo(f"  {flat(item)}")
        else:
            click.echo(f"  {value}")


@cli.command()
@_graph_options
@click.option("--format", "fmt", required=True,
              type=click.Choice(["turtle", "trig", "nquads", "jsonld", "csv", "graphml", "gexf", "timelinejs"]),
              help="turtle (graphs merged), trig/nquads/jsonld (named graphs kept), csv (events and entities), "
                   "graphml/gexf (a network projection), timelinejs (Knight Lab TimelineJS 3 JSON).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, callback=_writable,
              help="The file to write.")
@click.option("--projection", type=click.Choice(["coparticipation", "actor-event", "relation"]),
              default="coparticipation", show_default=True, help="For graphml/gexf: which network.")
@click.option("--group-by", type=click.Choice(["auto", "type", "actor", "none"]), default="auto", show_default=True,
              help="For timelinejs: the rows of the player's navigation. auto: by event type when the groups fit "
                   "the navigation of a 650 px embed, else none.")
@click.option("--excel", is_flag=True,
              help="For csv: start each file with a UTF-8 byte-order mark, so that Excel shows accents and dashes "
                   "right (without one it reads the file in the system's code page).")
def export(case, graph, fmt: str, output: Path, projection: str, group_by: str, excel: bool) -> None:
    """Export the built graph for other tools (written atomically)."""
    from timeline.export import RDF_FORMATS, timelinejs_group_note, unavailable_images
    from timeline.export import export as do_export

    path = _graph_path(case, graph)
    # The RDF formats read the graph file as it is; only the others need the case's view of it.
    view = None if fmt in RDF_FORMATS else _case_view(path)
    image_src = None if graph or fmt != "timelinejs" else _image_source(case)
    for written in do_export(path, fmt, output, view=view, projection=projection, group_by=group_by,
                             image_src=image_src, excel=excel):
        click.echo(f"wrote {written}")
    if fmt != "timelinejs":
        return
    for note in (timelinejs_group_note(view, group_by), _missing_images_note(unavailable_images(view, image_src),
                                                                             graph)):
        if note:
            click.echo(f"timeline: {note}", err=True)


def _image_source(case: str | None):
    """Event images as ``data:`` URIs read from the chosen case's directory (the graph does not carry them)."""
    import functools

    from timeline.case import choice as case_choice
    from timeline.render.media import media_src

    return functools.partial(media_src, case_dir=case_choice.choose_case(case).path)


def _missing_images_note(events, graph: Path | None) -> str | None:
    if not events:
        return None
    why = ("with --graph the case directory, where the image files are, is not known: export with --case"
           if graph else "their files are missing or changed since the build: run `timeline validate`")
    return f"note: {len(events)} event image(s) not in the export (their slides say so): {why}"


@cli.command()
@_graph_options
@click.option("--endpoint", metavar="URL", required=True,
              help="The SPARQL endpoint: a server's base URL (Oxigraph server, Virtuoso: the layout is read from "
                   "its Server header), or its query URL with --update-url/--store-url.")
@click.option("--update-url", metavar="URL", help="SPARQL Update URL, if not derivable from --endpoint.")
@click.option("--store-url", metavar="URL", help="Graph Store Protocol URL, if not derivable from --endpoint.")
def push(case, graph, endpoint: str, update_url: str | None, store_url: str | None) -> None:
    """Load the case's named graphs into a SPARQL endpoint, replacing them (a second push does not duplicate).

    Only graphs under the case's base IRI are touched. Credentials come from
    TIMELINE_ENDPOINT_USER / TIMELINE_ENDPOINT_PASSWORD or ~/.netrc, never from the command line
    (Basic, or Digest where the server asks for it, as Virtuoso does). Says how
    `timeline query --endpoint` will then see the case: its graphs sent as each
    query's dataset (default-graph-uri, named-graph-uri), or the server's
    default graph where that already is the case.

    \b
    Examples:
      timeline push --endpoint http://127.0.0.1:7878
      TIMELINE_ENDPOINT_USER=dba TIMELINE_ENDPOINT_PASSWORD=... timeline push --endpoint http://127.0.0.1:8890
    """
    from timeline.stores.push import push as do_push
    from timeline.stores.push import push_target

    path = _graph_path(case, graph)
    summary = do_push(path, push_target(endpoint, update_url, store_url))
    click.echo(f"pushed {path} to {endpoint}: {summary}")
    click.echo(summary.how_to_query())


@cli.command()
@_graph_options
@click.option("--store", "store_dir", type=click.Path(path_type=Path), help="An on-disk Oxigraph store instead.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (this machine only; any other needs --public).")
@click.option("--public", is_flag=True, help="Allow a --host that other machines can reach (a warning is printed).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="Seconds a query may run.")
@click.option("--max-rows", type=click.IntRange(1), default=10000, show_default=True,
              help="Largest result a query may return.")
def serve(case, graph, store_dir, host: str, public: bool, port: int, timeout: float, max_rows: int) -> None:
    """Serve a built graph as a read-only SPARQL 1.1 endpoint, with the timeline, graph and story pages.

    GET/POST /sparql (SPARQL 1.1 Protocol with default-graph-uri and named-graph-uri, results by
    content negotiation); / the analyst workbench (search, entity, event and source pages, saved queries as
    forms, query editor, path finder); /endpoint (the endpoint's URL, formats and limits); /timeline.html,
    /graph.html, /story.html, /queries. UPDATE and SERVICE are refused; each query has a time and a result-size
    limit. One line per request in the Common Log Format on stderr; Ctrl-C or SIGTERM lets requests in flight
    finish, then stops.
    """
    from timeline.serve import serve as run_server
    from timeline.stores import open_store

    path = store_dir or _graph_path(case, graph)
    run_server(open_store(path, keep=True, note=_note), host=host, public=public, port=port, timeout=timeout,
               max_rows=max_rows)


def main() -> None:
    cli(prog_name="timeline")


if __name__ == "__main__":
    main()
