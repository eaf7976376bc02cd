import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from sessions_app.tests.played import at
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8"))))


def test_it_downloads_a_csv_named_for_the_code_and_date(alice_client, played):
    r = alice_client.get(reverse("sessions:export", args=[played.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == 'attachment; filename="shiller-ABC234-2026-03-02.csv"'
    body = r.getvalue()  # streamed: read once
    assert not body.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    header = body.decode().splitlines()[0]
    assert header == (
        "at,seconds_since_start,kind,systolic,diastolic,heart_rate,spo2,respiratory_rate,"
        "etco2,temperature,rhythm,alarm,spo2_probe_off,hidden,transition_seconds,step,note,"
        # Issue 15's invasive lines, then the later flags, appended.
        "abp_systolic,abp_diastolic,cvp,"
        "ecg_leads_off,no_pulse,ectopy_every,ecg_lead2,abp_damping,pulsus_paradoxus,artefacts,"
        # Issue 16's treatment and results.
        "detail,result_kind,result_title,result_values,author"
    )


def test_it_has_one_row_per_event_matching_the_events(alice_client, played):
    rows = _rows(alice_client.get(reverse("sessions:export", args=[played.pk])))
    events = list(played.events.order_by("created_at"))
    assert len(rows) == len(events) == 4
    for row, event in zip(rows, events):
        assert row["at"] == timezone.localtime(event.created_at).isoformat()
        assert float(row["seconds_since_start"]) == (event.created_at - played.created_at).seconds
        assert row["kind"] == event.kind
        for name in ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "etco2"):
            assert row[name] == str(getattr(event, name))
        assert row["temperature"] == str(event.temperature)
        assert row["rhythm"] == event.flags["rhythm"]
        assert row["alarm"] == ("true" if event.flags["alarm"] else "false")
        assert row["spo2_probe_off"] == "false"
        assert row["transition_seconds"] == str(event.transition_seconds)
    assert [row["seconds_since_start"] for row in rows] == [
        "30.000",
        "120.000",
        "150.000",
        "300.000",
    ]
    assert [row["kind"] for row in rows] == ["vitals", "vitals", "alarms_silenced", "vitals"]
    assert rows[1]["transition_seconds"] == "60" and rows[3]["alarm"] == "true"


def test_the_flags_added_since_are_in_the_last_columns(alice_client, played):
    """Leads off, no pulse and issue 15's flags: what the screens showed, for the audit."""
    flags = {
        **played.events.order_by("created_at").last().flags,
        "ecg_leads_off": True,
        "no_pulse": True,
        "ectopy_every": 3,
        "ecg_lead2": "V2",
        "abp_damping": "over",
        "artefacts": ["movement", "mains"],
    }
    played.events.filter(created_at=at(300)).update(flags=flags)
    last = _rows(alice_client.get(reverse("sessions:export", args=[played.pk])))[-1]
    assert (last["ecg_leads_off"], last["no_pulse"], last["pulsus_paradoxus"]) == ("true", "true", "false")
    assert (last["ectopy_every"], last["ecg_lead2"], last["abp_damping"]) == ("3", "V2", "over")
    assert last["artefacts"] == "movement mains"


def test_the_step_column_counts_from_1_as_the_control_page_does(alice_client, played):
    played.events.filter(created_at=at(300)).update(detail={"step": 0})
    rows = _rows(alice_client.get(reverse("sessions:export", args=[played.pk])))
    assert [row["step"] for row in rows] == ["", "", "", "1"]


def test_empty_optional_values_and_hidden_parameters(alice, alice_client):
    session = make_session(alice, code="XYZ789")
    values = {"systolic": 120, "diastolic": 80, "heart_rate": 75, "spo2": 98}
    services.apply_vitals(session.pk, {**values, "flags": {"hidden": ["etco2", "nibp"]}})
    (row,) = _rows(alice_client.get(reverse("sessions:export", args=[session.pk])))
    assert row["respiratory_rate"] == row["etco2"] == row["temperature"] == ""
    assert row["hidden"] == "nibp etco2"


def test_notes_are_rows_of_their_own_in_time_order(alice_client, played):
    services.add_note(played, "Slow, to CPR, ça va", at=at(200))
    rows = _rows(alice_client.get(reverse("sessions:export", args=[played.pk])))
    assert [row["kind"] for row in rows] == [
        "vitals",
        "vitals",
        "alarms_silenced",
        "note",
        "vitals",
    ]
    assert rows[3]["note"] == "Slow, to CPR, ça va" and rows[3]["heart_rate"] == ""


def test_another_trainer_gets_404(bob_client, played):
    assert bob_client.get(reverse("sessions:export", args=[played.pk])).status_code == 404


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil.example")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_a_formula_in_a_note_is_exported_as_text(alice_client, played, text):
    services.add_note(played, text, at=at(200))
    rows = _rows(alice_client.get(reverse("sessions:export", args=[played.pk])))
    assert rows[3]["note"] == "'" + text


def test_numbers_stay_plain_numbers_and_other_notes_are_unchanged(alice_client, played):
    services.add_note(played, "Gave 1 mg = good", at=at(200))
    rows = _rows(alice_client.get(reverse("sessions:export", args=[played.pk])))
    assert rows[3]["note"] == "Gave 1 mg = good"
    assert rows[0]["heart_rate"] == str(played.events.order_by("created_at")[0].heart_rate)


# In French: what French Excel opens by a double click (UTF-8 with a BOM, ";", French headings).

FRENCH_HEADER = [
    "Date et heure",
    "Secondes depuis le début",
    "Événement",
    "Systolique",
    "Diastolique",
    "Fréquence cardiaque",
    "SpO2",
    "Fréquence respiratoire",
    "EtCO2",
    "Température",
    "Rythme",
    "Alarme",
    "Capteur SpO2 débranché",
    "Non branchés",
    "Transition (secondes)",
    "Étape",
    "Note",
    "PA invasive systolique",
    "PA invasive diastolique",
    "PVC",
    "Électrodes ECG débranchées",
    "Pas de pouls",
    "Extrasystole tous les",
    "Deuxième dérivation ECG",
    "Amortissement de la ligne artérielle",
    "Pouls paradoxal",
    "Artefacts",
    "Détail",
    "Résultat",
    "Titre du résultat",
    "Valeurs du résultat",
    "Auteur",
]


def _french_rows(response) -> list[list[str]]:
    body = response.getvalue()  # streamed: read once
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_a_french_page_exports_for_french_excel(alice_client, played):
    services.add_note(played, "Massage; adrénaline 1 mg", at=at(200))
    r = alice_client.get(reverse("sessions:export", args=[played.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == 'attachment; filename="shiller-ABC234-2026-03-02.csv"'
    header, *rows = _french_rows(r)
    assert header == FRENCH_HEADER
    assert [row[2] for row in rows] == [
        "Valeurs modifiées",
        "Valeurs modifiées",
        "Alarmes suspendues",
        "Note",
        "Valeurs modifiées",
    ]
    assert rows[0][10] == "Rythme sinusal" and rows[4][10] == "Fibrillation ventriculaire"
    assert rows[3][16] == "Massage; adrénaline 1 mg"  # quoted, so the ";" stays in its cell


def test_french_numbers_and_times_stay_machine_numbers(alice_client, played):
    r = alice_client.get(reverse("sessions:export", args=[played.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    header, *rows = _french_rows(r)
    english = _rows(alice_client.get(reverse("sessions:export", args=[played.pk])))
    assert [row[0] for row in rows] == [row["at"] for row in english]  # ISO 8601
    assert [row[1] for row in rows] == ["30.000", "120.000", "150.000", "300.000"]
    assert rows[0][9] == english[0]["temperature"] == "36.8"  # a dot, never "36,8"
    assert rows[3][11] == "true" and rows[1][14] == "60"


def test_hidden_parameters_are_named_in_french(alice, alice_client):
    session = make_session(alice, code="XYZ789")
    values = {"systolic": 120, "diastolic": 80, "heart_rate": 75, "spo2": 98}
    services.apply_vitals(session.pk, {**values, "flags": {"hidden": ["etco2", "nibp"]}})
    r = alice_client.get(reverse("sessions:export", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    _header, row = _french_rows(r)
    assert row[13] == "PNI, EtCO2 / capnographie"


def test_the_export_follows_the_language_chosen_on_the_page(alice_client, played):
    url = reverse("sessions:export", args=[played.pk])
    alice_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert _french_rows(alice_client.get(url))[0] == FRENCH_HEADER
    alice_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    r = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr")  # the chosen language wins
    assert r.getvalue().decode().startswith("at,seconds_since_start,kind,")
