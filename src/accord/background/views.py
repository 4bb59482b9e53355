"""The jobs page at /settings/jobs/ (administrators only)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accord.background import selectors, services
from accord.background.health import worker_status
from accord.background.policy import require_manage_jobs


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    require_manage_jobs(request.user)
    page = selectors.job_page(
        tab=request.GET.get("status", "queued"),
        queue=request.GET.get("queue", ""),
        cursor=request.GET.get("cursor", ""),
    )
    context = {
        "page": page,
        "tabs": [
            ("queued", _("Queued")),
            ("running", _("Running")),
            ("failed", _("Failed")),
            ("succeeded", _("Succeeded")),
        ],
        "workers": worker_status(),
        "periodic": selectors.periodic_rows(),
    }
    if getattr(request, "htmx", False) and request.headers.get("HX-Target") == "job-table":
        return render(request, "background/job_list.html#job_table", context)
    return render(request, "background/job_list.html", context)


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("background:job_list")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    require_manage_jobs(request.user)
    if services.job_retry(job_id=job_id, actor=request.user):
        messages.success(request, _("The job is queued again."))
    else:
        messages.warning(request, _("Only failed jobs can be retried; this one is not failed."))
    return _back_to_list(request)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    require_manage_jobs(request.user)
    if services.job_cancel(job_id=job_id, actor=request.user):
        messages.success(request, _("The job is cancelled."))
    else:
        messages.warning(request, _("Only queued jobs can be cancelled; this one has started."))
    return _back_to_list(request)
