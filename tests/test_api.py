"""The JSON API in-process: filters, one event with its mentions, the error shape, escaping."""
from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from veille.api import create_app, highlight
from veille import ingest
from veille.store import Store

from .conftest import article


@pytest.fixture(scope="module")
def client(tmp_path_factory, pipeline, dev_articles):
    store = Store(str(tmp_path_factory.mktemp("api") / "api.db"))
    hostile = article("Roquettes sur Aïn al-Asad <script>window.__xss = 1</script>\n\n"
                      "Ce lundi, cinq roquettes ont frappé la base d'Aïn al-Asad, dans l'ouest de l'Irak, "
                      "selon des sources sécuritaires irakiennes <img src=x onerror=\"window.__xss=2\">.",
                      published="2022-03-16", doc_id="hostile")
    hostile.outlet = "<b>Evil</b> Outlet"
    ingest(list(dev_articles) + [hostile], store, pipeline)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield TestClient(create_app(store))


def test_api_events_filters_by_country_type_date_actor_outlet_text(client):
    all_events = client.get("/api/events").json()
    assert all_events["total"] == len(all_events["events"]) > 10
    syria = client.get("/api/events", params={"country": "SY"}).json()["events"]
    assert syria and all(e["iso"] == "SY" for e in syria)
    sd = client.get("/api/events", params={"type": "Strategic developments"}).json()["events"]
    assert sd and all(e["event_type"] == "Strategic developments" for e in sd)
    dated = client.get("/api/events", params={"since": "2021-01-01", "until": "2021-03-31"}).json()["events"]
    assert dated and all("2021-01-01" <= e["event_date"] <= "2021-03-31" for e in dated)
    kh = client.get("/api/events", params={"actor": "Kataib Hezbollah"}).json()["events"]
    assert kh and all("Kataib Hezbollah" in (e["actor1"] + (e["actor2"] or "")) for e in kh)
    nf = client.get("/api/events", params={"outlet": "News Front (French)"}).json()["events"]
    assert nf and all("004_430ebf50278c46d4" in e["doc_ids"] for e in nf)
    assert client.get("/api/events", params={"q": "Katioucha"}).json()["total"] >= 1
    assert client.get("/api/events", params={"admin1": "Anbar"}).json()["total"] >= 1


def test_api_event_lists_every_report_with_its_evidence(client):
    events = client.get("/api/events", params={"q": "Soleimani"}).json()["events"]
    multi = max(events, key=lambda e: len(e["doc_ids"]))
    data = client.get(f"/api/events/{multi['event_id']}").json()
    assert {m["doc_id"] for m in data["mentions"]} == set(multi["doc_ids"])
    for m in data["mentions"]:
        assert m["evidence"] and all(ev["text"] == m["text"][ev["start"]:ev["end"]] for ev in m["evidence"])


def test_api_articles_and_outlets(client):
    assert len(client.get("/api/articles").json()["articles"]) == 6
    assert {"outlet": "Press TV (French)", "articles": 4} in client.get("/api/outlets").json()["outlets"]


@pytest.mark.parametrize("path, status, code", [
    ("/api/events/does-not-exist", 404, "not_found"),
    ("/api/events?since=yesterday", 422, "invalid_parameter"),
    ("/api/events?limit=0", 422, "invalid_parameter"),
    ("/api/nothing-here", 404, "not_found"),
])
def test_api_error_shape_is_the_same_everywhere(client, path, status, code):
    res = client.get(path)
    assert res.status_code == status
    body = res.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message", "detail"}
    assert body["error"]["status"] == status and body["error"]["code"] == code and body["error"]["message"]


def test_api_openapi_describes_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/events", "/api/events/{event_id}", "/api/articles", "/api/outlets"} <= set(paths)


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
