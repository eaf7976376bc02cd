"""Several faculty on one session, in the browser: two trainers' control pages drive it and each
sees the other's change with its author's name, as the trainee's monitor follows; an observer's
page follows with its controls disabled, writes notes the others see, and its socket refuses a
change sent by hand; taken off the team, the observer's page says so at once."""

import json

import pytest
from playwright.sync_api import expect

from sessions_app.models import SessionEvent
from sessions_app.tests.e2e.pages import VIEWPORT, open_control
from shiller.tests.factory import make_faculty

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIVE_MS = 3000


def control_page(chromium, server, trainer, session, locale="en-US"):
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    return open_control(context.new_page(), trainer, session)


def send_heart_rate(control, rate: int) -> None:
    control.locator("#vitals-form [name=heart_rate]").fill(str(rate))
    control.locator("#send-vitals").click()


@pytest.mark.parametrize(
    "locale, by, kind",
    [("en-US", "By", "Values changed"), ("fr-FR", "Par", "Valeurs modifiées")],
)
def test_two_trainers_drive_one_session_and_see_each_others_changes(
    chromium, server, monitor, locale, by, kind
):
    faculty = make_faculty()
    session = faculty["session"]
    owner = control_page(chromium, server, faculty["owner"], session, locale)
    cotrainer = control_page(chromium, server, faculty["cotrainer"], session, locale)
    screen = monitor(session.code, locale=locale)
    expect(owner.locator("#events thead")).to_contain_text(by)

    send_heart_rate(cotrainer, 132)
    row = owner.locator("#event-rows tr").first
    expect(row).to_contain_text("Carole Petit", timeout=LIVE_MS)
    expect(row.locator("td").nth(1)).to_have_text(kind)
    expect(row.locator("td").nth(4)).to_have_text("132")
    expect(screen.locator("#hr-value")).to_have_text("132", timeout=LIVE_MS)

    send_heart_rate(owner, 88)
    expect(cotrainer.locator("#event-rows tr").first).to_contain_text("Alice Martin", timeout=LIVE_MS)
    expect(screen.locator("#hr-value")).to_have_text("88", timeout=LIVE_MS)
    authors = list(SessionEvent.objects.order_by("created_at").values_list("author__name", flat=True))
    assert authors == ["Carole Petit", "Alice Martin"]


def test_an_observer_watches_writes_notes_and_cannot_change_the_patient(chromium, server):
    faculty = make_faculty()
    session = faculty["session"]
    owner = control_page(chromium, server, faculty["owner"], session)
    observer = control_page(chromium, server, faculty["observer"], session)

    expect(observer.locator("#watch-notice")).to_be_visible()
    for control in ("#send-vitals", "#pause", "#vitals-form [name=heart_rate]", "#stop-trend"):
        expect(observer.locator(control)).to_be_disabled()
    expect(owner.locator("#send-vitals")).to_be_enabled()

    send_heart_rate(owner, 141)
    expect(observer.locator("#event-rows tr").first).to_contain_text("Alice Martin", timeout=LIVE_MS)
    expect(observer.locator("#current-values")).to_contain_text("141")

    observer.locator("#note-form [name=text]").fill("Late call for help")
    observer.locator("#note-form button[type=submit]").click()
    note = owner.locator("#note-items li", has_text="Late call for help")
    expect(note).to_contain_text("Olivier Roux", timeout=LIVE_MS)
    expect(observer.locator("#note-items li", has_text="Late call for help")).to_have_count(1)

    # The page offers no way to change the patient; a message sent by hand is refused.
    reply = observer.evaluate(
        """(session) => new Promise((resolve) => {
            const socket = new WebSocket(`ws://${location.host}/ws/control/${session}/`);
            socket.onopen = () => socket.send(JSON.stringify(
                {type: "set_vitals", request_id: 7, values: {heart_rate: 30}}));
            socket.onmessage = (event) => {
                const message = JSON.parse(event.data);
                if (message.type === "error") { socket.close(); resolve(message); }
            };
        })""",
        str(session.pk),
    )
    assert reply["code"] == "read_only" and reply["request_id"] == 7
    assert "only its trainers" in reply["errors"]["type"]
    assert SessionEvent.objects.count() == 1
    assert json.dumps(SessionEvent.objects.get().values).count("141") == 1


def test_an_observer_taken_off_the_team_loses_the_page_at_once(chromium, server):
    faculty = make_faculty()
    session = faculty["session"]
    owner = control_page(chromium, server, faculty["owner"], session)
    observer = control_page(chromium, server, faculty["observer"], session)
    owner.locator("#team li", has_text="Olivier Roux").get_by_role("button").click()
    expect(owner.locator("#team-list")).not_to_contain_text("Olivier Roux")
    expect(observer.locator("#revoked-banner")).to_be_visible(timeout=2000)
    expect(observer.locator("#socket-state")).to_have_attribute("data-state", "off")
    assert observer.reload().status == 404
