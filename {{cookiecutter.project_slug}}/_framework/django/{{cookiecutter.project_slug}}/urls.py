"""URL routes. The health probes are answered by middleware, before host validation."""

{%- if cookiecutter.database == "postgresql" %}

from django.urls import path

from {{ cookiecutter.project_slug }}.items import views as items

urlpatterns = [
    path("items", items.collection, name="items"),
]
{%- else %}

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
{%- endif %}
