"""ASGI entry point: HTTP through Django, websockets through Channels (served by daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiller.settings")

# Set up Django (apps, models) before the consumers are imported.
django_asgi_app = get_asgi_application()

from shiller import bodylimit, collector  # noqa: E402

# daphne refuses bodies over MAX_REQUEST_BODY_BYTES before reading them (see the module).
bodylimit.install()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402
from live import restart, wire  # noqa: E402
from shiller import health, logs  # noqa: E402
from shiller.middleware import WebsocketLocaleMiddleware, WebsocketOriginMiddleware  # noqa: E402


application = ProtocolTypeRouter(
    {
        # Static files too, through WhiteNoise (shiller/staticfiles.py), so that one process is
        # a whole deployment; behind nginx they never reach daphne (deploy/nginx.conf). Every
        # request logged (shiller/logs.py); the health probes answered before Django.
        "http": logs.AccessLogMiddleware(health.HealthMiddleware(django_asgi_app)),
        # WireMiddleware first, to see daphne's own `send` (see live/wire.py); the session and
        # the user are read for the control socket only (live/routing.py).
        "websocket": wire.WireMiddleware(
            WebsocketOriginMiddleware(
                CookieMiddleware(WebsocketLocaleMiddleware(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)

wire.install()
# SIGTERM drains the process instead of stopping it at once (live/restart.py).
restart.install()
# After startup, so that what it made is frozen (shiller/collector.py).
collector.tune()
