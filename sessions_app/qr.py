"""QR codes of join URLs, drawn on the server, so a tablet joins a session by scanning."""

import segno
from django.utils.safestring import SafeString, mark_safe


def svg(url: str, title: str = "") -> SafeString:
    """`url` as inline SVG: dark on white with its quiet zone (scanners need both), sized by CSS.

    Level M survives a projector's glare or a smudged screen; segno escapes the title.
    """
    code = segno.make(url, error="m")
    return mark_safe(code.svg_inline(svgclass="qr", omitsize=True, light="#fff", title=title))
