"""The endpoint that hands work to the worker process instead of doing it during the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from {{ cookiecutter.project_slug }} import logs
from {{ cookiecutter.project_slug }}.errors import ClientError
from {{ cookiecutter.project_slug }}.items.models import Item
from {{ cookiecutter.project_slug }}.items.tasks import normalise_item_name


@require_POST
def normalise(request: HttpRequest, item_id: int) -> HttpResponse:
    """Queue the normalisation of an item's name: 202 with the job's id, the work done later."""
    if not Item.objects.filter(pk=item_id).exists():
        raise ClientError(404, f"there is no item {item_id}")
    job_id = normalise_item_name.defer(item_id=item_id, request_id=logs.request_id.get())
    return JsonResponse({"job_id": job_id}, status=202)
