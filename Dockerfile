# One image for web, worker, beat and migrate; docker-compose.yml gives each its command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 icms
# Pango and a font: WeasyPrint makes the case plan PDFs with them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected into the image and served by WhiteNoise. No database is needed for
# this; the URLs below only satisfy the settings module.
RUN DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

# Referral documents live here, on a volume the web replicas share (docker-compose.yml).
RUN mkdir -p /data/media && chown icms /data/media
USER icms
EXPOSE 8000
CMD ["gunicorn", "icms.wsgi"]
