# Shiller's images (README.md, Production; docker-compose.yml builds both):
#   target app:   daphne as an unprivileged user, static files collected at build
#   target proxy: Debian's nginx with deploy/nginx.conf and the same static files
# Nothing is installed when a container starts.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt
WORKDIR /srv/shiller/app
COPY . .
# Hashed names and .gz files, as deploy/nginx.conf expects; the key only lets settings load.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-the-deployments-secret-key \
    STATIC_ROOT=/srv/shiller/static /opt/venv/bin/python manage.py collectstatic --noinput -v0

FROM python:3.11-slim-bookworm AS app
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent shiller \
    && mkdir -p /var/lib/shiller/media && chown shiller:shiller /var/lib/shiller/media
# Owned by root, read-only to the app: it writes only MEDIA_ROOT.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/shiller /srv/shiller
WORKDIR /srv/shiller/app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=false \
    STATIC_ROOT=/srv/shiller/static \
    MEDIA_ROOT=/var/lib/shiller/media
USER shiller
EXPOSE 8000
# -v 0: no daphne access log, whose lines carry the join code (shiller/logs.py logs instead).
CMD ["daphne", "-v", "0", "-b", "0.0.0.0", "-p", "8000", "--websocket-max-message-size", "16384", \
     "shiller.asgi:application"]

FROM debian:bookworm-slim AS proxy
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx curl \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
COPY --from=build /srv/shiller/static /srv/shiller/static
# The compose file's two app containers instead of the host's shiller@8001 and @8002.
COPY deploy/nginx.conf /etc/nginx/conf.d/shiller.conf
RUN sed -i -e 's/server 127.0.0.1:8001;/server app1:8000;/' \
           -e 's/server 127.0.0.1:8002;/server app2:8000;/' /etc/nginx/conf.d/shiller.conf \
    && grep -q 'server app2:8000;' /etc/nginx/conf.d/shiller.conf
EXPOSE 80 443
CMD ["nginx", "-g", "daemon off;"]
