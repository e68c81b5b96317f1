"""What deploy/gunicorn.conf.py plugs into gunicorn: JSON logging (the access
line of each request with its request id), and the metrics server in the master
process adding up its workers' samples (shop.core.metrics).

The master imports no Django app: nothing here touches the settings.
"""

import os

from gunicorn import glogging
from prometheus_client import multiprocess

from shop.core.metrics import multiprocess_dir, start_metrics_server

_JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": ["asctime", "levelname", "name", "message"],
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    "datefmt": "%Y-%m-%dT%H:%M:%S%z",
}

# gunicorn's own loggers; the application's records follow settings.LOGGING.
LOGCONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": _JSON_FORMATTER},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["stdout"],
            "propagate": False,
        },
    },
}


class JsonLogger(glogging.Logger):
    """One JSON line per request: method, path (never the query string: it may
    hold reset tokens), status, duration, size, client and request id."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(
            "%s %s %s",
            atoms["m"],
            atoms["U"],
            atoms["s"],
            extra={
                "request_id": atoms.get("{x-request-id}o"),
                "method": atoms["m"],
                "path": atoms["U"],
                "status": int(atoms["s"]),
                "duration_ms": round(atoms["D"] / 1000, 3),
                "bytes": atoms["B"],
                "remote_addr": atoms["h"],
                "user_agent": atoms["a"],
            },
        )


def when_ready(server):
    port = int(os.environ.get("METRICS_PORT", "0"))
    if port:
        start_metrics_server(port)


def child_exit(server, worker):
    if multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid)
