"""JSON endpoints for items: list the latest, create one."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from {{ cookiecutter.project_slug }}.items.models import NAME_MAX_LENGTH, Item

MAX_NAME_LENGTH = NAME_MAX_LENGTH
PAGE_SIZE = 100


@require_http_methods(["GET", "POST"])
def collection(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return JsonResponse({"items": [item.as_dict() for item in Item.objects.all()[:PAGE_SIZE]]})
    try:
        payload = json.loads(request.body)
    except json.JSONDecodeError:
        return JsonResponse({"error": "body must be JSON"}, status=400)
    name = payload.get("name") if isinstance(payload, dict) else None
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        return JsonResponse(
            {"error": f"name must be a non-empty string of at most {MAX_NAME_LENGTH} characters"},
            status=400,
        )
    item = Item.objects.create(name=name.strip())
    return JsonResponse(item.as_dict(), status=201)
