from django.urls import path, re_path

from live import consumers
from shiller.middleware import refuse_websocket

websocket_urlpatterns = [
    path("ws/monitor/<str:code>/", consumers.MonitorConsumer.as_asgi()),
    path("ws/control/<uuid:pk>/", consumers.ControlConsumer.as_asgi()),
    # Any other path is refused (a 403 handshake), not an exception and its traceback.
    re_path(r"", refuse_websocket),
]
