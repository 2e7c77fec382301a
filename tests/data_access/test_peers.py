"""A district official's standing among the districts of their city: exact ranks, and nothing of another
district's projects comes back through the read."""
import pandas as pd

from data_access import list_projects, list_regions
from data_access.peers import PEER_COLUMNS, peer_standing
from services.portfolio import peer_standing as scored_peer_standing
from tests.conftest import as_viewer


def _kaifeng(engine):
    leader = as_viewer(engine, "leader")
    regions = list_regions(engine, leader)
    longting = regions[regions["code"] == "410202"].iloc[0]
    districts = regions[(regions["parent_id"] == longting["parent_id"]) & (regions["level"] == "district")]
    return leader, int(longting["id"]), districts


def test_an_official_is_ranked_among_the_districts_of_their_city_on_a_hand_made_league(shared_seeded_engine):
    leader, longting, districts = _kaifeng(shared_seeded_engine)
    ids = [i for i in districts["id"].astype(int) if i != longting]
    # Longting 80.0: behind 90.0 and the tie at 85.0, ahead of 70.0; one district without a score is not ranked.
    means = {ids[0]: 90.0, ids[1]: 85.0, ids[2]: 85.0, longting: 80.0, ids[3]: 70.0}
    asked = []

    def league(city_viewer):
        asked.append(city_viewer)
        return pd.DataFrame({"id": list(means), "mean_score": list(means.values())})

    official = as_viewer(shared_seeded_engine, "official_longting")
    standing = peer_standing(shared_seeded_engine, official, league)
    assert (standing.district_id, standing.rank, standing.of) == (longting, 4, 5)
    assert standing.peers["id"].tolist()[:5] == [ids[0], ids[1], ids[2], longting, ids[3]]
    assert standing.peers["rank"].tolist()[:5] == [1, 2, 2, 4, 5]
    assert len(standing.peers) == len(districts) and standing.peers["rank"].iloc[5:].isna().all()
    city = list_regions(shared_seeded_engine, leader).set_index("id").loc[int(districts["parent_id"].iloc[0])]
    assert [(v.region_id, v.region_path) for v in asked] == [(city.name, city["path"])]


def test_through_the_peer_read_an_official_gets_no_project_row_or_name_of_another_district(shared_seeded_engine):
    leader, longting, districts = _kaifeng(shared_seeded_engine)
    official = as_viewer(shared_seeded_engine, "official_longting")
    standing = scored_peer_standing(shared_seeded_engine, official, None)
    assert list(standing.peers.columns) == PEER_COLUMNS
    assert sorted(standing.peers["id"]) == sorted(districts["id"].astype(int))  # one row per district, no project
    foreign = list_projects(shared_seeded_engine, leader)
    foreign = foreign[~foreign["region_path"].str.contains(f"/{longting}/", regex=False)]
    shown = standing.peers.to_string()
    assert len(foreign) and not [text for text in [*foreign["name_zh"], *foreign["name_en"], *foreign["code"]]
                                 if str(text) in shown]
    # Even a league that hands back project columns cannot pass them on: only id and mean score are kept.
    project = foreign.iloc[0]
    leaky = pd.DataFrame({"id": districts["id"], "mean_score": 50.0, "code": project["code"],
                          "name_zh": project["name_zh"], "name_en": project["name_en"]})
    leaked = peer_standing(shared_seeded_engine, official, lambda _city: leaky)
    assert list(leaked.peers.columns) == PEER_COLUMNS and project["name_zh"] not in leaked.peers.to_string()
    assert sorted(leaked.peers["name_zh"]) == sorted(districts["name_zh"])


def test_the_rank_is_the_one_the_leaders_league_gives_the_district(shared_seeded_engine):
    from services.portfolio import district_league, portfolio

    leader, longting, districts = _kaifeng(shared_seeded_engine)
    current = portfolio(shared_seeded_engine, leader)
    league = district_league(current, current.iloc[0:0], list_regions(shared_seeded_engine, leader), "name_zh")
    league = league[league["id"].isin(districts["id"])]
    means = league.set_index("id")["mean_score"]
    standing = scored_peer_standing(shared_seeded_engine, as_viewer(shared_seeded_engine, "official_longting"), None)
    expected = int((means.dropna() > means[longting]).sum()) + 1
    assert (standing.rank, standing.of) == (expected, int(means.notna().sum()))
    assert standing.peers.set_index("id")["mean_score"].dropna().round(9).to_dict() == means.dropna().round(9).to_dict()


def test_only_a_district_official_has_a_peer_standing(shared_seeded_engine):
    for username in ("leader", "analyst", "pm_kaifeng1"):
        viewer = as_viewer(shared_seeded_engine, username)
        assert peer_standing(shared_seeded_engine, viewer, lambda _city: None) is None
