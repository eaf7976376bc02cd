"""Stamp trainers.updated_at in PostgreSQL too, so a change made by raw SQL is audited."""

from django.db import migrations

CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION trainers_stamp_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trainers_updated_at
    BEFORE UPDATE ON trainers
    FOR EACH ROW EXECUTE FUNCTION trainers_stamp_updated_at();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS trainers_updated_at ON trainers;
DROP FUNCTION IF EXISTS trainers_stamp_updated_at();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("trainers", "0002_demo_trainer")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
