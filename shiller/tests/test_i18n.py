"""The French interface: the catalogue is complete, pages follow the browser or the switcher."""

import gettext
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from library.models import SessionTemplate
from library.services import StepData, save_template
from live.tests.ws import HOST, ORIGIN, TIMEOUT, session_cookie
from sessions_app import scenarios
from shiller.asgi import application
from shiller.tests.factory import VALID_POST, make_session
from simulator import vitals

pytestmark = pytest.mark.django_db

FR = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}
NBSP = "\u00a0"
LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
# What makemessages must not read: the same list the project's command line uses.
IGNORED = [".venv", "bench", "node_modules", "staticfiles", ".git"]


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list) and flags.

    A small reader for what xgettext writes; obsolete (#~) entries and the header are left out.
    """
    entries, entry, field = [], None, None

    def new_entry():
        return {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}, "flags": []}

    def finish():
        if entry and entry["msgid"]:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~") or not line.strip():
            continue
        if line.startswith("#,"):
            finish()
            entry, field = new_entry(), None
            entry["flags"] = [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            if entry is None or field is not None:
                finish()
                entry = new_entry()
            field = "msgctxt"
            entry["msgctxt"] = json.loads(line[8:])
        elif line.startswith("msgid "):
            if entry is None or field not in (None, "msgctxt"):
                finish()
                entry = new_entry()
            field = "msgid"
            entry["msgid"] = json.loads(line[6:])
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
            entry["msgid_plural"] = json.loads(line[13:])
        elif line.startswith("msgstr"):
            key, _space, text = line.partition(" ")
            field = int(key[7:-1]) if key.startswith("msgstr[") else 0
            entry["msgstr"][field] = json.loads(text)
        elif line.startswith('"'):
            text = json.loads(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
    finish()
    return entries


def untranslated(entries: list[dict]) -> list[str]:
    return [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"] or not e["msgstr"] or not all(e["msgstr"].values())
    ]


def test_the_french_catalogue_has_no_empty_or_fuzzy_entries():
    entries = read_po(PO)
    assert len(entries) > 150
    assert untranslated(entries) == []


def test_the_french_catalogue_keeps_every_placeholder():
    # %% counts too: {% translate %} doubles the percent signs of its msgid, and the msgstr
    # must double them the same way or the page shows a stray or a missing sign.
    placeholders = re.compile(r"%%|%\(\w+\)[sd]")
    for e in read_po(PO):
        expected = sorted(placeholders.findall(e["msgid_plural"] or e["msgid"]))
        for text in e["msgstr"].values():
            assert sorted(placeholders.findall(text)) == expected, e["msgid"]


def test_the_committed_mo_file_matches_the_catalogue():
    """A clean clone needs no msgfmt: django.mo is committed, so it must not lag behind."""
    with open(PO.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for e in read_po(PO):
        if e["msgctxt"] is not None:
            assert compiled.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"][0], e["msgid"]
        elif e["msgid_plural"]:
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0]
            assert compiled.ngettext(e["msgid"], e["msgid_plural"], 5) == e["msgstr"][1]
        else:
            assert compiled.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]


def test_makemessages_finds_nothing_left_to_translate(tmp_path, monkeypatch):
    """Every string marked in the code has a French translation in the committed catalogue.

    makemessages runs on a copy of the project, so the real catalogue is never rewritten.
    """
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true but GNU gettext (xgettext, msgmerge) is missing: apt-get install gettext"
            )
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed: apt-get install gettext")
    copy = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            *IGNORED,
            "static",
            "docs",
            "artifacts",
            ".*cache",
            ".hypothesis",
            "*.sqlite3",
            "__pycache__",
        ),
    )
    monkeypatch.chdir(copy)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
    call_command("makemessages", locale=["fr"], ignore_patterns=IGNORED, verbosity=0)
    new = untranslated(read_po(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert new == [], "run makemessages -l fr and translate these"


# Pages.


def test_it_speaks_english_without_a_preference(client):
    r = client.get("/")
    assert r.status_code == 200
    assert '<html lang="en">' in r.content.decode()
    assert "Join a monitor" in r.content.decode()


def test_it_falls_back_to_english_for_other_languages(client):
    r = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert '<html lang="en">' in r.content.decode()
    assert "Join a monitor" in r.content.decode()


def test_the_join_page_follows_the_browser(client):
    r = client.get("/", **FR)
    page = r.content.decode()
    assert '<html lang="fr">' in page
    assert "Rejoindre un scope" in page
    assert "Saisissez le code à 6 caractères donné par votre formateur." in page
    assert "Code d&#x27;accès" in page


def test_a_wrong_code_is_refused_in_french(client):
    r = client.post(reverse("sessions:join"), {"code": "ZZZ999"}, **FR)
    assert r.status_code == 404
    assert "Aucune séance avec ce code." in r.content.decode()


def test_django_form_errors_are_in_french(client):
    r = client.post(reverse("sessions:join"), {"code": ""}, **FR)
    assert r.status_code == 400
    assert "Ce champ est obligatoire." in r.content.decode()


def test_the_login_page_is_in_french(client, alice):
    r = client.get(reverse("login"), **FR)
    page = r.content.decode()
    assert "Connexion formateur" in page
    assert "Adresse e-mail" in page
    assert "Mot de passe" in page
    r = client.post(reverse("login"), {"username": alice.email, "password": "wrong"}, **FR)
    assert "mot de passe valides" in r.content.decode()


def test_the_session_list_is_in_french(alice_client, alice_session):
    r = alice_client.get(reverse("sessions:list"), **FR)
    page = r.content.decode()
    assert "Mes séances" in page
    assert "Nouvelle séance" in page
    assert ">ouverte<" in page


def test_the_control_page_is_in_french(alice_client, alice_session):
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]), **FR)
    page = r.content.decode()
    assert r.status_code == 200
    assert "Envoyer aux scopes" in page
    assert "Fréquence cardiaque" in page
    assert "Rythme sinusal" in page
    assert "Arrêt cardiaque" in page


def test_a_vitals_error_is_in_french(alice_client, alice_session):
    post = {**VALID_POST, "heart_rate": "vite", "transition_seconds": "0"}
    r = alice_client.post(reverse("sessions:action", args=[alice_session.pk, "set_vitals"]), post, **FR)
    assert r.status_code == 400
    assert f"Fréquence cardiaque{NBSP}: saisissez un nombre entier." in r.content.decode()


def test_the_same_error_is_in_english_for_an_english_browser(alice_client, alice_session):
    # The form's messages are built at import: they must still follow each request's language.
    alice_client.get("/", **FR)
    post = {**VALID_POST, "heart_rate": "vite", "transition_seconds": "0"}
    r = alice_client.post(reverse("sessions:action", args=[alice_session.pk, "set_vitals"]), post)
    assert "Heart rate must be a whole number." in r.content.decode()


def test_the_monitor_page_is_in_french(client, alice_session):
    r = client.get(reverse("sessions:monitor", args=[alice_session.code]), **FR)
    page = r.content.decode()
    assert r.status_code == 200
    assert '<html lang="fr">' in page
    assert "En attente du formateur…" in page
    assert "Plein écran" in page
    # What the script says comes with the page, in its language (sessions_app/page_text.py).
    said = json.loads(re.search(r'id="page-text"[^>]*>(.*?)</script>', page).group(1))
    assert said["closed"] == "Le formateur a clôturé la séance."
    assert said["high"] == "%(name)s élevée" and said["names"]["heart_rate"] == "FC"


def test_an_ended_session_is_announced_in_french(client, alice):
    session = make_session(alice, closed_at=None, minutes=-1)
    r = client.get(reverse("sessions:monitor", args=[session.code]), **FR)
    assert r.status_code == 410
    assert "Séance terminée" in r.content.decode()


def test_a_missing_page_is_in_french(client):
    r = client.get("/no-such-page/", **FR)
    assert r.status_code == 404
    assert "Page introuvable" in r.content.decode()


def test_the_throttle_message_has_french_plurals():
    with translation.override("fr"):
        assert "réessayez dans 1 minute." in render_to_string("throttled.html", {"minutes": 1})
        assert "réessayez dans 5 minutes." in render_to_string("throttled.html", {"minutes": 5})


# The switcher.


def test_the_footer_has_a_language_switcher_without_script(client):
    r = client.get("/", **FR)
    page = r.content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page
    assert "<script" not in page
    assert " on" + "change=" not in page


def test_the_switcher_sets_the_language(client):
    r = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert r.status_code == 302
    assert r["Location"] == "/"
    r = client.get("/")
    assert '<html lang="fr">' in r.content.decode()
    assert "Rejoindre un scope" in r.content.decode()


def test_the_switcher_wins_over_the_browser(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    r = client.get("/", **FR)
    assert "Join a monitor" in r.content.decode()


# The control socket.


@pytest.mark.django_db(transaction=True)
async def test_the_control_socket_answers_in_the_pages_language(alice):
    session = await sync_to_async(make_session)(alice)
    cookie = await sync_to_async(session_cookie)(alice)
    headers = [HOST, ORIGIN, (b"cookie", cookie), (b"accept-language", b"fr-FR,fr;q=0.9")]
    c = WebsocketCommunicator(application, f"/ws/control/{session.pk}/", headers=headers)
    connected, _code = await c.connect()
    assert connected
    await c.send_to(text_data="{not json")
    while (message := json.loads(await c.receive_from(timeout=TIMEOUT)))["type"] != "error":
        pass
    assert message["errors"] == {"message": "JSON mal formé."}
    await c.send_to(text_data=json.dumps({"type": "set_vitals", "values": {"heart_rate": 400}}))
    while (message := json.loads(await c.receive_from(timeout=TIMEOUT)))["type"] != "error":
        pass
    assert message["errors"]["heart_rate"] == (
        f"Fréquence cardiaque{NBSP}: la valeur doit être comprise entre 0 et 300."
    )
    await c.disconnect()


# The shipped scenario templates: stored in English, shown in the page's language.

SEPTIC_NOTE_EN = (
    "Sepsis: fever, tachycardia, tachypnoea, warm peripheries. Expect ABCDE, oxygen, blood "
    "cultures, lactate, antibiotics within the hour and a 500 mL crystalloid bolus."
)
SEPTIC_NOTE_FR = f"Sepsis{NBSP}: fièvre, tachycardie, polypnée, extrémités chaudes."
VF_NOTE_FR = "administrer 1 mg d&#x27;adrénaline IV et 300 mg d&#x27;amiodarone IV"


def _shipped(name):
    return SessionTemplate.objects.get(trainer=None, name=name)


def _own_template_in_english(trainer):
    """A trainer's template whose name and note are, word for word, catalogue entries."""
    return save_template(
        trainer,
        "Septic shock",
        "Anaphylaxis",
        [StepData(vitals.DEFAULT_VALUES, 0, SEPTIC_NOTE_EN)],
    )


def test_the_template_list_shows_the_shipped_templates_in_french(alice_client):
    r = alice_client.get(reverse("library:list"), **FR)
    page = r.content.decode()
    assert r.status_code == 200
    assert "Modèles de scénario" in page
    french = [
        "Anaphylaxie",
        "Arrêt cardiaque sur fibrillation ventriculaire",
        "Choc hémorragique",
        "Choc septique",
        "Surdosage en opioïdes",
    ]
    positions = [page.index(f">{name}</a>") for name in french]
    assert positions == sorted(positions)  # in French alphabetical order
    assert "qui devient hypotendu malgré le remplissage" in page
    assert "Septic shock" not in page
    assert "becomes hypotensive" not in page


def test_a_shipped_template_page_is_in_french(alice_client):
    r = alice_client.get(reverse("library:detail", args=[_shipped("Septic shock").pk]), **FR)
    page = r.content.decode()
    assert "<h1>Choc septique</h1>" in page
    assert "<title>Choc septique · Shiller</title>" in page
    assert SEPTIC_NOTE_FR in page
    assert "Expect ABCDE" not in page
    r = alice_client.get(
        reverse("library:detail", args=[_shipped("Ventricular fibrillation arrest").pk]), **FR
    )
    assert VF_NOTE_FR in r.content.decode()


def test_an_english_browser_still_sees_the_shipped_templates_in_english(alice_client):
    alice_client.get("/", **FR)  # a French page before must not leave its language behind
    page = alice_client.get(reverse("library:list")).content.decode()
    assert ">Septic shock</a>" in page and "Choc septique" not in page
    shipped = _shipped("Septic shock")
    page = alice_client.get(reverse("library:detail", args=[shipped.pk])).content.decode()
    assert "<h1>Septic shock</h1>" in page
    assert "Sepsis: fever, tachycardia" in page


def test_duplicating_a_shipped_template_in_french_gives_a_french_copy(alice_client, alice):
    shipped = _shipped("Septic shock")
    r = alice_client.post(reverse("library:duplicate", args=[shipped.pk]), **FR)
    assert r.status_code == 302
    copy = SessionTemplate.objects.get(trainer=alice)
    assert copy.name == "Copie de Choc septique"
    assert copy.description.startswith("Patient de 68 ans atteint d'une pneumopathie")
    notes = [step.note for step in copy.steps.all()]
    assert notes[0].startswith(SEPTIC_NOTE_FR)
    assert len(notes) == shipped.steps.count() and all(notes)
    assert not any("Expect" in note for note in notes)
    # The copy is the trainer's own text now: an English page shows it as written.
    page = alice_client.get(reverse("library:detail", args=[copy.pk])).content.decode()
    assert "Copie de Choc septique" in page and SEPTIC_NOTE_FR in page
    shipped.refresh_from_db()
    assert shipped.name == "Septic shock"  # the shipped template is untouched


def test_duplicating_in_english_gives_an_english_copy(alice_client, alice):
    alice_client.post(reverse("library:duplicate", args=[_shipped("Anaphylaxis").pk]))
    copy = SessionTemplate.objects.get(trainer=alice)
    assert copy.name == "Copy of Anaphylaxis"
    assert copy.steps.first().note.startswith("Baseline: the antibiotic infusion")


def test_a_trainers_own_template_is_never_translated(alice_client, alice):
    own = _own_template_in_english(alice)
    page = alice_client.get(reverse("library:list"), **FR).content.decode()
    assert f'<a href="{reverse("library:detail", args=[own.pk])}">Septic shock</a>' in page
    page = alice_client.get(reverse("library:detail", args=[own.pk]), **FR).content.decode()
    assert "<h1>Septic shock</h1>" in page
    assert "<p>Anaphylaxis</p>" in page
    assert "Sepsis: fever, tachycardia" in page and SEPTIC_NOTE_FR not in page
    # Duplicated in French, it stays in English but for the "Copy of" the page adds.
    alice_client.post(reverse("library:duplicate", args=[own.pk]), **FR)
    copy = SessionTemplate.objects.get(trainer=alice, name="Copie de Septic shock")
    assert copy.description == "Anaphylaxis"
    assert copy.steps.get().note == SEPTIC_NOTE_EN


def test_the_new_session_form_offers_the_shipped_templates_in_french(alice_client, alice):
    own = _own_template_in_english(alice)
    page = alice_client.get(reverse("sessions:new"), **FR).content.decode()
    assert f'<option value="{_shipped("Septic shock").pk}">Choc septique</option>' in page
    assert f'<option value="{own.pk}">Septic shock</option>' in page
    assert "Aucun\u00a0: je règle les valeurs moi-même" in page


def test_the_control_page_shows_a_shipped_scenarios_notes_in_french(alice_client, alice):
    session = scenarios.start_session(alice, "Alex", 60, _shipped("Septic shock"))
    assert session.steps[0]["note"] == SEPTIC_NOTE_EN  # the snapshot stays as stored
    page = alice_client.get(reverse("sessions:control", args=[session.pk]), **FR).content.decode()
    assert f"Scénario{NBSP}: Choc septique" in page
    assert SEPTIC_NOTE_FR in page
    assert "Expect ABCDE" not in page
    page = alice_client.get(reverse("sessions:control", args=[session.pk])).content.decode()
    assert "Scenario: Septic shock" in page and "Sepsis: fever, tachycardia" in page


def test_the_control_page_leaves_an_own_scenarios_notes_as_written(alice_client, alice):
    session = scenarios.start_session(alice, "Alex", 60, _own_template_in_english(alice))
    page = alice_client.get(reverse("sessions:control", args=[session.pk]), **FR).content.decode()
    assert f"Scénario{NBSP}: Septic shock" in page
    assert "Sepsis: fever, tachycardia" in page and SEPTIC_NOTE_FR not in page


def test_an_empty_shipped_text_is_not_the_catalogue_header():
    with translation.override("fr"):
        assert SessionTemplate(trainer=None, name="Septic shock").display_description == ""
        assert SessionTemplate(trainer=None, name="Septic shock").display_name == "Choc septique"


def test_no_gettext_call_hides_inside_an_f_string():
    # xgettext cannot read a gettext call inside an f-string: it would drop out of the catalogue.
    base = Path(settings.BASE_DIR)
    hidden = [
        f"{path.relative_to(base)}:{number}"
        for app in ("shiller", "trainers", "sessions_app", "library", "live", "simulator")
        for path in (base / app).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"""\bf["'].*\{\s*_\(""", line)
    ]
    assert hidden == []


def test_in_french_the_summary_names_the_disconnected_sensors(alice_client, alice):
    flags = {**vitals.DEFAULT_VALUES["flags"], "hidden": ["etco2"]}
    session = make_session(alice, last_values={**vitals.DEFAULT_VALUES, "flags": flags})
    url = reverse("sessions:control", args=[session.pk])
    body = alice_client.get(url, **FR).content.decode()
    assert "non branchés : EtCO2" in body
