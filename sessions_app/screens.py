"""Which trainee screen is which: what the control page lists for each connected screen.

A screen is described once, when its socket opens, from the name the trainee typed on the join
page (if any) and its browser's User-Agent; the control page renders the description in its
own language.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

SCREEN_NAME_MAX = 40

# Most specific first: an iPad's UA says "Macintosh" since iPadOS 13 when it asks for the
# desktop site, and then only its touch support tells (the page cannot know it server-side).
DEVICES = (
    ("tv", re.compile(r"SMART-TV|SmartTV|Tizen|Web0S|webOS|BRAVIA|AFT[A-Z]|CrKey|GoogleTV", re.I)),
    ("ipad", re.compile(r"iPad")),
    ("iphone", re.compile(r"iPhone|iPod")),
    ("android_phone", re.compile(r"Android.*Mobile")),
    ("android_tablet", re.compile(r"Android")),
    ("chromebook", re.compile(r"CrOS")),
    ("windows", re.compile(r"Windows")),
    ("mac", re.compile(r"Macintosh|Mac OS X")),
    ("linux", re.compile(r"Linux|X11")),
)
DEVICE_LABELS = {
    "tv": _("TV"),
    "ipad": _("iPad"),
    "iphone": _("iPhone"),
    "android_phone": _("Android phone"),
    "android_tablet": _("Android tablet"),
    "chromebook": _("Chromebook"),
    "windows": _("Windows computer"),
    "mac": _("Mac"),
    "linux": _("Linux computer"),
    "other": _("Screen"),
}
# Chromium-based browsers name themselves before "Chrome/"; Safari is what is left with "Safari/".
BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)


def device(user_agent: str) -> str:
    return next((name for name, pattern in DEVICES if pattern.search(user_agent)), "other")


def browser(user_agent: str) -> str:
    return next((name for name, pattern in BROWSERS if pattern.search(user_agent)), "")


def clean_name(name: str) -> str:
    """A typed screen name as shown to the trainer: one line, no control characters."""
    # A line break or a tab separates words; invisible format characters go.
    printable = "".join(
        " " if unicodedata.category(c) == "Cc" else c
        for c in name
        if not unicodedata.category(c).startswith("C") or unicodedata.category(c) == "Cc"
    )
    return " ".join(printable.split())[:SCREEN_NAME_MAX]


def describe(user_agent: str, name: str = "") -> dict:
    """What the control page needs to tell this screen from the others (JSON-safe)."""
    user_agent = user_agent[:512]
    return {"name": clean_name(name), "device": device(user_agent), "browser": browser(user_agent)}


def label(screen: dict) -> str:
    """"Bed 3 (iPad · Safari)", or "iPad · Safari" when the trainee typed no name."""
    kind = str(DEVICE_LABELS.get(screen.get("device"), DEVICE_LABELS["other"]))
    described = " · ".join(part for part in (kind, screen.get("browser")) if part)
    name = screen.get("name")
    return f"{name} ({described})" if name else described
