# The shop's one image: web (gunicorn), Celery worker and beat, migrations,
# chosen by the command given to /app/docker-entrypoint.sh (default: web).
# Runs as UID/GID 10001 on a read-only root filesystem: it writes only to /tmp
# and MEDIA_ROOT (/app/media).

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Runtime requirements only (no test or lint tools), at the pinned versions.
COPY requirements/base.txt requirements/constraints.txt /tmp/requirements/
RUN pip install --no-cache-dir -r /tmp/requirements/base.txt


FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    DJANGO_SETTINGS_MODULE=shop.settings.production \
    MEDIA_ROOT=/app/media \
    PORT=8000 \
    METRICS_PORT=9100
RUN groupadd --system --gid 10001 shop \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /tmp --shell /usr/sbin/nologin shop
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY . .
# Static files are collected with the production settings (whitenoise's
# compressed manifest). The settings refuse to load without a secret key and a
# database; collectstatic uses neither, so build-only values stand in for them.
RUN SECRET_KEY=collectstatic-at-build-time-only \
    DATABASE_URL=postgres://build@localhost/build \
    ALLOW_NO_REDIS=true \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q /app \
    && mkdir -p /app/media \
    && chown 10001:10001 /app/media
USER 10001:10001
EXPOSE 8000 9100
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["web"]
