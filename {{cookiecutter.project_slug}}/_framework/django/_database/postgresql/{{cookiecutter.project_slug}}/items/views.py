"""JSON endpoints for items: list the latest, create one, show one with its reference data."""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods

from {{ cookiecutter.project_slug }}.errors import (
    ClientError,
    parse_json,
    require_json_media_type,
    storable_text,
)
from {{ cookiecutter.project_slug }}.items.models import NAME_MAX_LENGTH, Item
from {{ cookiecutter.project_slug }}.middleware import json_error
from {{ cookiecutter.project_slug }}.reference_data import ReferenceDataClient, ReferenceDataError

logger = logging.getLogger(__name__)

PAGE_SIZE = 100


@functools.cache
def reference_data() -> ReferenceDataClient:
    """One client per worker process, so its connections to the API are reused across requests.

    Created on first use, after gunicorn has forked the worker.
    """
    return ReferenceDataClient(settings.REFERENCE_DATA_API_URL, settings.REFERENCE_DATA_API_TOKEN)


def _name(payload: object) -> str:
    """The item's name from a parsed body, or :class:`ClientError` (422) saying what is wrong."""
    name = payload.get("name") if isinstance(payload, dict) else None
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX_LENGTH:
        raise ClientError(
            422, f"name must be a non-empty string of at most {NAME_MAX_LENGTH} characters"
        )
    problem = storable_text(name)
    if problem:
        raise ClientError(422, f"name {problem}")
    return name.strip()


@require_http_methods(["GET", "POST"])
def collection(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return JsonResponse({"items": [item.as_dict() for item in Item.objects.all()[:PAGE_SIZE]]})
    require_json_media_type(request.content_type)
    item = Item.objects.create(name=_name(parse_json(request.body)))
    return JsonResponse(item.as_dict(), status=201)


@require_GET
def detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """One item, with what the reference-data API knows about its name."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise ClientError(404, f"there is no item {item_id}")
    try:
        reference = reference_data().lookup("items", name=item.name)
    except ReferenceDataError as error:
        # An attached resource that is down is answered like the database: 503, retry later.
        logger.warning("reference-data API unavailable", extra={"error": str(error)})
        return json_error(503, "the reference-data API is unavailable; retry later")
    return JsonResponse({**item.as_dict(), "reference_data": reference})
