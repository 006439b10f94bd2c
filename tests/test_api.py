"""The JSON API in-process: filters, one event with its mentions, the error shape, escaping."""
from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from veille.api import create_app, highlight
from veille.ingestion import ingest
from veille.store import Store

from .conftest import article


@pytest.fixture(scope="module")
def client(tmp_path_factory, pipeline, sample_articles):
    store = Store(str(tmp_path_factory.mktemp("api") / "api.db"))
    hostile = article("Roquettes sur Aïn al-Asad <script>window.__xss = 1</script>\n\n"
                      "Ce lundi, cinq roquettes ont frappé la base d'Aïn al-Asad, dans l'ouest de l'Irak, "
                      "selon des sources sécuritaires irakiennes <img src=x onerror=\"window.__xss=2\">.",
                      published="2022-03-16", doc_id="hostile")
    hostile.outlet = "<b>Evil</b> Outlet"
    ingest(list(sample_articles) + [hostile], store, pipeline)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield TestClient(create_app(store))


def test_api_events_filters_by_country_type_date_actor_outlet_text(client):
    all_events = client.get("/api/events").json()
    assert all_events["total"] == len(all_events["events"]) > 10
    syria = client.get("/api/events", params={"country": "SY"}).json()["events"]
    assert syria and all(e["iso"] == "SY" for e in syria)
    for name in ("Syria", "Syrie", "syr"):
        assert client.get("/api/events", params={"country": name}).json()["events"] == syria
    sd = client.get("/api/events", params={"type": "Strategic developments"}).json()["events"]
    assert sd and all(e["event_type"] == "Strategic developments" for e in sd)
    air = client.get("/api/events", params={"type": "air/drone strike"}).json()["events"]
    assert air and all(e["sub_event_type"] == "Air/drone strike" for e in air)
    dated = client.get("/api/events", params={"since": "2021-01-01", "until": "2021-12-31"}).json()["events"]
    assert dated and all("2021-01-01" <= e["event_date"] <= "2021-12-31" for e in dated)
    kh = client.get("/api/events", params={"actor": "Kataib Hezbollah"}).json()["events"]
    assert kh and all("Kataib Hezbollah" in (e["actor1"] + (e["actor2"] or "")) for e in kh)
    fr = client.get("/api/events", params={"outlet": "Veille exemple (FR)"}).json()["events"]
    assert fr and all(any(d.startswith("sample-fr") for d in e["doc_ids"]) for e in fr)
    assert client.get("/api/events", params={"q": "roquettes"}).json()["total"] >= 1
    assert client.get("/api/events", params={"admin1": "Anbar"}).json()["total"] >= 1


@pytest.mark.parametrize("params, field, valid", [
    ({"country": "Atlantis"}, "country", "ISO 3166"),
    ({"type": "Bombing"}, "type", "Air/drone strike"),
    ({"since": "2022-01-01", "until": "2021-01-01"}, "since", "after"),
])
def test_api_filter_values_that_match_nothing_are_refused_with_the_valid_ones(client, params, field, valid):
    res = client.get("/api/events", params=params)
    assert res.status_code == 422
    [problem] = res.json()["error"]["detail"]
    assert problem["field"] == field and valid in problem["problem"]


def test_api_event_lists_every_report_with_its_evidence(client):
    events = client.get("/api/events").json()["events"]
    multi = max(events, key=lambda e: len(e["doc_ids"]))
    assert len(multi["doc_ids"]) >= 2
    data = client.get(f"/api/events/{multi['event_id']}").json()
    assert {m["doc_id"] for m in data["mentions"]} == set(multi["doc_ids"])
    for m in data["mentions"]:
        assert m["evidence"] and all(ev["text"] == m["text"][ev["start"]:ev["end"]] for ev in m["evidence"])


def test_api_articles_and_outlets(client, sample_articles):
    assert len(client.get("/api/articles").json()["articles"]) == len(sample_articles) + 1
    outlets = {o["outlet"]: o["articles"] for o in client.get("/api/outlets").json()["outlets"]}
    assert outlets["Veille sample (EN)"] == sum(a.outlet == "Veille sample (EN)" for a in sample_articles)


def test_api_summary_counts_the_filtered_events(client):
    events = client.get("/api/events", params={"country": "Iraq"}).json()["events"]
    summary = client.get("/api/summary", params={"country": "Iraq"}).json()
    assert summary["total"] == len(events) == sum(sum(v) for v in summary["by_type"].values())
    assert summary["fatalities"] == sum(e["fatalities"] for e in events) == sum(summary["fatalities_by_period"])
    assert len(summary["periods"]) == len(summary["fatalities_by_period"])
    top = summary["actors"][0]
    assert top["events"] == sum(top["actor"] in (e["actor1"], e["actor2"]) for e in events)
    assert f'{summary["total"]} events' in client.get("/charts", params={"country": "Iraq"}).text


def test_api_export_downloads_exactly_the_filtered_events(client):
    params = {"country": "Irak", "since": "2021-01-01"}
    ids = sorted(e["event_id"] for e in client.get("/api/events", params=params).json()["events"])
    geo = client.get("/api/export", params={**params, "format": "geojson"})
    assert "attachment" in geo.headers["content-disposition"]
    assert sorted(f["id"] for f in geo.json()["features"]) == ids
    csv_text = client.get("/api/export", params={**params, "format": "acled-csv"}).text
    assert csv_text.startswith("event_id_cnty,event_date") and len(csv_text.strip().splitlines()) == len(ids) + 1


def test_api_map_labels_name_places_and_divisions_inside_the_box(client):
    labels = client.get("/api/map/labels", params={"west": 38, "south": 29, "east": 49, "north": 38, "zoom": 6}).json()
    names = {p["name"] for p in labels["places"]}
    assert "Baghdad" in names and all(29 <= p["lat"] <= 38 and 38 <= p["lon"] <= 49 for p in labels["places"])
    divisions = {d["name"] for d in labels["divisions"]}
    assert any("Anbar" in d for d in divisions) and "Basra" in divisions
    world = client.get("/api/map/labels", params={"zoom": 2}).json()
    assert world["divisions"] == [] and all(p["population"] >= 5_000_000 for p in world["places"])


@pytest.mark.parametrize("path, status, code", [
    ("/api/events/does-not-exist", 404, "not_found"),
    ("/api/events?since=yesterday", 422, "invalid_parameter"),
    ("/api/events?limit=0", 422, "invalid_parameter"),
    ("/api/nothing-here", 404, "not_found"),
    ("/api/events?country=Atlantis", 422, "invalid_parameter"),
    ("/api/export?format=xlsx", 422, "invalid_parameter"),
])
def test_api_error_shape_is_the_same_everywhere(client, path, status, code):
    res = client.get(path)
    assert res.status_code == status
    body = res.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message", "detail"}
    assert body["error"]["status"] == status and body["error"]["code"] == code and body["error"]["message"]


def test_api_openapi_describes_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/events", "/api/events/{event_id}", "/api/articles", "/api/outlets", "/api/summary",
            "/api/export", "/api/map/labels"} <= set(paths)
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "cdn" not in html and "<script>" not in html and "/openapi.json" in html


def test_api_pages_have_json_twins_built_by_the_same_query(client):
    page = client.get("/", params={"country": "SY"}).text
    twin = client.get("/api/events", params={"country": "SY"}).json()
    for e in twin["events"]:
        assert f'data-id="{e["event_id"]}"' in page
    assert f'{twin["total"]} events' in page


def test_api_article_text_is_escaped_in_pages(client):
    hostile = [e for e in client.get("/api/events").json()["events"] if "hostile" in e["doc_ids"]]
    assert hostile
    page = client.get(f"/events/{hostile[0]['event_id']}").text
    assert "<script>window.__xss" not in page and "&lt;script&gt;window.__xss" in page
    assert "<img src=x" not in page and "<b>Evil</b>" not in page


def test_api_highlight_splits_text_without_losing_characters():
    text = "abc <def> ghi"
    segs = highlight(text, [{"start": 4, "end": 9}, {"start": 6, "end": 11}])
    assert "".join(t for t, _ in segs) == text and [t for t, h in segs if h] == ["<def>", " g"]
