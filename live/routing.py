from channels.auth import AuthMiddleware
from channels.sessions import SessionMiddleware
from django.urls import path, re_path

from live import consumers
from shiller.middleware import refuse_websocket

websocket_urlpatterns = [
    # A trainee screen is anonymous: it reads neither the Django session nor the user, which
    # cost every connect a trip through the database thread (a query with a session cookie).
    path("ws/monitor/<str:code>/", consumers.MonitorConsumer.as_asgi()),
    # The trainer's page: its login (asgi.py has parsed the cookies already).
    path(
        "ws/control/<uuid:pk>/",
        SessionMiddleware(AuthMiddleware(consumers.ControlConsumer.as_asgi())),
    ),
    # Any other path is refused (a 403 handshake), not an exception and its traceback.
    re_path(r"", refuse_websocket),
]
