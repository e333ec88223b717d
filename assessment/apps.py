import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def use_sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    """Let SQLite take as many parameters per statement as the library allows.

    Django 5.2 assumes SQLite's old limit of 999 and splits bulk inserts into batches
    of 999 // columns rows, so a page of 60 answers took two INSERTs of its history
    and the query count grew with the page. SQLite 3.32+ allows 32,766.
    """
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        connection_created.connect(use_sqlite_parameter_limit, dispatch_uid="sqlite-params")
