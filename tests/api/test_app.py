"""The API app itself: health, and the one error shape for paths and methods it does not have."""
import re

from fastapi.testclient import TestClient

from api import create_app
from data_access import create_database_engine, data_version


def test_healthz_reports_the_databases_data_version(shared_seeded_engine):
    response = TestClient(create_app(shared_seeded_engine)).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "data_version": data_version(shared_seeded_engine)}


def test_healthz_is_503_in_both_languages_when_the_database_does_not_answer(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path}/missing-dir/none.sqlite3")
    response = TestClient(create_app(engine), raise_server_exceptions=False).get("/healthz")
    assert response.status_code == 503
    assert response.json()["error"] == {"code": "unavailable", "message": "The database does not answer",
                                        "message_zh": "数据库无响应", "items": []}


def test_unknown_paths_and_methods_answer_in_the_error_shape(shared_seeded_engine):
    client = TestClient(create_app(shared_seeded_engine))
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["message_zh"] == "没有此接口路径"
    wrong = client.delete("/healthz")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


def test_the_docs_pages_load_their_scripts_from_the_api_itself_not_a_cdn(shared_seeded_engine):
    client = TestClient(create_app(shared_seeded_engine))
    html = client.get("/docs").text
    assert "cdn" not in html.lower() and "https://" not in html and '"validatorUrl": null' in html
    assets = re.findall(r'(?:src|href)="(/docs-static/[^"]+)"', html)
    assert len(assets) == 3  # the script, the styles and the icon
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404  # its page would fetch redocly's logo
