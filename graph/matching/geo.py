"""Danish postcode centroids and distances.

Centroids come from GeoNames' DK postal codes (``../shared/geo/zipcodes.dk.csv``, CC BY 4.0), which
the shared SOURCES.md recommends over DAWA's visual centres (many of those lie at sea). Distances are
great-circle (haversine) on a mean Earth radius; a radius search first takes a lat/lon bounding box
(which both stores answer with plain comparisons) and then filters exactly here, once.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from graph.records import BBox
from ontology.errors import ConfigurationError

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
POSTCODES_FILE = "zipcodes.dk.csv"
MUNICIPALITIES_FILE = "dagi_kommuner_visueltcenter.csv"


@dataclass(frozen=True, slots=True)
class Place:
    postcode: str
    name: str
    municipality_code: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Gazetteer:
    """Postcode → place, and municipality codes/names with their population (for data generation)."""

    places: dict[str, Place]
    municipalities: dict[str, tuple[str, int]]  # 4-digit code -> (name, population)

    @classmethod
    def load(cls, geo_dir: Path) -> Gazetteer:
        """Read the postcode and municipality files from ``geo_dir``.

        :raise ConfigurationError: if the postcode file is missing.
        """
        path = geo_dir / POSTCODES_FILE
        if not path.exists():
            raise ConfigurationError(f"postcode file not found: {path} (set JOBMATCH_GEO_DIR)",
                                     field="JOBMATCH_GEO_DIR")
        places: dict[str, Place] = {}
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["zipcode"].strip()
                # GeoNames repeats "København K" for 242 codes: keep each code's own row.
                places.setdefault(code, Place(
                    postcode=code, name=row["place"].strip(),
                    municipality_code=row["province_code"].strip().zfill(4),
                    lat=float(row["latitude"]), lon=float(row["longitude"]),
                ))
        municipalities: dict[str, tuple[str, int]] = {}
        mpath = geo_dir / MUNICIPALITIES_FILE
        if mpath.exists():
            with mpath.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    municipalities[row["kommunekode"].zfill(4)] = (row["navn"], int(row["population"] or 0))
        return cls(places=places, municipalities=municipalities)

    def locate(self, postcode: str) -> Place | None:
        return self.places.get(postcode.strip())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat: float, lon: float, km: float) -> BBox:
    """A box that contains every point within ``km`` of (lat, lon) (a little more, never less)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    # Widen by the latitude nearest the pole, where a degree of longitude is shortest.
    cos_lat = max(math.cos(math.radians(min(89.0, abs(lat) + dlat))), 1e-6)
    dlon = math.degrees(km / (EARTH_RADIUS_KM * cos_lat))
    return BBox(south=lat - dlat, west=lon - dlon, north=lat + dlat, east=lon + dlon)
