"""gunicorn's configuration: ``gunicorn -c deploy/gunicorn.conf.py shop.wsgi``
(what ``docker-entrypoint.sh web`` runs). Every value can be set from the
environment; see the README's "Container image" section.

Nothing is written outside /tmp and /dev/shm: the image runs on a read-only
root filesystem.
"""

import os

from shop.core import gunicorn_hooks

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers, one request each. Two per container by default: scale with
# replicas, and raise this only with the container's CPU limit.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request running longer than this is killed (its worker restarted).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a pod stopping), requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Workers are replaced after this many requests (and a random part of the
# jitter more, so that they do not all restart at once): bounded memory growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
# The workers' heartbeat files: in memory, not on the (read-only) image.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm")
# gunicornc's control socket would be created under $HOME.
control_socket_disable = True

# X-Forwarded-Proto and X-Forwarded-For are believed from the proxies in
# front: any address when TRUSTED_PROXY_COUNT says proxies are there (the
# chart's network policy lets only the ingress controller reach the pods),
# else only this host's.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or (
    "*" if int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) else "127.0.0.1,::1"
)

# JSON lines on stdout: gunicorn's own and one per request.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
logger_class = gunicorn_hooks.JsonLogger
logconfig_dict = gunicorn_hooks.LOGCONFIG

# Prometheus: the master serves every worker's samples on METRICS_PORT.
when_ready = gunicorn_hooks.when_ready
child_exit = gunicorn_hooks.child_exit
