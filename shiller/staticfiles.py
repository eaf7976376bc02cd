"""Static files: hashed and compressed by `collectstatic`, served by WhiteNoise without a proxy."""

from asgiref.sync import sync_to_async
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage (hashed names, a .gz beside each file), with the pages' JavaScript
    modules rewritten too: `import ... from "./clock.js"` must name the hashed clock.js, or a
    browser would keep a year-old one after an upgrade."""

    support_js_module_import_aggregation = True


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, its file read in a worker thread of its own: under ASGI Django would read it
    in the one thread that every database call shares (and warn about a sync iterator)."""

    def serve(self, static_file, request):
        response = super().serve(static_file, request)
        if response.streaming:
            chunks = response.streaming_content

            async def read():
                for chunk in await sync_to_async(list, thread_sensitive=False)(chunks):
                    yield chunk

            response.streaming_content = read()
        return response
