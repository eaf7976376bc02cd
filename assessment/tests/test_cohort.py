"""The cohort page of a scenario: each run side by side, the median and spread of the time to
each action, the share on time; its date filter, its CSV, and who sees which runs."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from assessment import cohort
from assessment.tests.runs import make_run, make_template
from schools.models import Membership, School
from sessions_app.models import Session
from shiller.tests.factory import PASSWORD, T0
from trainers.models import Trainer

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.datetime:
    return T0 + datetime.timedelta(days=n)


@pytest.fixture
def template(alice):
    return make_template(alice)


@pytest.fixture
def runs(alice, template):
    """Five runs, a day apart, each reaching step 1 at 10 s: "help" done 20, 40, 60, 100 and
    200 s after it (on time within 60 s: three of five); the cultures in two of them (one on
    time, one 30 s past its two minutes), missed in the three others."""
    helps = [20, 40, 60, 100, 200]
    found = []
    for n, seconds in enumerate(helps):
        logged = [(10 + seconds, "help")]
        if n == 0:
            logged.append((10 + 150, "cultures"))  # late by 30 s
        if n == 1:
            logged.append((10 + 60, "cultures"))  # on time
        found.append(
            make_run(alice, template, f"RUN00{n}", start=day(n), steps=[10], logged=logged)
        )
    return found


def _get(client, template, language="en", **query):
    url = reverse("assessment:cohort", args=[template.pk])
    return client.get(url, query, HTTP_ACCEPT_LANGUAGE=language)


def test_the_cohort_gives_the_median_spread_and_share_on_time(template, runs):
    found = cohort.build(template, runs)
    help_ = found.figures["help"]
    assert help_.count == 5
    assert help_.median == 60
    assert (help_.q1, help_.q3) == (40, 100)  # inclusive quartiles
    assert (help_.low, help_.high) == (20, 200)
    assert (help_.on_time, help_.scored, help_.on_time_percent) == (3, 5, 60)
    cultures = found.figures["cultures"]
    assert (cultures.count, cultures.median, cultures.q1, cultures.q3) == (2, 105, 82.5, 127.5)
    assert (cultures.on_time, cultures.scored) == (1, 5)  # three missed
    # Step 2 never applied: noradrenaline is not reached in any run, so not scored.
    norad = found.figures["norad"]
    assert (norad.count, norad.scored, norad.on_time_percent, norad.median) == (0, 0, None, None)


def test_the_page_shows_each_run_side_by_side_and_the_figures(alice_client, template, runs):
    r = _get(alice_client, template)
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count('<tr data-code="RUN00') == 5
    figures = body[body.index('id="cohort-figures"') :]
    help_row = figures[figures.index('data-key="help"') : figures.index("</tr>", figures.index('data-key="help"'))]
    assert '<td class="num median">+01:00</td>' in help_row
    assert '<td class="num iqr">+00:40 – +01:40</td>' in help_row
    assert '<td class="num range">+00:20 – +03:20</td>' in help_row
    assert "60 %" in help_row and "(3 / 5)" in help_row
    run0 = body[body.index('data-code="RUN000"') :]
    run0 = run0[: run0.index("</tr>")]
    assert "late by 30 s" in run0 and "+02:30" in run0


def test_the_page_in_french(alice_client, template, runs):
    body = _get(alice_client, template, language="fr").content.decode()
    assert "Chaque action sur l’ensemble des séances" in body
    assert "Temps médian" in body
    assert "en retard de 30 s" in body
    assert "60 %" in body


def test_it_filters_runs_by_date(alice_client, template, runs):
    start, end = day(1).date().isoformat(), day(3).date().isoformat()
    body = _get(alice_client, template, start=start, end=end).content.decode()
    assert [code for code in ("RUN000", "RUN001", "RUN002", "RUN003", "RUN004") if f'data-code="{code}"' in body] == [
        "RUN001", "RUN002", "RUN003",
    ]  # fmt: skip


def test_it_refuses_wrong_dates_with_clear_messages(alice_client, template, runs):
    r = _get(alice_client, template, start="yesterday", end="2026-13-01")
    body = r.content.decode()
    assert r.status_code == 400
    assert "Enter the first day as a date, e.g. 2026-03-01." in body
    assert "Enter the last day as a date, e.g. 2026-03-31." in body
    assert 'data-code="' not in body
    r = _get(alice_client, template, start="2026-11-28", end="2026-11-25")
    assert "The last day comes on or after the first." in r.content.decode()
    r = _get(alice_client, template, language="fr", start="yesterday")
    assert "Saisissez le premier jour sous forme de date, p. ex. 2026-03-01." in r.content.decode()
    # The CSV's link followed with the same dates: the same message, as text.
    r = alice_client.get(reverse("assessment:cohort_export", args=[template.pk]), {"start": "yesterday"})
    assert r.status_code == 400 and r["Content-Type"].startswith("text/plain")
    assert r.content.decode() == "Enter the first day as a date, e.g. 2026-03-01."


def test_an_empty_cohort_says_so(alice_client, template):
    body = _get(alice_client, template).content.decode()
    assert 'id="cohort-empty"' in body and "No run of this scenario yet" in body
    assert 'id="cohort-csv"' not in body


def test_the_csv_has_a_row_per_run_and_no_trainee_name(alice_client, template, runs):
    r = alice_client.get(reverse("assessment:cohort_export", args=[template.pk]))
    assert r.status_code == 200
    text = r.content.decode()
    assert "Alex Doe" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["code"] for row in rows] == ["RUN000", "RUN001", "RUN002", "RUN003", "RUN004"]
    assert rows[0]["help_seconds"] == "20" and rows[0]["help_outcome"] == "on_time"
    assert rows[0]["cultures_seconds"] == "150" and rows[0]["cultures_outcome"] == "late"
    assert rows[2]["cultures_outcome"] == "missed" and rows[2]["cultures_seconds"] == ""
    assert rows[0]["started_at"].startswith("2026-11-24T")
    assert rows[4]["passed"] == "false" and rows[0]["max_score"] == "6"


def test_the_french_csv_names_its_columns_and_outcomes(alice_client, template, runs):
    r = alice_client.get(
        reverse("assessment:cohort_export", args=[template.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    head, first, *_ = csv.reader(io.StringIO(text[1:]), delimiter=";")
    assert head[0] == "Code" and "Call for help\u00a0: secondes depuis son repère" in head
    assert "à l’heure" in first and "en retard" in first


def test_another_trainer_finds_no_cohort(bob_client, template, runs):
    assert _get(bob_client, template).status_code == 404
    assert bob_client.get(reverse("assessment:cohort_export", args=[template.pk])).status_code == 404


@pytest.fixture
def school_runs(alice, bob):
    """A school's template with three runs: alice's (a trainer), bob's (a trainer), and one of
    alice's in her own space."""
    school = School.objects.create(name="Hôpital Nord")
    Membership.objects.create(school=school, trainer=alice, role=Membership.TRAINER)
    Membership.objects.create(school=school, trainer=bob, role=Membership.TRAINER)
    admin = Trainer.objects.create_user(email="admin@example.org", password=PASSWORD)
    Membership.objects.create(school=school, trainer=admin, role=Membership.ADMIN)
    template = make_template(alice, school=school)
    make_run(alice, template, "ALICE1", school=school, steps=[0])
    make_run(bob, template, "BOBBY1", school=school, steps=[0])
    make_run(alice, template, "ALICE2", steps=[0])
    return template, admin


def _codes(client, template) -> set:
    body = _get(client, template).content.decode()
    return {code for code in ("ALICE1", "BOBBY1", "ALICE2") if f'data-code="{code}"' in body}


def test_a_school_trainer_sees_only_their_own_runs(alice_client, school_runs):
    template, _admin = school_runs
    assert _codes(alice_client, template) == {"ALICE1", "ALICE2"}


def test_a_school_admin_sees_the_schools_runs(client, school_runs):
    template, admin = school_runs
    client.force_login(admin)
    assert _codes(client, template) == {"ALICE1", "BOBBY1"}


def test_the_template_page_links_to_its_cohort(alice_client, template):
    body = alice_client.get(reverse("library:detail", args=[template.pk])).content.decode()
    assert f'href="{reverse("assessment:cohort", args=[template.pk])}"' in body


def test_a_visitor_is_sent_to_log_in(client, template):
    assert _get(client, template).status_code == 302


def test_an_anonymised_run_stays_in_the_cohort_without_its_name(alice_client, template, runs):
    name = runs[0].trainee_name
    Session.objects.filter(pk=runs[0].pk).update(trainee_name="", trainee_anonymised_at=day(30))
    body = _get(alice_client, template).content.decode()
    run0 = body[body.index('data-code="RUN000"') :]
    run0 = run0[: run0.index("</tr>")]
    assert "Anonymised trainee" in run0 and "late by 30 s" in run0
    assert body.count('<tr data-code="RUN00') == 5
    assert name not in run0
