"""The app container's healthcheck: its own /healthz, asked as nginx asks (see docker-compose.yml).

The Host is the first of ALLOWED_HOSTS and the scheme https, as behind the proxy: a plain
request would be refused (host) or redirected (SECURE_SSL_REDIRECT).
"""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    sys.exit(f"unhealthy: {error}")
