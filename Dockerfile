# The production image: one image, four roles (migrate, web, worker, beat) chosen by the command
# (docker-compose.yml). make prod-check builds the same thing without Docker: a virtualenv from
# requirements.lock and the four folders below (scripts/prodcheck/stack.py, IMAGE_COPIES).
FROM python:3.11-slim

# PYTHONPATH: the code is copied once, into /app, and imported from there whatever the working directory.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app DJANGO_SETTINGS_MODULE=inmail_studio.settings
WORKDIR /app

RUN useradd --create-home --uid 10001 studio

# Dependencies in a layer of their own, from the lockfile, every file checked against its hash:
# rebuilt only when requirements.lock changes, not on every code change.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# The code, once (it is not pip-installed as well).
COPY manage.py ./
COPY inmail_studio ./inmail_studio
COPY templates ./templates
COPY static ./static

# collectstatic needs production's settings, not its secrets: throwaway values for this step only.
RUN DJANGO_ENV=production SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
    CELERY_BROKER_URL=redis://build-only CACHE_URL=redis://build-only LINKEDIN_CLIENT_SECRET=build-only \
    LINKEDIN_TOKEN_KEYS=ZmFrZS1rZXktZm9yLWJ1aWxkLW9ubHktMDAwMDAwMDA= \
    python manage.py collectstatic --noinput

# The media volume mounts here. Docker fills a new named volume from this folder, owner included,
# so the app's unprivileged user can write banners and sender photos into it.
RUN mkdir -p /app/media && chown studio:studio /app/media

USER studio
EXPOSE 8000
CMD ["gunicorn", "-c", "python:inmail_studio.gunicorn_conf", "inmail_studio.wsgi:application"]
