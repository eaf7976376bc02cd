from django.urls import path

from sessions_app import consumers

websocket_urlpatterns = [
    path("ws/monitor/<str:code>/", consumers.MonitorConsumer.as_asgi()),
    path("ws/control/<uuid:pk>/", consumers.ControlConsumer.as_asgi()),
]
