from types import SimpleNamespace

from django.conf import settings
from django.utils import translation


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
    Goes inside AuthMiddlewareStack, which parses the cookies into the scope.
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
