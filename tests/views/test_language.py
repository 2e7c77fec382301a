"""The session's language reaches the charts: pages pass it to the component builders (webapp.i18n)."""
import json

from tests.views.conftest import login


def test_an_english_session_shows_the_heat_map_and_its_scale_in_english(logged_in, new_app):
    logged_in("official_longting").sidebar.segmented_control(key="language_choice").set_value("en").run()
    at = login(new_app().run(), "official_longting").switch_page("views/heatmaps.py").run()  # remembered
    assert not at.exception
    district = json.loads(at.get("plotly_chart")[0].proto.spec)
    heat = district["data"][0]
    assert heat["marker"]["colorbar"]["title"]["text"] == "% of target"
    assert "<br>Value: %{customdata[4]}<br>Target: %{customdata[5]}<br>Achievement: " in heat["hovertemplate"]
    assert district["layout"]["yaxis"]["ticktext"] == ["Longting District"]
