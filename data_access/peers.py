"""A district official's standing among the peer districts of their city, without any other district's project.

An official's scope is their district, so their overview and big screen alone would show a one-bar ranking.
Framing them against their peers ("第 3 / 9 名") needs the other districts' mean scores: those projects are
read, and scored by the caller's ``league``, under a city-wide viewer that never leaves this module. What comes
back is one row per district of the city (id, names, mean score, rank), never a project id, code or name.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

import scoring
from data_access.models import Region
from data_access.policy import Role, Viewer
from data_access.scope import scope_key_of

PEER_ROLES = frozenset({Role.DISTRICT_OFFICIAL, Role.INTEGRATION})
PEER_COLUMNS = ["id", "code", "name_zh", "name_en", "mean_score", "rank"]


@dataclass(frozen=True)
class PeerStanding:
    """Where the viewer's district stands: ``rank`` of ``of`` ranked districts (``rank`` None while the district
    has no scored project); ``peers`` holds :data:`PEER_COLUMNS` for every district of the city, best first."""

    district_id: int
    rank: int | None
    of: int
    peers: pd.DataFrame


def peer_standing(engine: Engine, viewer: Viewer,
                  league: Callable[[Viewer], pd.DataFrame]) -> PeerStanding | None:
    """The standing of a district official's district among the districts of its city.

    ``league(city_viewer)`` scores the city (``services.portfolio.district_league``) and must return one row per
    district with ``id`` and ``mean_score``; only those two columns are kept, so nothing else it reads leaves.
    An open-API token of a district (role ``integration``) stands where that district's official stands. None for
    every other viewer (a leader or analyst sees the districts themselves; a manager has no district).
    """
    if viewer.role not in PEER_ROLES or viewer.region_id is None:
        return None
    with engine.connect() as connection:
        own = connection.execute(select(Region.parent_id, Region.level).where(Region.id == viewer.region_id)).one()
        if own.level != "district" or own.parent_id is None:
            return None
        city = connection.execute(select(Region.id, Region.path).where(Region.id == own.parent_id)).one()
        districts = pd.DataFrame(connection.execute(
            select(Region.id, Region.code, Region.name_zh, Region.name_en)
            .where(Region.parent_id == city.id, Region.level == "district").order_by(Region.path)).all(),
            columns=["id", "code", "name_zh", "name_en"])
    # Its scope is the city's, whoever asks: every district official of the city shares what is cached for it.
    city_viewer = Viewer(user_id=viewer.user_id, username=viewer.username, role=viewer.role, region_id=city.id,
                         region_path=city.path, scope_key=scope_key_of(viewer.role, city.path, ()))
    means = league(city_viewer).set_index("id")["mean_score"].astype(float)
    peers = districts.assign(mean_score=districts["id"].map(means).astype(float))
    peers["rank"] = scoring.rank(peers["mean_score"])
    peers = peers.sort_values(["rank", "id"], na_position="last", kind="stable").reset_index(drop=True)
    mine = peers.loc[peers["id"] == viewer.region_id, "rank"]
    rank = None if mine.empty or pd.isna(mine.iloc[0]) else int(mine.iloc[0])
    return PeerStanding(district_id=int(viewer.region_id), rank=rank, of=int(peers["rank"].notna().sum()),
                        peers=peers[PEER_COLUMNS])
