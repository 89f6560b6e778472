"""/metrics: the Prometheus scrape endpoint, behind a bearer token (METRICS_TOKEN)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from clubs.tenancy import public_view
from operations.metrics import metrics_registry


def _token_ok(request: HttpRequest) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), settings.METRICS_TOKEN.encode())


@public_view
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """404 while no token is configured (nothing to find), 401 with a wrong or missing token."""
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _token_ok(request):
        response = HttpResponse("token required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
