import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from schools import services
from schools.models import Invitation, Membership


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_once_spend_the_link_once(school, alice, bob, carol):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    invitation, token = services.invite(school, alice, "bob@example.org", Membership.TRAINER)
    outcome = []

    def accept_as_carol():
        try:
            outcome.append(services.accept(token, carol))
        except services.InvitationError as e:
            outcome.append(e.message)
        finally:
            connection.close()

    # Bob's accept holds the invitation's row while carol's arrives.
    with transaction.atomic():
        Invitation.objects.select_for_update().get(pk=invitation.pk)
        other = threading.Thread(target=accept_as_carol)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive(), "the second accept did not wait for the first"
        Membership.objects.create(school=school, trainer=bob)
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=bob)
    other.join(timeout=10)
    assert outcome == ["This invitation has already been used."]
    assert not school.memberships.filter(trainer=carol).exists()
