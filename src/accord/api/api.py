"""Composition root of the JSON API: mounts each app's router under /api/v1/."""

from ninja import NinjaAPI

import accord

api = NinjaAPI(title="Accord API", version=accord.__version__, urls_namespace="api")
