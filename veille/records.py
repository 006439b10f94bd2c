"""The event record: ACLED's field names and taxonomy, plus veille's own fields (evidence, provenance...)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace

FIELDS = ["event_id", "event_date", "time_precision", "disorder_type", "event_type", "sub_event_type",
          "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "country", "iso",
          "admin1", "location", "latitude", "longitude", "geo_precision", "fatalities", "injured",
          "weapon", "munitions", "intercepted", "claimed_by", "reported_by", "background", "notes",
          "evidence", "doc_ids"]


@dataclass
class Evidence:
    doc_id: str
    start: int
    end: int
    text: str = ""


@dataclass
class EventRecord:
    event_date: str
    time_precision: int
    disorder_type: str
    event_type: str
    sub_event_type: str
    actor1: str
    assoc_actor_1: str | None
    inter1: int
    actor2: str | None
    assoc_actor_2: str | None
    inter2: int
    country: str | None
    iso: str | None
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int
    fatalities: int = 0
    injured: int | None = None
    weapon: str | None = None
    munitions: int | None = None
    intercepted: int | None = None
    claimed_by: str | None = None
    reported_by: list[str] = field(default_factory=list)
    background: bool = False
    notes: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    # how each field was decided: {"event_date": "'ce lundi' (deictic) vs published 2021-05-28", ...}
    provenance: dict[str, str] = field(default_factory=dict)
    # per-article values when several reports disagree: {"munitions": {"doc": 3, "doc2": 24}}
    disagreements: dict[str, dict[str, object]] = field(default_factory=dict)
    landmark: str | None = None
    outlet: str | None = None  # the outlet of the article a per-article record was read from
    event_id: str = ""

    def __post_init__(self) -> None:
        if not self.event_id:
            self.event_id = self.compute_id()

    def compute_id(self) -> str:
        first = self.evidence[0] if self.evidence else Evidence("", 0, 0)
        basis = "|".join([first.doc_id, str(first.start), self.sub_event_type, self.event_date,
                          self.location or "", self.landmark or ""])
        return hashlib.sha256(basis.encode()).hexdigest()[:16]

    def to_dict(self, with_text: bool = False) -> dict:
        d = {k: getattr(self, k) for k in FIELDS}
        d["evidence"] = [({"doc_id": e.doc_id, "start": e.start, "end": e.end, "text": e.text} if with_text else
                          {"doc_id": e.doc_id, "start": e.start, "end": e.end}) for e in self.evidence]
        d["reported_by"] = list(self.reported_by)
        d["doc_ids"] = list(self.doc_ids)
        d["provenance"] = dict(self.provenance)
        d["disagreements"] = {k: dict(v) for k, v in self.disagreements.items()}
        d["landmark"] = self.landmark
        if self.outlet:
            d["outlet"] = self.outlet
        return d

    def copy(self) -> "EventRecord":
        """An independent copy (lists and dicts are not shared)."""
        return replace(self, evidence=[replace(e) for e in self.evidence], reported_by=list(self.reported_by),
                       doc_ids=list(self.doc_ids), provenance=dict(self.provenance),
                       disagreements={k: dict(v) for k, v in self.disagreements.items()})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict) -> "EventRecord":
        d = dict(d)
        d["evidence"] = [Evidence(**e) for e in d.get("evidence") or []]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})
