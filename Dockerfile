# syntax=docker/dockerfile:1
# The production image: one image for web (gunicorn), worker and beat (Celery) and the
# one-shot migrate service of docker-compose.yml.

# --- front-end assets: GOV.UK and MOJ Frontend compiled from the npm lock file ------------
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN if [ -f static/build.mjs ]; then npm run build; else mkdir -p static/dist; fi

# --- the application ---------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRIVATE_FILES_ROOT=/var/lib/actionplans/files

# Pango and HarfBuzz for WeasyPrint (the PDF papers); fonts the print stylesheet names;
# pg_dump and pg_restore (bookworm's 15, as the postgres:15 service) for manage.py backup/restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-liberation \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
COPY --from=assets /app/static/dist ./static/dist
# The Sass sources and the build script are not for serving.
RUN rm -rf static/src static/build.mjs

# The hashed, compressed copy whitenoise serves. The key is a placeholder for this one
# command: the real one comes from DJANGO_SECRET_KEY(_FILE) at run time.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home actionplans \
    && mkdir -p "$PRIVATE_FILES_ROOT" \
    && chown -R actionplans:actionplans /var/lib/actionplans
USER actionplans

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"]
