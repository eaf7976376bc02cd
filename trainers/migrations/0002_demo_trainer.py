"""Create the demo trainer, only when SEED_DEMO_TRAINER=true (the seed's behaviour)."""

from django.contrib.auth.hashers import make_password
from django.db import migrations

from trainers.demo import demo_credentials


def create_demo_trainer(apps, schema_editor):
    credentials = demo_credentials()
    if credentials is None:
        return
    email, password = credentials
    Trainer = apps.get_model("trainers", "Trainer")
    if not Trainer.objects.filter(email=email).exists():
        Trainer.objects.create(email=email, password=make_password(password))


class Migration(migrations.Migration):
    dependencies = [("trainers", "0001_initial")]

    operations = [migrations.RunPython(create_demo_trainer, migrations.RunPython.noop)]
