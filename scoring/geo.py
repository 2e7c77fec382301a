"""Distances on the earth's surface: the one haversine every layer uses (sites in their region, photo check-ins)."""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0  # mean radius: the checks need tens of metres, not geodesy


def haversine_km(lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike) -> Any:
    """Great-circle distance in km between points in degrees (numbers or arrays, element by element).

    Along a meridian it is exactly the radius times the angle: 0.027° of latitude is 3.0023 km.

    >>> round(float(haversine_km(34.797, 114.307, 34.824, 114.307)), 4)
    3.0023
    """
    phi1, lambda1, phi2, lambda2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lambda2 - lambda1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
