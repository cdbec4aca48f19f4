# The production image: one image, three roles (web, worker, beat) chosen by the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --create-home --uid 10001 studio

COPY pyproject.toml README.md ./
COPY inmail_studio ./inmail_studio
RUN pip install .

COPY manage.py ./
COPY templates ./templates
COPY static ./static

# collectstatic needs settings, not secrets: give it throwaway production values.
RUN DJANGO_ENV=production SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
    LINKEDIN_TOKEN_KEYS=ZmFrZS1rZXktZm9yLWJ1aWxkLW9ubHktMDAwMDAwMDA= \
    python manage.py collectstatic --noinput

USER studio
EXPOSE 8000
CMD ["gunicorn", "inmail_studio.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
