"""What every public page's response shares: the two values of the language switch that differ per request.

The header of every public page (``portal/base.html``) has a home link and a language switch, a form posting to
Django's ``set_language`` with a CSRF token and the page to come back to. The pages themselves are rendered without
the request (and the certificate check's are kept rendered, ``views._PAGES``), so the template writes two slots and
``respond`` fills them for this request: the masked CSRF token (``get_token`` also sets the CSRF cookie, which the
post needs) and the path with its query, escaped for an attribute.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape

# Plain letters: they pass the template's escaping unchanged and no page text contains them.
CSRF_SLOT = "PublicCsrfSlot7q2"
NEXT_SLOT = "PublicNextSlot7q2"
SLOTS = {"csrf_slot": CSRF_SLOT, "next_slot": NEXT_SLOT}


def respond(request: HttpRequest, html: str, *, status: int = 200) -> HttpResponse:
    """The page ``html`` (rendered with ``SLOTS`` in its context) with this request's token and path filled in."""
    html = html.replace(CSRF_SLOT, get_token(request), 1).replace(NEXT_SLOT, escape(request.get_full_path()), 1)
    return HttpResponse(html, status=status)
