"""WSGI entry point, for management tools only: Shiller is served by daphne (asgi.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiller.settings")

application = get_wsgi_application()
