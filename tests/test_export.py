"""Exports next to ACLED, and copies of one article counted once."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from veille.article import Article
from veille.ingestion import ingest
from veille.export import ACLED_COLUMNS, acled_row, export_events, source_scale
from veille.filters import build_filter
from veille.readers import Defaults, read_file
from veille.records import EventRecord
from veille.store import Store

ACLED_FORMAT = Path(__file__).with_name("data") / "acled_format.csv"
FILLED = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
          "actor1", "inter1", "interaction", "iso", "region", "country", "location", "latitude", "longitude",
          "geo_precision", "source", "source_scale", "notes", "fatalities", "timestamp"]


def copy_of(a: Article, doc_id: str, outlet: str, headline: str | None = None) -> Article:
    """The same story as another outlet publishes it: its own headline and byline, the same body."""
    body = a.text.split("\n", 1)[1]
    title = headline or a.title
    return Article(text=f"{title}\n\nBy a staff writer, {outlet}\n{body}", title=title, outlet=outlet,
                   published=a.published, language=a.language, doc_id=doc_id)


@pytest.fixture(scope="module")
def store(tmp_path_factory, pipeline, sample_articles):
    s = Store(str(tmp_path_factory.mktemp("export") / "x.db"))
    ingest(sample_articles, s, pipeline)
    return s


def acled_frame(store, **filters):
    import pandas as pd

    out = io.StringIO()
    export_events(store, build_filter(**filters), "acled-csv", out)
    return pd.read_csv(io.StringIO(out.getvalue()))


def test_acled_csv_loads_next_to_acled_rows_with_the_same_columns_and_types(store):
    import pandas as pd

    ours, theirs = acled_frame(store), pd.read_csv(ACLED_FORMAT)
    assert list(ours.columns) == list(theirs.columns) == ACLED_COLUMNS
    both = pd.concat([theirs, ours], ignore_index=True)
    for col in ACLED_COLUMNS:
        if ours[col].isna().all() or theirs[col].isna().all():  # e.g. admin2, which veille never fills
            assert col not in FILLED
            continue
        assert ours[col].dtype.kind == theirs[col].dtype.kind, f"{col}: {ours[col].dtype} vs {theirs[col].dtype}"
        assert both[col].dtype.kind == theirs[col].dtype.kind, col
    for col in FILLED:
        assert ours[col].notna().all(), f"{col} is empty in some rows"
    iraq = ours[ours["country"] == "Iraq"]
    assert len(iraq) >= 5 and set(iraq["region"]) == {"Middle East"} and set(iraq["iso"]) == {368}
    assert both["event_date"].map(pd.Timestamp).notna().all()
    assert ours["source"].str.contains("Veille").all()
    assert ours["timestamp"].between(1_600_000_000, 4_000_000_000).all()


def test_acled_civilian_targeting_region_and_numeric_iso():
    r = EventRecord("2021-08-03", 1, "Political violence", "Violence against civilians", "Attack",
                    "Unidentified Armed Group (Nigeria)", None, 3, "Civilians (Nigeria)", None, 7, "Nigeria", "NG",
                    "Zamfara", "Dansadau", 11.85, 6.32, 2, doc_ids=["d1"])
    row = acled_row(r, {"d1": {"outlet": "Premium Times", "ingested_at": "2021-08-04T10:00:00"}})
    assert (row["civilian_targeting"], row["region"], row["iso"]) == ("Civilian targeting", "Western Africa", 566)
    assert (row["source"], row["source_scale"], row["timestamp"]) == ("Premium Times", "National", 1628071200)
    assert row["event_id_cnty"].startswith("NGA")


@pytest.mark.parametrize("outlets, iso, scale", [
    (["Reuters"], "IQ", "International"),
    (["Shafaq News", "Reuters"], "IQ", "National-International"),
    (["Rudaw"], "IQ", "Subnational"),
    (["Rudaw"], "SY", "International"),
    (["Press TV (French)"], "IQ", "International"),
    (["News Front (French)", "Shafaq News"], "IQ", "New media-National"),
    (["A blog nobody listed"], "IQ", "Other"),
])
def test_source_scale_from_the_outlet_table(outlets, iso, scale):
    assert source_scale(outlets, iso) == scale


def test_the_same_story_from_html_and_json_lines_is_one_article(tmp_path, pipeline, sample_articles):
    original = sample_articles[0]
    paras = "".join(f"<p>{p}</p>" for p in original.text.split("\n\n")[1:])
    page = tmp_path / "story.html"
    page.write_text(f"<!doctype html><html><head><title>{original.title}</title>"
                    f"<meta property='og:site_name' content='Example Daily'></head><body><nav>Home | World</nav>"
                    f"<article><h1>{original.title}</h1>{paras}</article><footer>© Example</footer></body></html>")
    [from_html] = list(read_file(page, Defaults(published=original.published, language=original.language)))
    assert isinstance(from_html, Article) and from_html.doc_id != original.doc_id
    s = Store(str(tmp_path / "c.db"))
    ingest([original], s, pipeline)
    before = [(e.event_id, e.doc_ids) for e in s.events()]
    ingest([from_html], s, pipeline)
    assert [(e.event_id, e.doc_ids) for e in s.events()] == before
    assert s.copies([original.doc_id])[original.doc_id][0]["doc_id"] == from_html.doc_id


def test_wire_copies_neither_inflate_counts_nor_lose_their_outlets(tmp_path, pipeline, sample_articles):
    wire = sample_articles[1]
    copies = [copy_of(wire, f"wire-{i}", outlet, f"{outlet} headline {i}")
              for i, outlet in enumerate(["Reuters", "Shafaq News", "Le Monde"])]
    s = Store(str(tmp_path / "w.db"))
    ingest([wire], s, pipeline)
    n_events = s.count_events()
    ingest(copies, s, pipeline)
    assert s.count_events() == n_events and all(len(e.doc_ids) == 1 for e in s.events())
    frame = acled_frame(s)
    assert all(o in frame["source"].iloc[0] for o in ("Reuters", "Shafaq News", "Le Monde"))
    # a different story on the same subject is not a copy
    other = sample_articles[3]
    ingest([other], s, pipeline)
    assert s.copies([other.doc_id]) == {} and s.count_events() > n_events


def _strike(doc: str, start: int, hour_place: str) -> EventRecord:
    from veille.records import Evidence

    return EventRecord("2021-06-01", 1, "Political violence", "Explosions/Remote violence", "Air/drone strike",
                       "Unidentified Military Forces", None, 8, "Civilians (Syria)", None, 7, "Syria", "SY", "Idlib",
                       "Idlib", 35.93, 36.63, 1, fatalities=3 if hour_place == "morning" else 5,
                       notes=f"{hour_place} strike", evidence=[Evidence(doc, start, start + 40)], doc_ids=[doc])


def test_two_strikes_one_article_reports_stay_two_events_when_a_copy_arrives(tmp_path):
    text = "Two strikes on Idlib\n\n" + "\n\n".join(
        f"Paragraph {i} of the report tells of the {'morning strike on the town' if i < 4 else 'evening strike on the market'}"
        f" in its own words, number {i * 7}." for i in range(8))
    s = Store(str(tmp_path / "t.db"))
    a = Article(text=text, outlet="Example Daily", published=None, doc_id="first")
    b = Article(text=text.replace("Two strikes on Idlib", "Idlib hit twice"), outlet="Example Wire", doc_id="second")
    s.add(a, [_strike("first", 30, "morning"), _strike("first", 500, "evening")])
    s.add(b, [_strike("second", 30, "morning"), _strike("second", 500, "evening")])
    events = s.events()
    assert len(events) == 2 and sorted(e.fatalities for e in events) == [3, 5]
    assert all(e.doc_ids == ["first"] for e in events)


def test_disagreement_notes_name_reports_by_outlet(tmp_path):
    s = Store(str(tmp_path / "d.db"))
    for doc, outlet, killed in (("doc-a", "Example Daily", 3), ("doc-b", "Example Wire", 7)):
        r = _strike(doc, 30, "morning")
        r.fatalities = killed
        s.add(Article(text=f"A report of its own by {outlet} about a strike, {killed} killed. " * (3 + killed),
                      outlet=outlet, doc_id=doc), [r])
    [event] = s.events()
    assert event.doc_ids == ["doc-a", "doc-b"] and event.fatalities == 3
    assert "3 per Example Daily" in event.notes and "7 per Example Wire" in event.notes
    assert "doc-a" not in event.notes
