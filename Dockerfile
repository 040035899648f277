# Production image: gunicorn serves the site; the same image runs the worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cms.settings.production

RUN useradd --create-home --uid 1000 leap
WORKDIR /app

COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir -r requirements/lock.txt

COPY --chown=leap:leap . .
# collectstatic needs settings to load; these build-time values never reach the running image.
RUN SECRET_KEY=build-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
    ALLOWED_HOSTS=build SITE_URL=https://build.invalid EMAIL_HOST=build.invalid \
    REDIS_URL=redis://build.invalid:6379/0 \
    LEAP_KEY_ENCRYPTION_KEYS=Xw4xfhVQ8oB8r7YOHmPdY3kQ1nI2n1b0Pp6tFqRk3qY= \
    python manage.py collectstatic --no-input

# The media volumes mount here (public media, private evidence files); a new named volume
# takes the owner of the folder it mounts on, which must be the user the app runs as.
RUN mkdir -p /data/media /data/private && chown leap:leap /data/media /data/private

USER leap
EXPOSE 8000
# The access log leaves out the secrets some links carry (cms/gunicorn_logging.py).
CMD ["gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--logger-class", "cms.gunicorn_logging.RedactingLogger"]
