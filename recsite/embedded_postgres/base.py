"""Django database backend: PostgreSQL, started on demand by pgserver."""

from pathlib import Path

from django.conf import settings
from django.db.backends.postgresql import base

from recsite.embedded_postgres import socket_dir


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["host"] = socket_dir(Path(settings.EMBEDDED_POSTGRES_DIR))
        return params
