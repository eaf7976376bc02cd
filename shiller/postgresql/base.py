"""Django's PostgreSQL backend, with the pool's check taken from OPTIONS["pool"]["check"].

Django 5.2 passes `check=` to psycopg_pool's ConnectionPool itself (its round trip when
CONN_HEALTH_CHECKS is set, else none) and OPTIONS["pool"] beside it, so a check of one's own
raises TypeError. Django fixed it after 5.2 (ticket #37075, github.com/django/django/pull/21198:
the option's check wins); this is that fix until Shiller's Django has it, and then ENGINE goes
back to django.db.backends.postgresql.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        options = self.settings_dict["OPTIONS"].get("pool")
        if (
            not isinstance(options, dict)
            or "check" not in options
            or self.alias in self._connection_pools
            or self.alias == NO_DB_ALIAS
        ):
            return super().pool
        # As Django 5.2's DatabaseWrapper.pool, but for the check.
        from psycopg_pool import ConnectionPool

        if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
            raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
        connect_kwargs = self.get_connection_params()
        connect_kwargs["autocommit"] = True  # Django sets it properly later on.
        pool = ConnectionPool(
            kwargs=connect_kwargs, open=False, configure=self._configure_connection, **options
        )
        self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]
