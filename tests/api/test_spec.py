"""docs/openapi.json is the app's spec: an endpoint changed without regenerating the file fails here."""
import json

from api.spec import REGENERATE, SPEC_PATH, spec_text


def test_the_spec_file_in_the_repository_is_the_apps_spec():
    assert SPEC_PATH.read_text(encoding="utf-8") == spec_text(), (
        f"docs/openapi.json differs from the app's spec: regenerate it with `{REGENERATE}` (or `make openapi`)")


def test_the_spec_lists_the_versioned_paths_and_the_one_error_shape():
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    assert "/healthz" in spec["paths"]
    assert all(path == "/healthz" or path.startswith("/api/v1/") for path in spec["paths"])
    error = spec["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"code", "message", "message_zh"}
