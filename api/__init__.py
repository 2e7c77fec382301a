"""perfdash's open API (开放接口): other systems — finance, tax, OA, site monitoring — read and push figures.

A FastAPI app beside the Streamlit app, on the same ``data_access`` and ``services``: the same scope rules,
the same validation as imports, the same audit chain. Paths are versioned (``/api/v1/...``); the OpenAPI spec
is served at ``/docs`` and ``/openapi.json`` and kept in the repository as ``docs/openapi.json``.

    python -m api --port 8700 [--workers 2]

Modules: :mod:`api.app` builds the app; :mod:`api.errors` gives every refusal one JSON shape in both languages;
:mod:`api.auth` turns a bearer token into the caller (:class:`data_access.api_tokens.TokenActor`) and checks its
scope and rate; :mod:`api.routes` holds the endpoints.
"""
from api.app import create_app

__all__ = ["create_app"]
