"""gunicorn's settings for the web role, from the environment.

compose's web service and make prod-check both run
    gunicorn -c python:inmail_studio.gunicorn_conf inmail_studio.wsgi:application
so only the environment differs between them: GUNICORN_BIND (default 0.0.0.0:8000), WEB_CONCURRENCY
(worker processes, default 3), GUNICORN_TIMEOUT (default 30 s), FORWARDED_ALLOW_IPS (the proxy's
address; gunicorn's default is 127.0.0.1).

The access log goes to stdout through `logs.GunicornLogger`: every field redacted (share tokens,
OAuth codes and states), JSON in production, each line naming the request id the app answered with.
"""

import os

from inmail_studio.logs import ACCESS_LOG_FORMAT

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
logger_class = "inmail_studio.logs.GunicornLogger"
access_log_format = ACCESS_LOG_FORMAT
# No `gunicornc` control socket: it would live at one path per user, shared by every gunicorn on the host.
control_socket_disable = True
# Workers' heartbeat files in memory, not on the container's overlay disk (gunicorn's Docker advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a tmpfs, gunicorn's own advice
