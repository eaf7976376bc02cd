import pytest

from sessions_app.tests.played import played_session


@pytest.fixture
def played(alice):
    """The ten minutes of sessions_app/tests/played.py, closed."""
    return played_session(alice)
