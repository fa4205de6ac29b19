"""URL routes. The health probes are answered by middleware, before host validation."""

from django.urls import path

{% if cookiecutter.database == "postgresql" -%}
from {{ cookiecutter.project_slug }}.items import views as items
{% endif -%}
from {{ cookiecutter.project_slug }}.views import index

urlpatterns = [
    path("", index, name="index"),
{%- if cookiecutter.database == "postgresql" %}
    path("items", items.collection, name="items"),
{%- endif %}
]
