# One image for the web process (gunicorn) and the Celery worker. It runs in production mode unless told otherwise:
# debug off, so SECRET_KEY (and ALLOWED_HOSTS) must be given; `make run` is the development setup.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.base \
    DJANGO_DEBUG=False

WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Static files are collected at build time and served by whitenoise; the key is a throwaway for this step only.
RUN DJANGO_DEBUG=False SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATA_DIR=/tmp \
    python manage.py collectstatic --noinput \
    && mkdir -p /data /media && chown -R app:app /data /media
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
