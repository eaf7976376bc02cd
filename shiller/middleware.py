from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils import translation
from django.utils.http import is_same_domain


class ContentSecurityPolicyMiddleware:
    """Only the site's own scripts run: no inline script, nothing from another origin."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class WebsocketLocaleMiddleware:
    """A socket speaks the language of the page that opened it.

    Django's LocaleMiddleware only sees HTTP requests; this picks the language the same way
    (the language cookie set by the switcher, then Accept-Language, then LANGUAGE_CODE) and
    keeps it active for the connection's life, so the control socket's errors are translated.
    Goes inside Channels' CookieMiddleware, which parses the cookies into the scope.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        request = SimpleNamespace(
            COOKIES=scope.get("cookies", {}),
            META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")},
        )
        with translation.override(translation.get_language_from_request(request)):
            return await self.app(scope, receive, send)


async def refuse_websocket(scope, receive, send):
    """Close a socket before accepting it: daphne answers the handshake with a 403."""
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.close"})


class WebsocketOriginMiddleware:
    """A socket opens only from a page of this site, judged as Django's CSRF check judges a POST.

    The Host header must pass ALLOWED_HOSTS (Django's own validation), and the Origin header
    must be the socket's own origin, scheme, host and port alike: http://host for ws://,
    https://host for wss:// (scope["scheme"]; daphne leaves it out, even when it terminates
    TLS itself, and then SERVES_TLS says which). Behind a TLS proxy, X-Forwarded-Proto makes it
    https exactly as SECURE_PROXY_SSL_HEADER makes an HTTP request secure. Origins listed in
    CSRF_TRUSTED_ORIGINS (wildcards included) are accepted too: list the public https origin
    there when nothing sets X-Forwarded-Proto. Settings are read on each connection, not when
    asgi.py is imported. Anything else is refused before it is accepted: a browser sees a 403.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not _origin_allowed(scope):
            return await refuse_websocket(scope, receive, send)
        return await self.app(scope, receive, send)


class _Handshake(HttpRequest):
    """A websocket handshake seen as an HttpRequest, for get_host() and scheme."""

    def __init__(self, scope):
        super().__init__()
        for name, value in scope.get("headers", []):
            key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
            value = value.decode("latin-1")
            self.META[key] = f"{self.META[key]},{value}" if key in self.META else value
        scheme = scope.get("scheme") or ("wss" if settings.SERVES_TLS else "ws")
        self.socket_scheme = "https" if scheme == "wss" else "http"

    def _get_scheme(self):
        return self.socket_scheme


def _origin_allowed(scope) -> bool:
    request = _Handshake(scope)
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None or "HTTP_HOST" not in request.META:  # Browsers always send both.
        return False
    try:
        own_origin = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    if origin == own_origin or origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, trusted.netloc.lstrip("*"))
        for trusted in map(urlsplit, settings.CSRF_TRUSTED_ORIGINS)
        if "*" in trusted.netloc and trusted.scheme == parsed.scheme
    )
