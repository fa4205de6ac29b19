"""Service-level endpoints."""

from django.http import HttpRequest, JsonResponse


def index(request: HttpRequest) -> JsonResponse:
    """Say which service this is, so a person poking at the URL knows where they are."""
    return JsonResponse({"service": "{{ cookiecutter.project_slug }}"})
