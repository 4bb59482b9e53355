"""Gunicorn, embedded: the production web server behind ``accord web`` and ``accord serve``.

Gunicorn runs in the ``accord web`` process (master) and forks worker processes that serve
``accord.wsgi``. Its error and access logs go through Django's ``LOGGING`` configuration, so
``ACCORD_LOG_FORMAT=json`` and ``ACCORD_LOG_LEVEL`` apply to them too, and every access log
line carries the request id of the response.
"""

from __future__ import annotations

import copy
import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from gunicorn import glogging
from gunicorn.app.base import BaseApplication


@dataclass(frozen=True)
class ServerOptions:
    host: str
    port: int
    workers: int
    threads: int
    timeout: int
    reload: bool = False

    @property
    def bind(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{host}:{self.port}"


class AccessLogger(glogging.Logger):
    """Gunicorn's logger, with access lines as structured log records.

    A text line reads ``GET /path?q 200 1234B 12ms 127.0.0.1 "user agent"``; with JSON logs the
    same facts are fields (method, path, status, bytes, duration_ms, remote_addr, user_agent,
    request_id).
    """

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            status = resp.status
            if isinstance(status, str):
                status = status.split(None, 1)[0]
            headers = {str(k).lower(): v for k, v in (resp.headers or [])}
            elapsed: datetime.timedelta = request_time
            duration_ms = round(elapsed.total_seconds() * 1000, 1)
            path = environ.get("PATH_INFO", "")
            query = environ.get("QUERY_STRING", "")
            full_path = f"{path}?{query}" if query else path
            sent = getattr(resp, "sent", None)
            remote = environ.get("REMOTE_ADDR", "-")
            agent = environ.get("HTTP_USER_AGENT", "-")
            self.access_log.info(
                '%s %s %s %sB %sms %s "%s"',
                environ.get("REQUEST_METHOD", "-"),
                full_path,
                status,
                sent if sent is not None else "-",
                duration_ms,
                remote,
                agent,
                extra={
                    "method": environ.get("REQUEST_METHOD", ""),
                    "path": full_path,
                    "status": int(status) if str(status).isdigit() else status,
                    "bytes": sent,
                    "duration_ms": duration_ms,
                    "remote_addr": remote,
                    "user_agent": agent,
                    "request_id": headers.get("x-request-id", "-"),
                },
            )
        except Exception:
            self.error_log.exception("could not write the access log line")


def logging_config() -> dict[str, Any]:
    """Django's LOGGING plus gunicorn's loggers on the same handler."""
    config: dict[str, Any] = copy.deepcopy(settings.LOGGING)
    level = getattr(settings, "LOG_LEVEL", "INFO")
    loggers = config.setdefault("loggers", {})
    loggers["gunicorn.error"] = {"handlers": ["console"], "level": level, "propagate": False}
    loggers["gunicorn.access"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
    return config


class AccordServer(BaseApplication):
    """Gunicorn configured from ``ServerOptions`` and Accord's settings (no config file)."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        super().__init__(usage="accord web", prog="accord-web")

    def load_config(self) -> None:
        options = self.options
        values: dict[str, Any] = {
            "bind": [options.bind],
            "workers": options.workers,
            "threads": options.threads,
            "worker_class": "gthread" if options.threads > 1 else "sync",
            "timeout": options.timeout,
            "graceful_timeout": 20,
            "keepalive": 5,
            "max_requests": 2000,
            "max_requests_jitter": 200,
            "proc_name": "accord-web",
            "accesslog": "-",
            "loglevel": str(getattr(settings, "LOG_LEVEL", "INFO")).lower(),
            "logger_class": AccessLogger,
            "logconfig_dict": logging_config(),
            "forwarded_allow_ips": settings.ACCORD_FORWARDED_ALLOW_IPS,
            "reload": options.reload,
            # Several servers may run on one machine: no shared control socket in $HOME.
            "control_socket_disable": True,
        }
        assert self.cfg is not None
        for key, value in values.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)
            else:  # a gunicorn without this setting
                logging.getLogger(__name__).debug("gunicorn has no setting %s", key)

    def load(self) -> Any:
        from accord.wsgi import application

        return application
