"""An example resource stored in PostgreSQL; replace it with the service's own data."""

from django.db import models

NAME_MAX_LENGTH = 200


class Item(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, object]:
        return {"id": self.pk, "name": self.name, "created_at": self.created_at.isoformat()}
