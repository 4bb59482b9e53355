"""HTMX helpers every app's views use.

Convention: one template per page; the parts that HTMX swaps are named partials inside it
(``{% partialdef rows inline %} ... {% endpartialdef %}``). A view renders the whole page for a
normal request and only the named partial for an HTMX request::

    return render_page_or_partial(request, "contacts/contact_list.html", "rows", context)

A boosted request (``hx-boost``) wants the whole page, so it gets the page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    """True for a request HTMX made to swap part of a page (not a boosted navigation)."""
    details = getattr(request, "htmx", None)
    return bool(details) and not getattr(details, "boosted", False)


def render_page_or_partial(
    request: HttpRequest,
    template_name: str,
    partial: str | None,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render ``template_name`` whole, or its named ``partial`` when HTMX asks."""
    name = f"{template_name}#{partial}" if partial and is_htmx(request) else template_name
    return render(request, name, context or {}, status=status)
