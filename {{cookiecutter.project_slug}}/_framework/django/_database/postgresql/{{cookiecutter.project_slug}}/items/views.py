"""JSON endpoints for items: list the latest, create one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from {{ cookiecutter.project_slug }}.errors import (
    ClientError,
    parse_json,
    require_json_media_type,
    storable_text,
)
from {{ cookiecutter.project_slug }}.items.models import NAME_MAX_LENGTH, Item

PAGE_SIZE = 100


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
