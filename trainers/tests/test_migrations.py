import pytest
from django.db import connection

from trainers.models import Trainer

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="The trigger is PostgreSQL's")
def test_trigger_stamps_updated_at_on_a_raw_sql_update(alice):
    before = Trainer.objects.get(pk=alice.pk).updated_at
    with connection.cursor() as cursor:
        # A raw update that does not touch updated_at, as a DBA's fix would.
        cursor.execute("UPDATE trainers SET is_staff = true WHERE id = %s", [alice.pk])
    after = Trainer.objects.get(pk=alice.pk)
    assert after.is_staff
    assert after.updated_at > before


def test_migrations_are_all_applied_and_none_missing():
    from django.core.management import call_command

    # Raises SystemExit(1) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
