"""Structured logs: with LOG_FORMAT=json (production's default), one JSON object per line.

Every line names its process (host and pid), so the lines of several daphnes, on one host or
several, can be told apart once collected. Two kinds of lines carry fields of their own:

- one per HTTP request (`AccessLogMiddleware`, logger "shiller.access"): method, path, status,
  duration;
- one per socket opened and closed (live/consumers.py, logger "shiller.sockets"): kind,
  session id, close code, duration.

Neither ever holds a join code or a trainee's name: the path loses its query string (the
monitor's ?screen= is the name typed on the join page) and a monitor path its code.
"""

import json
import logging
import re
import socket
import time

# The attributes every LogRecord has: anything else was passed as `extra` and is a field.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
HOST = socket.gethostname()
# /monitor/<code>/ and everything under it: the code lets anyone in.
_MONITOR_CODE = re.compile(r"^/monitor/[^/]+")
REDACTED_MONITOR = "/monitor/-"

access_log = logging.getLogger("shiller.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "host": HOST,
            "process": record.process,
        }
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def loggable_path(path: str) -> str:
    """The path as logged: no join code."""
    return _MONITOR_CODE.sub(REDACTED_MONITOR, path)


class AccessLogMiddleware:
    """ASGI, around the HTTP application: one line per request, and the count of requests in
    flight that a draining process waits for (live/restart.py)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from live.restart import state

        started = time.monotonic()
        status = None

        async def send_and_note(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        state.requests_in_flight += 1
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            state.requests_in_flight -= 1
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            path = loggable_path(scope["path"])
            access_log.info(
                "%s %s %s %s ms",
                scope["method"],
                path,
                status,
                duration_ms,
                extra={
                    "event": "request",
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
