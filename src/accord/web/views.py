from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accord.core.registry import registry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    panels = registry.dashboard_for(request.user)
    rendered = [(panel, panel.context(request)) for panel in panels]
    return render(request, "web/home.html", {"panels": rendered})
