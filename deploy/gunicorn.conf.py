"""gunicorn configuration for production: `gunicorn -c deploy/gunicorn.conf.py herzdigital.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Load Django once in the master and fork the workers from it. Without this every worker imports the
# whole site when it starts (about 1 s of CPU), and max_requests restarts each worker every ~2,000
# requests: at a burst of joins that is ~0.5 ms of CPU per request, as much as a trivial view costs
# (measured with bench/join.py, issue 20). Nothing opens a database or Redis connection at import
# time, so no connection is shared across the fork. New code needs a restart (not a HUP reload).
preload_app = True
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
