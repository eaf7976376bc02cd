"""What the control page shows of a message, rendered by the server (fragments.py)."""

import datetime

from sessions_app import fragments, treatment
from shiller.tests.factory import AT_REST, T0, make_session
from simulator import treatment as rules

VF = {**AT_REST, "heart_rate": 0, "flags": {**AT_REST["flags"], "rhythm": "ventricular_fibrillation"}}


def test_a_shock_is_news_on_the_cockpit_with_its_row(alice):
    session = make_session(alice, now=T0, last_values=VF, defibrillator={**rules.default_settings(), "mode": "manual"})
    treatment.charge(session.pk, 200, now=T0)
    ready = T0 + datetime.timedelta(seconds=rules.charge_seconds(200))
    message = treatment.shock(session.pk, now=ready).event.message()
    html = fragments.for_message(message)
    assert "Shock: 200 J, on Ventricular fibrillation" in html["treatment"]
    assert 'data-kind="shock"' in html["event_row"]
    assert "charge" not in html["device"]
