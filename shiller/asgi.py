"""ASGI entry point: HTTP through Django, websockets through Channels (served by daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiller.settings")

# Set up Django (apps, models) before the consumers are imported.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from sessions_app.routing import websocket_urlpatterns  # noqa: E402
from shiller.middleware import WebsocketLocaleMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        # daphne serves Shiller's few small static files itself, so that one process is a
        # whole deployment; put a proxy or CDN in front of /static/ for heavy traffic.
        "http": ASGIStaticFilesHandler(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(WebsocketLocaleMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
