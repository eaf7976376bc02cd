"""Request bodies over MAX_REQUEST_BODY_BYTES get a 413 as soon as daphne learns their size.

An ASGI middleware would be too late: Twisted reads a request's whole body (into a temporary
file past 100 kB) before daphne's WebRequest.process runs, and process then queues all of it,
in memory, for the application. So the limit is checked in Twisted's request callbacks: in
gotLength for a Content-Length, which comes with the headers, and in handleContentChunk,
counting, for a chunked body. Over the limit the client gets a 413 and the connection is
closed without reading the rest, as Twisted itself answers a malformed request.

install(), called from shiller/asgi.py, has daphne build LimitedWebRequest instead of its
WebRequest: daphne's HTTPFactory.buildProtocol looks that name up in its module for each
connection (daphne 4.2). Only HTTP/1.1 is covered, the only protocol daphne speaks without TLS.
Under another server, Django's DATA_UPLOAD_MAX_MEMORY_SIZE still refuses large forms, once read;
a proxy in front should refuse them first (nginx: client_max_body_size).
"""

import re
from types import SimpleNamespace

from daphne import http_protocol
from django.conf import settings
from django.http import parse_cookie
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

# The one path that takes more: an image result's upload (settings.MAX_UPLOAD_BODY_BYTES).
UPLOAD_PATH = re.compile(rb"/sessions/[0-9a-f-]{36}/actions/send_image/(\?.*)?")


class LimitedWebRequest(http_protocol.WebRequest):
    refused = False
    received = 0
    limit = None

    def body_limit(self) -> int:
        if self.limit is None:
            # The request line, read before the headers (Twisted's HTTPChannel keeps it there
            # until the request is built).
            path = getattr(self.channel, "_path", b"") or b""
            upload = UPLOAD_PATH.fullmatch(path) is not None
            self.limit = settings.MAX_UPLOAD_BODY_BYTES if upload else settings.MAX_REQUEST_BODY_BYTES
        return self.limit

    def gotLength(self, length):
        if length is not None and length > self.body_limit():
            self.refuse()
        else:
            super().gotLength(length)

    def handleContentChunk(self, data):
        if self.refused:
            return
        self.received += len(data)
        if self.received > self.body_limit():
            self.refuse()
        else:
            super().handleContentChunk(data)

    def requestReceived(self, command, path, version):
        if not self.refused:  # The end of a refused chunked body: nothing to hand to Django.
            super().requestReceived(command, path, version)

    def refuse(self):
        self.refused = True
        # Twisted would answer "Expect: 100-continue" right after this, inviting the body.
        self.requestHeaders.removeHeader(b"expect")
        body = self.message().encode()
        self.channel.transport.write(
            b"HTTP/1.1 413 Content Too Large\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        self.channel.loseConnection()

    def message(self) -> str:
        """In the pages' language: the language cookie, then Accept-Language."""
        page = SimpleNamespace(
            COOKIES=parse_cookie(self.header(b"cookie", b"; ")),
            META={"HTTP_ACCEPT_LANGUAGE": self.header(b"accept-language", b",")},
        )
        with translation.override(translation.get_language_from_request(page)):
            return _("This request is too large: the limit is %(size)s.") % {
                "size": filesizeformat(self.body_limit())
            }

    def header(self, name: bytes, separator: bytes) -> str:
        return separator.join(self.requestHeaders.getRawHeaders(name, [])).decode("latin-1")


def install() -> None:
    http_protocol.WebRequest = LimitedWebRequest
