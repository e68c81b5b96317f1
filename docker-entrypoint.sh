#!/bin/sh
# The image's entry point: one command, or any program to run as given.
#   web      gunicorn (deploy/gunicorn.conf.py) on 0.0.0.0:$PORT (8000)
#   worker   the Celery worker
#   beat     Celery beat (its schedule file under /tmp)
#   migrate  database migrations and the idempotent production setup
# Celery without its banner: stdout carries JSON lines only.
# Writes only under /tmp (and MEDIA_ROOT): the root filesystem may be read-only.
set -eu

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-shop.settings.production}"
PYTHON="${PYTHON:-python}"

# gunicorn's workers and the Celery pool's children write their samples here;
# the metrics server adds them up. Emptied at start: the samples of processes
# gone with a previous container must not be counted.
prepare_metrics() {
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}"
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
}

command="${1:-web}"
case "$command" in
    web)
        shift || true
        prepare_metrics
        exec "$PYTHON" -m gunicorn --config "${GUNICORN_CONFIG:-deploy/gunicorn.conf.py}" "$@" shop.wsgi
        ;;
    worker)
        shift
        prepare_metrics
        exec "$PYTHON" -m celery -A celery_app --quiet worker --loglevel "${LOG_LEVEL:-INFO}" "$@"
        ;;
    beat)
        shift
        exec "$PYTHON" -m celery -A celery_app --quiet beat --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" "$@"
        ;;
    migrate)
        shift
        "$PYTHON" manage.py migrate --noinput "$@"
        # The cache table, used when running without Redis (ALLOW_NO_REDIS);
        # both steps do nothing when there is nothing to do.
        exec "$PYTHON" manage.py createcachetable
        ;;
    *)
        exec "$@"
        ;;
esac
