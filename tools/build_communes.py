"""The communes drawn under the rounds' map, from the reference contours of the Nord.

Usage: .venv/bin/python tools/build_communes.py [../shared/data/geo/communes-59-nord.geojson]

Writes logistics/static/logistics/communes-nord.geojson: every commune's polygon with its
coordinates rounded to 4 decimals (about 10 m, enough for a background)
and its name. Source: IGN Admin Express COG 2018 via france-geojson (Licence Ouverte /
Etalab), credited on the map.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "geo" / "communes-59-nord.geojson"
TARGET = ROOT / "logistics" / "static" / "logistics" / "communes-nord.geojson"


def rounded(coordinates):
    """Coordinates rounded, without the points that rounding made repeat."""
    if isinstance(coordinates[0][0], (int, float)):
        ring = []
        for point in coordinates:
            point = [round(value, 4) for value in point]
            if not ring or point != ring[-1]:
                ring.append(point)
        return ring
    return [rounded(part) for part in coordinates]


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    communes = json.loads(source.read_text())
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": feature["geometry"]["type"],
                "coordinates": rounded(feature["geometry"]["coordinates"]),
            },
            "properties": {
                "code": feature["properties"]["code"],
                "nom": feature["properties"]["nom"],
            },
        }
        for feature in communes["features"]
    ]
    TARGET.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    )
    print(f"{len(features)} communes, {TARGET.stat().st_size // 1024} KiB in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
