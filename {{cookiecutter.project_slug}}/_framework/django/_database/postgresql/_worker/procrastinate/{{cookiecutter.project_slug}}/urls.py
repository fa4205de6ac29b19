"""URL routes. The health probes are answered by middleware, before host validation."""

from django.urls import path

from {{ cookiecutter.project_slug }}.items import jobs as item_jobs
from {{ cookiecutter.project_slug }}.items import views as items
from {{ cookiecutter.project_slug }}.views import index

urlpatterns = [
    path("", index, name="index"),
    path("items", items.collection, name="items"),
    path("items/<int:item_id>", items.detail, name="item"),
    path("items/<int:item_id>/normalise", item_jobs.normalise, name="item-normalise"),
]
