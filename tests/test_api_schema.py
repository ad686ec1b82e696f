"""The OpenAPI schema describes every endpoint under /api/v1/, and the docs work offline."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _api_routes(patterns=None, prefix: str = "") -> set[str]:
    routes = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            routes.add("/" + route.replace("<slug:slug>", "{slug}").replace("<int:pk>", "{id}"))
    return routes


def test_every_api_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    routes = _api_routes()
    assert len(routes) >= 7
    assert routes <= set(schema["paths"]), routes - set(schema["paths"])


def test_interactive_docs_use_no_cdn(client):
    html = client.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
