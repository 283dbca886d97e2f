# fhb: one image for web, worker and beat (they differ only by command).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /venv
COPY requirements.txt /tmp/requirements.txt
RUN /venv/bin/pip install -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm
# WeasyPrint's system libraries (Pango, HarfBuzz with the fast subsetting path) and fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 xmlsec1 \
      fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 fhb
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=fhb.settings.production
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=assets /src/node_modules /app/node_modules
COPY --chown=fhb:fhb . /app
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v0 \
 && rm -rf /app/node_modules /tmp/build.sqlite3 \
 && mkdir -p /data/media && chown fhb:fhb /data/media
USER fhb
EXPOSE 8000
CMD ["gunicorn", "fhb.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
