#!/usr/bin/env python3
"""Build dashboards/data/kommuner-2024-map.json from the 2024 municipality boundaries (GeoJSON, WGS84).

Run once when the boundaries change (the result is committed; the app never reads the GeoJSON):

    python scripts/build_municipality_map.py /work/shared/data/kommuner-2024.geojson

Steps, with the standard library only:

1. Project lon/lat with a spherical transverse Mercator centred on 15 °E (UTM zone 33's meridian,
   the projection Kartverket draws Norway in), so the north is not stretched as in plain Mercator.
2. Scale to a viewBox WIDTH units wide and round to whole units.
3. Simplify every ring with Douglas-Peucker (TOLERANCE units), drop rings that collapse to fewer than
   four points or cover less than MIN_AREA square units (skerries), but always keep each
   municipality's largest ring so none disappears.
4. Write one SVG path ("d") per municipality with relative moves and lines, which keeps the numbers
   short, plus the viewBox.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from pathlib import Path

WIDTH = 1000  # viewBox units across the map
TOLERANCE = 0.9  # Douglas-Peucker tolerance in viewBox units
MIN_AREA = 4.0  # rings smaller than this (square units) are dropped, except each municipality's largest
CENTRAL_MERIDIAN = math.radians(15.0)
OUTPUT = Path(__file__).resolve().parents[1] / "dashboards" / "data" / "kommuner-2024-map.json"

Point = tuple[float, float]


def project(lon: float, lat: float) -> Point:
    """Spherical transverse Mercator (unit sphere); y grows northwards."""
    lam, phi = math.radians(lon) - CENTRAL_MERIDIAN, math.radians(lat)
    b = math.cos(phi) * math.sin(lam)
    x = 0.5 * math.log((1 + b) / (1 - b))
    y = math.atan2(math.tan(phi), math.cos(lam))
    return x, y


def perpendicular_distance(point: Point, start: Point, end: Point) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    return abs(dy * px - dx * py + bx * ay - by * ax) / math.hypot(dx, dy)


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """The points of an open polyline that keep it within ``tolerance`` (iterative, no recursion limit)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, distance = -1, tolerance
        for i in range(first + 1, last):
            d = perpendicular_distance(points[i], points[first], points[last])
            if d > distance:
                index, distance = i, d
        if index != -1:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: list[Point], tolerance: float) -> list[Point]:
    """A closed ring simplified in two halves, so the closing point is not the only anchor."""
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(ring) < 4:
        return ring
    middle = len(ring) // 2
    first = douglas_peucker(ring[: middle + 1], tolerance)
    second = douglas_peucker([*ring[middle:], ring[0]], tolerance)
    result = first[:-1] + second[:-1]
    deduplicated = [p for i, p in enumerate(result) if i == 0 or p != result[i - 1]]
    return deduplicated


def area(ring: list[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def path_data(rings: list[list[tuple[int, int]]]) -> str:
    parts = []
    for ring in rings:
        x0, y0 = ring[0]
        parts.append(f"M{x0} {y0}")
        steps = []
        for (ax, ay), (bx, by) in itertools.pairwise(ring):
            steps.append(f"{bx - ax} {by - ay}")
        parts.append("l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")


def build(source: Path) -> dict:
    collection = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = [[project(lon, lat) for lon, lat in ring] for polygon in polygons for ring in polygon]
        features.append((feature["properties"], rings))

    xs = [x for _props, rings in features for ring in rings for x, _y in ring]
    ys = [y for _props, rings in features for ring in rings for _x, y in ring]
    left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
    scale = WIDTH / (right - left)
    height = math.ceil((top - bottom) * scale)

    municipalities = {}
    points = 0
    for properties, rings in features:
        screen = [[((x - left) * scale, (top - y) * scale) for x, y in ring] for ring in rings]
        simplified = []
        for ring in screen:
            rounded = [(round(x), round(y)) for x, y in simplify_ring(ring, TOLERANCE)]
            rounded = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
            simplified.append((area(ring), rounded))
        largest = max(simplified, key=lambda item: item[0])
        kept = [ring for a, ring in simplified if (a >= MIN_AREA and len(ring) >= 3) or (a, ring) == largest]
        points += sum(len(ring) for ring in kept)
        municipalities[properties["kommunenummer"]] = {
            "name": properties["navn"],
            "county": properties["fylkesnummer"],
            "d": path_data(kept),
        }
    print(f"{len(municipalities)} municipalities, {points} points, viewBox 0 0 {WIDTH} {height}", file=sys.stderr)
    return {
        "source": (
            "Kartverket, administrative units 2024 (via robhop/fylker-og-kommuner Kommuner-S.geojson, "
            "commit 77f1e665a1037e171154bd7d5a8d62284c6c9219), simplified and projected by "
            "scripts/build_municipality_map.py"
        ),
        "licence": "CC BY 4.0, © Kartverket",
        "viewbox": [0, 0, WIDTH, height],
        "municipalities": dict(sorted(municipalities.items())),
    }


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/kommuner-2024.geojson")
    data = build(source)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
