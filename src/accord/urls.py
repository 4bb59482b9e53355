from django.contrib import admin
from django.urls import include, path, re_path

from accord.api.api import api
from accord.api.api import not_found as api_not_found
from accord.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("accord.web.urls")),
    path("accounts/", include("accord.accounts.urls")),
    path("notifications/", include("accord.notifications.urls")),
    path("", include("accord.contacts.urls")),  # /contacts/... and /companies/...
    path("", include("accord.sales.urls")),  # /deals/..., /settings/pipelines/
    path("lists/", include("accord.lists.urls")),
    path("settings/jobs/", include("accord.background.urls")),
    path("settings/", include("accord.accounts.urls_settings")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    path("admin/", admin.site.urls),
]
