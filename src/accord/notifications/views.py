"""The notifications page, the bell's dropdown and mark-read actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accord.core.htmx import is_htmx, render_page_or_partial
from accord.notifications import selectors, services

PAGE = "notifications/notification_list.html"


def _context(request: HttpRequest, *, unread_only: bool = False) -> dict[str, object]:
    return {
        "notifications": selectors.notification_list(request.user, unread_only=unread_only),
        "unread_count": selectors.notification_unread_count(request.user),
        "unread_only": unread_only,
    }


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("filter") == "unread"
    return render_page_or_partial(request, PAGE, "list", _context(request, unread_only=unread_only))


@login_required
@require_GET
def notification_menu(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown: the ten most recent notifications."""
    context = {
        "notifications": selectors.notification_list(request.user, limit=10),
        "unread_count": selectors.notification_unread_count(request.user),
    }
    return render_page_or_partial(request, PAGE, "menu", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notification_scope(request.user), pk=pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    if is_htmx(request):
        context = {
            "notification": notification,
            "unread_count": selectors.notification_unread_count(request.user),
        }
        return render_page_or_partial(request, PAGE, "item_read", context)
    return redirect("notifications:notification_list")


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notification's link."""
    notification = get_object_or_404(selectors.notification_scope(request.user), pk=pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(actor=request.user)
    return render_page_or_partial(request, PAGE, "list", _context(request))
