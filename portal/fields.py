"""Model fields and indexes that mean the same in every app."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


def updated_at_field() -> models.DateTimeField:
    """When the row last changed, for the API's change feed (`updated_after`, portal/api/changes.py): set on
    every save, and by the database for rows that SQL writes. Pair it with `change_feed_index`."""
    return models.DateTimeField(_("updated"), auto_now=True, db_default=Now(),
                                help_text=_("Set on every change; the API's change feed orders by it."))


def change_feed_index(name: str) -> models.Index:
    """The change feed reads a model in (updated_at, id) order, from a cursor: this index serves it."""
    return models.Index(fields=["updated_at", "id"], name=name)
