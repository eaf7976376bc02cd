"""Empty: this migration used to create the demo trainer when SEED_DEMO_TRAINER=true.

A migration that reads the environment writes different rows on different machines; the demo
trainer is now made by `manage.py createtrainer --demo` (which `make run` and docker-compose run).
The file stays, with nothing to do, because databases have it recorded as applied and 0003
depends on it: removing it would mean rewriting 0003's dependencies on every database.
A demo trainer it created stays, an ordinary trainer.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("trainers", "0001_initial")]

    operations = []
