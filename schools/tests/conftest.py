import pytest

from schools import services
from schools.models import Membership
from trainers.models import Trainer


@pytest.fixture
def school(alice):
    """Alice's school: she created it, so she is its admin."""
    return services.create_school(alice, "Hôpital Nord")


@pytest.fixture
def bob_member(school, bob):
    """Bob, a trainer of alice's school."""
    return Membership.objects.create(school=school, trainer=bob, role=Membership.TRAINER)


@pytest.fixture
def carol(db):
    return Trainer.objects.create_user(email="carol@example.org", password="x" * 12, name="Carol")
