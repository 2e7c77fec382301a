"""A kept risk model is unpickled once per process, not by every page's risk read after a push."""
from services import risk


def test_a_kept_model_is_unpickled_once_per_process_and_a_newer_one_again(monkeypatch):
    unpickled = []
    monkeypatch.setattr(risk.Bundle, "from_bytes", staticmethod(lambda data: unpickled.append(data) or object()))
    risk._bundle.cache_clear()
    try:
        first, again, newer = risk._bundle(7, b"model 7"), risk._bundle(7, b"model 7"), risk._bundle(8, b"model 8")
    finally:
        risk._bundle.cache_clear()
    assert unpickled == [b"model 7", b"model 8"]
    assert first is again and newer is not first
