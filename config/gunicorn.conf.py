"""gunicorn settings for the web process (`gunicorn -c config/gunicorn.conf.py config.wsgi:application`).

Stateless web processes, so more capacity is more processes (WEB_CONCURRENCY) or more containers behind the
proxy. Threaded workers: a request spends much of its time waiting for PostgreSQL, and a thread lets the worker
serve another one meanwhile; keep-alive lets a reviewer's browser or script reuse its connection. Each thread
holds one database connection (CONN_MAX_AGE), so workers x threads x web containers must stay under
PostgreSQL's max_connections (100 by default) with room for the Celery workers.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = 120
graceful_timeout = 30
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# gunicorn has no cap on a request's body: the application refuses an upload over its limit from the
# Content-Length before reading it, and counts the bytes as they stream (config/request_guards.py); the reverse
# proxy should refuse it even earlier (client_max_body_size in nginx, see docker-compose.yml). These bound the
# rest of a request: its line, and the number and size of its headers.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 16380


def post_worker_init(worker: object) -> None:
    """Once the application is loaded, move its long-lived objects (modules, URL patterns, settings) out of the
    garbage collector's view, so each request's collections only walk the request's own objects."""
    import gc

    gc.freeze()
