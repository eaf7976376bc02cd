"""Results the trainer sends to the bedside: what each kind may hold, and the checks it passes.

A result is a kind (a blood gas, a lab panel, a point-of-care glucose, an image), an optional
title, rows and a comment. A row is stored as machine data, never localised:
  {"analyte": "lactate" | absent, "name": "Tryptase", "value": 4.8 | "positive",
   "decimals": 1, "unit": "mmol/L", "low": 0.5 | None, "high": 2.0 | None, "flag": "H" | "L" | ""}
A blood gas's and a glucose's rows name a catalogued analyte (its label is translated when shown);
a lab panel's rows carry the trainer's own name. Every check raises VitalsError with field
errors (actions.run turns it into the one refusal), so nothing is stored when any part is wrong.
"""

import io
import math
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from simulator.vitals import VitalsError

BLOOD_GAS = "blood_gas"
LAB_PANEL = "lab_panel"
GLUCOSE = "glucose"
IMAGE = "image"
KINDS = {
    BLOOD_GAS: gettext_lazy("Blood gas"),
    LAB_PANEL: gettext_lazy("Lab results"),
    GLUCOSE: gettext_lazy("Capillary glucose"),
    IMAGE: gettext_lazy("Image"),
}
TEXT_KINDS = (BLOOD_GAS, LAB_PANEL, GLUCOSE)

TITLE_MAX = 100
COMMENT_MAX = 1000
ROWS_MAX = 20
NAME_MAX = 60
UNIT_MAX = 20
TEXT_VALUE_MAX = 40


class Analyte:
    def __init__(self, label, unit, low, high, decimals, plausible):
        self.label, self.unit, self.low, self.high = label, unit, low, high
        self.decimals, self.plausible = decimals, plausible


# An adult's arterial blood gas, in the units a blood gas analyser prints: gases in mmHg, the
# unit the monitor's EtCO2 is in (many French and American labs print mmHg; UK ones kPa), the
# rest in SI units (mmol/L, Hb in g/L), the same in French. Reference ranges: RCEM Learning,
# "Normal ABG values" (pH 7.35-7.45, pCO2 35-45 and pO2 80-100 mmHg on room air, base excess
# -2 to +2 mmol/L); Oxford Handbook of Clinical Medicine, tables 2.1-2.2 (HCO3 22-26 arterial
# as RCEM, lactate 0.5-2.0, Na 135-145, K 3.5-5.0 mmol/L); Medical Council of Canada,
# "Clinical laboratory tests, normal values" (Hb 123-157 g/L female, 130-170 male: one range,
# 123-170, for a patient the simulator gives no sex). Glucose: below 3.9 mmol/L is
# hypoglycaemia (ADA, Standards of Care 2024, level 1), above 7.8 a random value is high
# (WHO: 7.8 mmol/L at 2 hours). `plausible`: what an analyser can print, to catch typos.
ANALYTES = {
    "ph": Analyte(gettext_lazy("pH"), "", 7.35, 7.45, 2, (6.5, 8.0)),
    "pco2": Analyte(gettext_lazy("pCO2"), "mmHg", 35, 45, 0, (5, 250)),
    "po2": Analyte(gettext_lazy("pO2"), "mmHg", 80, 100, 0, (5, 700)),
    "hco3": Analyte(gettext_lazy("HCO3"), "mmol/L", 22, 26, 1, (1, 60)),
    "base_excess": Analyte(gettext_lazy("Base excess"), "mmol/L", -2, 2, 1, (-40, 40)),
    "lactate": Analyte(gettext_lazy("Lactate"), "mmol/L", 0.5, 2.0, 1, (0, 40)),
    "sodium": Analyte(gettext_lazy("Na"), "mmol/L", 135, 145, 0, (80, 200)),
    "potassium": Analyte(gettext_lazy("K"), "mmol/L", 3.5, 5.0, 1, (1, 12)),
    "glucose": Analyte(gettext_lazy("Glucose"), "mmol/L", 3.9, 7.8, 1, (0.5, 60)),
    "hemoglobin": Analyte(gettext_lazy("Hb"), "g/L", 123, 170, 0, (10, 250)),
}
BLOOD_GAS_ANALYTES = tuple(ANALYTES)
FLAGS = {
    "H": pgettext_lazy("result flag", "H"),
    "L": pgettext_lazy("result flag", "L"),
}
FLAG_TITLES = {
    "H": gettext_lazy("Above the reference range"),
    "L": gettext_lazy("Below the reference range"),
}

# An upload: PNG or JPEG (recognised by their first bytes and decoded by Pillow, whatever the
# name or the browser says), at most IMAGE_MAX_BYTES, at most IMAGE_MAX_PIXELS (a small file can
# decode to gigabytes: a "decompression bomb").
IMAGE_MAX_BYTES = settings.RESULT_IMAGE_MAX_BYTES
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}
_NUMBER = re.compile(r"[+-]?\d{1,7}(?:\.(\d{1,4}))?", re.ASCII)


def flag(value, low, high) -> str:
    if not isinstance(value, int | float):
        return ""
    if high is not None and value > high:
        return "H"
    if low is not None and value < low:
        return "L"
    return ""


MAX_INTEGER = 10**15


def parse_number(raw) -> tuple[float, int] | None:
    """(value, decimals as typed) from a JSON number or a text ("7.21", "7,21", "−2"); None when
    it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        # An integer of 400 digits is no lab value, and too large for a float.
        if isinstance(raw, int) and abs(raw) > MAX_INTEGER or not math.isfinite(raw):
            return None
        raw = repr(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip().replace(",", ".").replace("\u2212", "-")
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    return float(text), len(match[1] or "")


def _text(raw, field: str, limit: int, errors: dict, label) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        errors[field] = _("%(field)s must be text.") % {"field": label}
        return ""
    text = raw.strip()
    if len(text) > limit:
        errors[field] = _("%(field)s is %(limit)s characters at most.") % {
            "field": label,
            "limit": limit,
        }
    return text


def _common(payload: dict, errors: dict) -> tuple[str, str]:
    title = _text(payload.get("title"), "title", TITLE_MAX, errors, _("The title"))
    comment = _text(payload.get("comment"), "comment", COMMENT_MAX, errors, _("The comment"))
    return title, comment


def _analyte_row(key: str, raw, errors: dict) -> dict | None:
    analyte = ANALYTES[key]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    parsed = parse_number(raw)
    low, high = analyte.plausible
    if parsed is None or not low <= parsed[0] <= high:
        errors[key] = _("%(field)s must be a number from %(low)s to %(high)s.") % {
            "field": analyte.label,
            # In the page's locale: "de 6,5 à 8,0" in French.
            "low": formats.number_format(low),
            "high": formats.number_format(high),
        }
        return None
    value = round(parsed[0], analyte.decimals)
    if analyte.decimals == 0:
        value = int(value)
    return {
        "analyte": key,
        "value": value,
        "decimals": analyte.decimals,
        "unit": analyte.unit,
        "low": analyte.low,
        "high": analyte.high,
        "flag": flag(value, analyte.low, analyte.high),
    }


def validate_blood_gas(payload: dict) -> dict:
    """{"title", "values": {analyte: number}, "comment"}: at least one analyte."""
    errors = {}
    title, comment = _common(payload, errors)
    values = payload.get("values")
    if not isinstance(values, dict):
        raise VitalsError({"values": _("A blood gas needs its values.")})
    unknown = sorted(set(values) - set(ANALYTES))
    if unknown:
        errors["values"] = _("Unknown blood gas values: %(names)s.") % {"names": ", ".join(unknown)}
    rows = [row for key in ANALYTES if (row := _analyte_row(key, values.get(key), errors))]
    if not rows and not errors:
        errors["values"] = _("Fill in at least one value of the blood gas.")
    if errors:
        raise VitalsError(errors)
    return {"kind": BLOOD_GAS, "title": title, "rows": rows, "comment": comment}


def validate_glucose(payload: dict) -> dict:
    """{"value": mmol/L, "comment"}: one reading of a glucose meter."""
    errors = {}
    title, comment = _common(payload, errors)
    row = _analyte_row("glucose", payload.get("value"), errors)
    if row is None and not errors:
        errors["glucose"] = _("Give the glucose in mmol/L.")
    if errors:
        # The form's field is "value".
        raise VitalsError({("value" if k == "glucose" else k): v for k, v in errors.items()})
    return {"kind": GLUCOSE, "title": title, "rows": [row], "comment": comment}


def _bound(raw, field: str, errors: dict) -> tuple[float | None, int]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, 0
    parsed = parse_number(raw)
    if parsed is None:
        errors[field] = _("A reference limit must be a number.")
        return None, 0
    return parsed


def validate_lab_panel(payload: dict) -> dict:
    """{"title", "rows": [{"name", "value", "unit", "low", "high"}], "comment"}; a row without a
    name and value is left out; a number is flagged against the limits given. A comment without
    rows is a lab's note."""
    errors = {}
    title, comment = _common(payload, errors)
    raw_rows = payload.get("rows")
    if not isinstance(raw_rows, list) or not all(isinstance(row, dict) for row in raw_rows):
        raise VitalsError({"rows": _("A lab panel needs rows of results.")})
    rows = []
    for number, raw in enumerate(raw_rows, start=1):
        prefix = f"rows.{number}"
        name = _text(raw.get("name"), f"{prefix}.name", NAME_MAX, errors, _("The name"))
        value = raw.get("value")
        value = value.strip() if isinstance(value, str) else value
        if not name and value in (None, ""):
            continue
        if not name:
            errors[f"{prefix}.name"] = _("Row %(number)s needs a name.") % {"number": number}
        if value in (None, ""):
            errors[f"{prefix}.value"] = _("Row %(number)s needs a value.") % {"number": number}
            continue
        unit = _text(raw.get("unit"), f"{prefix}.unit", UNIT_MAX, errors, _("The unit"))
        low, low_decimals = _bound(raw.get("low"), f"{prefix}.low", errors)
        high, high_decimals = _bound(raw.get("high"), f"{prefix}.high", errors)
        if low is not None and high is not None and low > high:
            errors[f"{prefix}.low"] = _("The low limit is above the high one.")
        parsed = parse_number(value)
        if parsed is not None:
            value, decimals = parsed
            value = int(value) if decimals == 0 else value
        else:
            value = _text(value, f"{prefix}.value", TEXT_VALUE_MAX, errors, _("A value"))
            decimals = 0
        rows.append(
            {
                "name": name,
                "value": value,
                "decimals": decimals,
                "unit": unit,
                "low": low,
                "high": high,
                # The limits print with as many decimals as the value, or as typed.
                "range_decimals": max(low_decimals, high_decimals),
                "flag": flag(value, low, high),
            }
        )
    if len(rows) > ROWS_MAX:
        errors["rows"] = _("A lab panel has %(limit)s rows at most.") % {"limit": ROWS_MAX}
    # A lab's comment alone is a result too ("tryptase sent, result in an hour").
    if not rows and not comment and not errors:
        errors["rows"] = _("Fill in at least one row (a name and a value) or a comment.")
    if errors:
        raise VitalsError(errors)
    return {"kind": LAB_PANEL, "title": title, "rows": rows, "comment": comment}


def validate_image(payload: dict) -> dict:
    """{"title", "image": an uploaded file, "comment"}: the file is read, never stored here.

    Returns the clean result with "content_type" and "extension" taken from the decoded image."""
    errors = {}
    title, comment = _common(payload, errors)
    upload = payload.get("image")
    # The names as the browser sent them (uploads.py), before Django took any folder out.
    names = payload.get("raw_names") or ([upload.name] if upload is not None else [])
    if any(raw_name_has_path(name) for name in names):
        errors["image"] = _(
            "The file name must not contain a folder (“/” or “\\”): rename the file and try again."
        )
    elif upload is None:
        errors["image"] = _("Choose an image: a PNG or JPEG file.")
    elif upload.size > IMAGE_MAX_BYTES:
        errors["image"] = _(
            "This file is larger than %(limit)s: send a smaller image (a lower resolution)."
        ) % {"limit": filesizeformat(IMAGE_MAX_BYTES)}
    else:
        detected = image_format(upload)
        if detected is None:
            errors["image"] = _("This file is not a PNG or JPEG image.")
    if errors:
        raise VitalsError(errors)
    content_type, extension = detected
    return {
        "kind": IMAGE,
        "title": title,
        "rows": [],
        "comment": comment,
        "image": without_metadata(upload),
        "content_type": content_type,
        "extension": extension,
    }


# A photo re-encoded without its metadata keeps this JPEG quality: no loss a trainee can see.
JPEG_QUALITY = 92


def without_metadata(upload) -> ContentFile:
    """The image as the screens get it: turned upright as the camera said (EXIF orientation),
    then saved again without its metadata, so a trainer's phone photo does not hand its place
    and time (EXIF GPS) to every trainee screen."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as image:
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if image.format == "JPEG":
            upright.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            upright.save(out, "PNG", optimize=True)
    upload.seek(0)
    return ContentFile(out.getvalue(), name=upload.name)


def raw_name_has_path(name: str | None) -> bool:
    """A name as the browser sent it, with a folder in it ("../x.png", "a/b.png", "C:\\x.png"):
    browsers send the bare name, so anything else is a script's, and refused."""
    return bool(name) and (
        "/" in name or "\\" in name or name in (".", "..") or re.match(r"[A-Za-z]:", name) is not None
    )


def image_format(upload) -> tuple[str, str] | None:
    """(content type, extension) of a PNG or JPEG that decodes, else None."""
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    head = upload.read(8)
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        return None
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                return None
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                return None
            # verify() checks the file's structure (chunks, checksums); it must decode too,
            # or the screens would get a broken picture (a PNG whose data is not zlib).
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return IMAGE_FORMATS[image.format]


VALIDATORS = {
    BLOOD_GAS: validate_blood_gas,
    LAB_PANEL: validate_lab_panel,
    GLUCOSE: validate_glucose,
    IMAGE: validate_image,
}


def validate(kind: str, payload: dict) -> dict:
    """A text result as a template step carries it, checked as if the trainer sent it now."""
    if kind not in TEXT_KINDS:
        raise VitalsError({"kind": _("Unknown kind of result.")})
    return VALIDATORS[kind](payload)

