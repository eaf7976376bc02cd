"""Shared test setup: the real services check, and a small cast (alice and bob, two trainers)."""

import os

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation

from shiller.tests.factory import PASSWORD, make_session
from trainers.models import Trainer


def pytest_sessionstart(session):
    """Under CI a missing PostgreSQL or Redis is a failure, not a quiet fallback to SQLite."""
    if os.environ.get("CI") != "true":
        return
    if connections["default"].vendor != "postgresql":
        pytest.exit("CI=true but the tests are not configured for PostgreSQL (DATABASE_URL).", 2)
    if not settings.REDIS_URL:
        pytest.exit("CI=true but REDIS_URL is not set: the channel layer must be the real Redis.", 2)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    yield
    # Connections still checked out by asgiref's worker thread, or left by the daphne
    # processes of the cross-process tests, would keep the test database from being dropped.
    with django_db_blocker.unblock():
        connection = connections["default"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close_pool()


@pytest.fixture(autouse=True)
def _english_to_start_with():
    """A request in French leaves French active in its thread: every test starts in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Viewer counts and throttles live in the cache; start every test with an empty one."""
    cache.clear()


@pytest.fixture(autouse=True)
async def _release_worker_thread_connections():
    yield
    # A test's plain sync_to_async calls leave a connection open in asgiref's worker thread
    # (the consumers' database_sync_to_async close theirs): close it, so that a connection a
    # test killed on purpose is not handed to the next one.
    await sync_to_async(connections.close_all)()


@pytest.fixture
def alice(db):
    return Trainer.objects.create_user(email="alice@example.org", password=PASSWORD)


@pytest.fixture
def bob(db):
    return Trainer.objects.create_user(email="bob@example.org", password=PASSWORD)


@pytest.fixture
def alice_session(alice):
    return make_session(alice)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def staff_client(client):
    """A superuser's client, for the admin."""
    staff = Trainer.objects.create_superuser(email="audit@example.org", password="x" * 12)
    client.force_login(staff)
    return client
