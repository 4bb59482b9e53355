from django.contrib import admin
from django.urls import include, path

from accord.api.api import api
from accord.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("accord.web.urls")),
    path("accounts/", include("accord.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
