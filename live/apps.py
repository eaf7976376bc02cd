from django.apps import AppConfig


class LiveConfig(AppConfig):
    """The live transport: websockets, the per-process fan-out hub, viewer counts. No models."""

    name = "live"

    def ready(self):
        from live.publish import publish
        from sessions_app import publishing

        publishing.register(publish)
