# The production-like image: gunicorn serving Django, the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts ./scripts
RUN mkdir -p static && npm run -s vendor

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=portal.settings
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/static/vendor ./static/vendor
RUN DJANGO_DEBUG=1 python manage.py compilemessages -v0 --ignore=node_modules \
 && DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only PII_KEY=build-only python manage.py collectstatic --noinput -v0
RUN useradd --system --uid 1000 tuoyu && mkdir -p /data/private_media && chown tuoyu /data/private_media
USER tuoyu
EXPOSE 8000
# gunicorn's advice is 2 × cores + 1 workers; 5 suits a 2-core host. Set WEB_CONCURRENCY per host.
ENV WEB_CONCURRENCY=5
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
