"""Results sent to the bedside: what is refused (nothing stored), what the screens and the
trainer are served, and over the sockets."""

import io
from csv import reader as csv_reader

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse
from PIL import Image

from live.tests.ws import control, disconnect_all, receive, receive_type, screen, send
from sessions_app import results, services
from sessions_app.models import SessionEvent, SessionResult
from sessions_app.tests.played import read_replay
from shiller.tests.factory import make_session
from simulator.vitals import VitalsError

BOUNDARY = "ShillerBoundary"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a folder of the test's own: what is stored there is what the test sees."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def png(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 200, 200)).save(out, "PNG")
    return out.getvalue()


def undecodable_png() -> bytes:
    """A PNG whose structure verify() accepts, whose image data is not zlib."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 40, 30, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"not zlib at all") + chunk(b"IEND", b"")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def multipart(filename: str, content: bytes, fields: dict | None = None) -> bytes:
    """A body as a browser (or a script) sends it, the file's name exactly as given: Django's
    test client would take any folder out of it."""
    parts = []
    for name, value in (fields or {}).items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image-image"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def upload(client, session, filename="xray.png", content=None, json=True, **fields):
    body = multipart(filename, png() if content is None else content, {"image-title": "Chest X-ray", **fields})
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        reverse("sessions:action", args=[session.pk, "send_image"]),
        data=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=headers,
    )


# What a result may hold


def test_a_blood_gas_is_flagged_against_its_reference_ranges():
    clean = results.validate_blood_gas({"values": {"ph": "7,21", "lactate": 4.8, "sodium": "138"}})
    rows = {row["analyte"]: row for row in clean["rows"]}
    assert rows["ph"] == {
        "analyte": "ph", "value": 7.21, "decimals": 2, "unit": "", "low": 7.35, "high": 7.45, "flag": "L",
    }  # fmt: skip
    assert rows["lactate"]["flag"] == "H" and rows["lactate"]["unit"] == "mmol/L"
    assert rows["sodium"]["value"] == 138 and rows["sodium"]["flag"] == ""
    # The analyser's order, whatever order they were given in.
    assert [row["analyte"] for row in clean["rows"]] == ["ph", "lactate", "sodium"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"ph": "9.5"}, "ph", "pH must be a number from 6.5 to 8.0."),
        ({"lactate": "lots"}, "lactate", "Lactate must be a number from 0 to 40."),
        ({"ph": True}, "ph", "pH must be a number from 6.5 to 8.0."),
        ({}, "values", "Fill in at least one value of the blood gas."),
        ({"troponin": 4}, "values", "Unknown blood gas values: troponin."),
        # Too large for a float: refused, not a server error.
        ({"ph": 10**400}, "ph", "pH must be a number from 6.5 to 8.0."),
    ],
)
def test_it_refuses_a_blood_gas_it_cannot_print(values, field, message):
    with pytest.raises(VitalsError) as refused:
        results.validate_blood_gas({"values": values})
    assert refused.value.errors[field] == message


def test_a_lab_panel_flags_numbers_and_keeps_text_values():
    clean = results.validate_lab_panel(
        {
            "title": "Bloods",
            "rows": [
                {"name": "Tryptase", "value": "48", "unit": "µg/L", "high": "11.4"},
                {"name": "Blood cultures", "value": "sent"},
                {"name": "", "value": ""},  # an empty row of the form
            ],
        }
    )
    assert [(row["name"], row["value"], row["flag"]) for row in clean["rows"]] == [
        ("Tryptase", 48, "H"),
        ("Blood cultures", "sent", ""),
    ]


def test_a_lab_panel_row_needs_a_name_and_a_value():
    with pytest.raises(VitalsError) as refused:
        results.validate_lab_panel({"rows": [{"name": "CRP"}, {"value": "4"}]})
    assert refused.value.errors == {
        "rows.1.value": "Row 1 needs a value.",
        "rows.2.name": "Row 2 needs a name.",
    }


def test_a_glucose_is_one_reading_in_mmol_per_litre():
    clean = results.validate_glucose({"value": "2,1"})
    assert clean["rows"][0]["value"] == 2.1 and clean["rows"][0]["flag"] == "L"
    with pytest.raises(VitalsError) as refused:
        results.validate_glucose({"value": ""})
    assert refused.value.errors == {"value": "Give the glucose in mmol/L."}


# Uploads: refused with a clear error, nothing stored


@pytest.mark.django_db
def test_an_image_is_stored_under_a_name_of_ours_and_shown_to_the_screens(alice_client, alice_session, media):
    r = upload(alice_client, alice_session, filename="patient smith.png")
    assert r.status_code == 200
    assert r.json()["message"] == "Image sent to the monitors."
    result = SessionResult.objects.get()
    assert result.content_type == "image/png" and result.title == "Chest X-ray"
    # Never the client's name.
    assert "smith" not in result.image.name
    assert result.image.name.startswith(f"results/{alice_session.pk}/")
    assert [path.name for path in stored_files(media)] == [result.image.name.rsplit("/", 1)[1]]
    event = SessionEvent.objects.get(kind=SessionEvent.RESULT)
    assert event.message()["type"] == "result" and event.message()["result"] == str(result.pk)


@pytest.mark.django_db
def test_a_jpeg_is_taken_too(alice_client, alice_session):
    r = upload(alice_client, alice_session, filename="ecg.jpg", content=jpeg())
    assert r.status_code == 200
    assert SessionResult.objects.get().content_type == "image/jpeg"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<?php echo 'hello'; ?>", "This file is not a PNG or JPEG image."),
        # The right first bytes, and nothing of an image after them.
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "This file is not a PNG or JPEG image."),
        (b"GIF89a" + png()[6:], "This file is not a PNG or JPEG image."),
        (png()[:60], "This file is not a PNG or JPEG image."),
        # Sound chunks and checksums around data that does not decode.
        (undecodable_png(), "This file is not a PNG or JPEG image."),
    ],
)
def test_it_refuses_a_file_that_is_not_an_image(alice_client, alice_session, media, content, message):
    r = upload(alice_client, alice_session, content=content)
    assert r.status_code == 400
    assert r.json()["errors"] == {"image": message}
    assert not SessionResult.objects.exists() and not SessionEvent.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_it_refuses_an_image_over_5_mb(alice_client, alice_session, media):
    content = png() + b"\x00" * (results.IMAGE_MAX_BYTES + 1 - len(png()))
    r = upload(alice_client, alice_session, content=content)
    assert r.status_code == 400
    assert r.json()["errors"] == {
        "image": "This file is larger than 5.0\xa0MB: send a smaller image (a lower resolution)."
    }
    assert not SessionResult.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["../x.png", "a/b.png", "C:\\\\x.png", "..", "../"])
def test_it_refuses_a_file_name_with_a_folder(alice_client, alice_session, media, filename):
    r = upload(alice_client, alice_session, filename=filename)
    assert r.status_code == 400
    assert r.json()["errors"] == {
        "image": "The file name must not contain a folder (“/” or “\\”): rename the file and try again."
    }
    assert not SessionResult.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_without_javascript_a_refused_upload_shows_the_form_with_its_error(alice_client, alice_session):
    r = upload(alice_client, alice_session, content=b"not an image", json=False)
    assert r.status_code == 400
    assert "This file is not a PNG or JPEG image." in r.content.decode()
    r = upload(alice_client, alice_session, json=False)
    assert r.status_code == 302
    assert not SessionResult.objects.filter(title="").exists()


@pytest.mark.django_db
def test_another_trainer_cannot_send_an_image_to_alices_session(bob_client, alice_session, media):
    r = upload(bob_client, alice_session)
    assert r.status_code == 404
    assert stored_files(media) == []


@pytest.mark.django_db
def test_an_ended_session_takes_no_image(alice_client, alice_session, media):
    services.close_session(alice_session)
    r = upload(alice_client, alice_session)
    assert r.status_code == 400
    assert r.json()["ended"] == "closed"
    assert stored_files(media) == []


# Serving: the session's screens while it is open, its trainer always


def send_gas(session, **values):
    return services.send_result(session.pk, results.validate_blood_gas({"values": values}))[1]


@pytest.mark.django_db
def test_a_screen_gets_the_card_in_its_language(client, alice_session):
    result = send_gas(alice_session, ph="7.21", lactate="4.8")
    url = reverse("sessions:monitor_result", args=[alice_session.code, result.pk])
    r = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    body = r.content.decode()
    assert r.status_code == 200
    assert "private" in r["Cache-Control"] and "Accept-Language" in r["Vary"]
    assert "Gazométrie" in body and "7,21" in body and "7,35–7,45" in body
    assert 'title="Sous les valeurs de référence">B<' in body
    assert "Lactates" in body and 'title="Au-dessus des valeurs de référence">H<' in body
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Blood gas" in body and "7.21" in body and ">L<" in body


@pytest.mark.django_db
def test_an_image_is_served_with_its_type_privately(client, alice_client, alice_session):
    upload(alice_client, alice_session)
    result = SessionResult.objects.get()
    client.logout()
    r = client.get(reverse("sessions:monitor_result_image", args=[alice_session.code, result.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "image/png"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "private, max-age=3600"
    # The same picture, saved again without its metadata.
    from PIL import Image, ImageChops

    with Image.open(io.BytesIO(b"".join(r.streaming_content))) as served, Image.open(io.BytesIO(png())) as sent:
        assert served.format == "PNG" and not ImageChops.difference(served.convert("RGB"), sent.convert("RGB")).getbbox()


@pytest.mark.django_db
def test_other_sessions_codes_and_ended_sessions_get_404(client, alice, alice_session):
    result = send_gas(alice_session, ph="7.3")
    other = make_session(alice, code="XYZ789")
    for name in ("sessions:monitor_result", "sessions:monitor_result_image"):
        assert client.get(reverse(name, args=[other.code, result.pk])).status_code == 404
        assert client.get(reverse(name, args=["NOCODE", result.pk])).status_code == 404
    services.close_session(alice_session)
    r = client.get(reverse("sessions:monitor_result", args=[alice_session.code, result.pk]))
    assert r.status_code == 404


@pytest.mark.django_db
def test_the_trainer_sees_the_results_after_the_end_and_bob_never(alice_client, alice_session, bob):
    result = send_gas(alice_session, ph="7.3")
    services.close_session(alice_session)
    url = reverse("sessions:result", args=[alice_session.pk, result.pk])
    assert alice_client.get(url).status_code == 200
    alice_client.force_login(bob)
    assert alice_client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_control_page_lists_the_results_sent_with_their_cards(alice_client, alice_session):
    send_gas(alice_session, lactate="4.8")
    body = alice_client.get(reverse("sessions:control", args=[alice_session.pk])).content.decode()
    assert 'id="results-card"' in body and 'id="blood-gas-form"' in body
    assert "</time> Blood gas</summary>" in body and "4.8" in body


@pytest.mark.django_db
def test_without_javascript_a_blood_gas_is_posted_and_a_mistake_shown(alice_client, alice_session):
    url = reverse("sessions:action", args=[alice_session.pk, "send_blood_gas"])
    r = alice_client.post(url, {"gas-ph": "9", "gas-lactate": "4.8"})
    assert r.status_code == 400
    assert "pH must be a number from 6.5 to 8.0." in r.content.decode()
    r = alice_client.post(url, {"gas-ph": "7.21", "gas-title": "ABG on 15 L"})
    assert r.status_code == 302
    assert SessionResult.objects.get().title == "ABG on 15 L"


@pytest.mark.django_db
def test_the_snapshot_lists_earlier_results(alice_session):
    result = send_gas(alice_session, ph="7.3")
    state = services.monitor_state(alice_session)
    assert state["results"] == [{**result.summary(), "label": "Blood gas"}]


# Over the sockets


@pytest.mark.django_db(transaction=True)
async def test_a_blood_gas_from_the_control_socket_reaches_every_screen(alice):
    session = await sync_to_async(make_session)(alice)
    trainer, bedside = await control(session, alice), screen(session.code)
    await trainer.connect()
    await bedside.connect()
    await receive(bedside)  # the snapshot
    message = {"type": "send_blood_gas", "request_id": 1, "values": {"ph": 7.1}, "title": "ABG"}
    await send(trainer, message)
    ack = await receive_type(trainer, "ack")
    assert ack["message"] == "Blood gas sent to the monitors."
    broadcast = await receive_type(bedside, "result")
    assert broadcast["result"] == ack["result"]
    assert broadcast["kind"] == "blood_gas" and broadcast["title"] == "ABG"
    relayed = await receive_type(trainer, "result")
    assert "Result sent" in relayed["html"]["event_row"]
    assert 'data-result="%s"' % ack["result"] in relayed["html"]["result_item"]
    await send(trainer, {"type": "send_lab_panel", "request_id": 2, "rows": [{"name": "CRP"}]})
    error = await receive_type(trainer, "error")
    assert error["errors"] == {"rows.1.value": "Row 1 needs a value."}
    await disconnect_all(trainer, bedside)


# The record: admin, debrief, CSV, replay


@pytest.mark.django_db
def test_the_admin_shows_results_read_only(staff_client, alice_session):
    result = send_gas(alice_session, lactate="4.8")
    r = staff_client.get(reverse("admin:sessions_app_sessionresult_change", args=[result.pk]))
    assert r.status_code == 200 and "lactate" in r.content.decode()
    assert 'name="title"' not in r.content.decode()
    r = staff_client.get(reverse("admin:sessions_app_session_change", args=[alice_session.pk]))
    assert r.status_code == 200 and "Blood gas" in r.content.decode()
    assert staff_client.post(reverse("admin:sessions_app_sessionresult_delete", args=[result.pk])).status_code == 403


@pytest.mark.django_db
def test_the_debrief_the_csv_and_the_replay_carry_the_results(alice_client, alice_session):
    result = send_gas(alice_session, ph="7.21", lactate="4.8")
    body = alice_client.get(reverse("sessions:debrief", args=[alice_session.pk])).content.decode()
    assert "Result sent" in body and 'class="result-card"' in body and "7.21" in body
    csv = alice_client.get(reverse("sessions:export", args=[alice_session.pk])).getvalue().decode()
    row = csv.splitlines()[1].split(",")
    assert row[2] == "result"
    assert row[-4:] == ["blood_gas", "", "ph 7.21 L; lactate 4.8 mmol/L H", "Shiller (automatic)"]
    french = alice_client.get(
        reverse("sessions:export", args=[alice_session.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).getvalue().decode("utf-8-sig")
    # Names in French, numbers as machines read them.
    french_rows = list(csv_reader(io.StringIO(french), delimiter=";"))
    assert french_rows[1][-4:-1] == ["Gazométrie", "", "pH 7.21 B; Lactates 4.8 mmol/L H"]
    replay = read_replay(alice_client.get(reverse("sessions:replay_json", args=[alice_session.pk])))
    played = [message for message in replay["messages"] if message["type"] == "result"]
    assert [message["result"] for message in played] == [str(result.pk)]
    page = alice_client.get(reverse("sessions:replay", args=[alice_session.pk])).content.decode()
    assert f'data-results-url="/sessions/{alice_session.pk}/results/"' in page


@pytest.mark.django_db
def test_a_photos_place_and_time_do_not_reach_the_screens(alice_client, alice_session, media):
    from PIL import Image

    photo = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPSInfo: a latitude
    exif[0x0132] = "2026:12:02 07:30:00"  # DateTime
    exif[0x0112] = 6  # Orientation: turned a quarter, as a phone held upright says
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif)
    r = upload(alice_client, alice_session, filename="ecg.jpg", content=out.getvalue())
    assert r.status_code == 200
    stored = SessionResult.objects.get()
    with stored.image.open("rb") as served, Image.open(served) as image:
        assert not image.getexif()
        # Upright, as the camera said: 30 wide, 40 high.
        assert image.size == (30, 40)
