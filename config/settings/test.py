"""Settings for the test suite: the same as base, with fast password hashing and tasks in-process.

DATABASE_URL still decides the database, so `make test` runs on SQLite or PostgreSQL alike.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; the worker integration test talks to a real worker through REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = True
EAGER_BACKGROUND_THREADS = False  # tests want every task finished when the request returns
CELERY_BROKER_URL = REDIS_URL or "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Live-server and thread tests open connections in other threads; persistent ones would keep the test database
# from being dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
