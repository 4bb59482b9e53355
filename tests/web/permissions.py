"""Permission matrix rows of the shell (pages, health checks), the API's own pages and
Django's admin site (see tests/permission_matrix.py)."""

from __future__ import annotations

from tests.permission_matrix import Endpoint, declare, public, web_page

declare(
    Endpoint("healthz", expect=public(200)),
    Endpoint("readyz", expect=public(200)),
    Endpoint("web:home", expect=web_page(200)),
    Endpoint("web:search", query=lambda w: {"q": "matrix"}, expect=web_page(200)),
    Endpoint("web:search_palette", query=lambda w: {"q": "matrix"}, expect=web_page(200)),
    Endpoint("web:profile", expect=web_page(200)),
    Endpoint(
        "web:profile",
        method="POST",
        data=lambda w: {
            "full_name": "Renamed",
            "time_zone": "Europe/Berlin",
            "language": "en",
            "theme": "dark",
        },
        expect=web_page(302),
    ),
    Endpoint(
        "web:profile_theme", method="POST", data=lambda w: {"theme": "dark"}, expect=web_page(302)
    ),
    Endpoint("web:password_change", expect=web_page(200)),
    Endpoint("web:password_change_done", expect=web_page(200)),
    # The API's schema and docs are public; the API root and unknown API paths are 404s.
    Endpoint("api:openapi-json", expect=public(200)),
    Endpoint("api:openapi-view", expect=public(200)),
    Endpoint("api:api-root", expect=public(404)),
    Endpoint(
        "route:^api/(?P<path>.*)$",
        path="/api/v2/nothing",
        expect=public(404),
    ),
    # Django's admin site: staff only. The matrix users are not staff, so every one is sent
    # to the admin's own sign-in page; one row stands for all its pages.
    Endpoint("admin:index", expect=public(302), covers_routes=("admin/",)),
)
