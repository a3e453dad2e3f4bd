"""The API documentation pages, served entirely from the portal's own origin.

drf-spectacular's sidecar ships ReDoc's standalone bundle, whose sidebar footer shows Redocly's
logo from cdn.redoc.ly: the Content Security Policy blocks it (a console error on every visit) and
the portal fetches nothing from outside anyway. The bundle is served here with that one image
taken out; the footer keeps its text link.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import drf_spectacular_sidecar
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView

BUNDLE = Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles" / \
    "redoc.standalone.js"
# The footer link renders the logo component first, then its text: `createElement(<logo>,null),"API docs by Redocly"`.
LOGO_IN_FOOTER = re.compile(r'[\w$]+\.createElement\([\w$]+,null\),(?="API docs by Redocly")')
CDN_LOGO = 'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'


@functools.cache
def redoc_bundle_source() -> bytes:
    source = BUNDLE.read_text(encoding="utf-8")
    patched, found = LOGO_IN_FOOTER.subn("", source)
    if found != 1 or CDN_LOGO not in patched:
        raise ImproperlyConfigured("ReDoc's bundle changed: update portal/api_docs.py to take out its CDN logo")
    return patched.replace(CDN_LOGO, 'src:""').encode("utf-8")


@require_GET
def redoc_bundle(request):
    response = HttpResponse(redoc_bundle_source(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class RedocView(SpectacularRedocView):
    @staticmethod
    def _redoc_standalone():
        return reverse("api-redoc-bundle")
