# One image for web, worker, beat and migrate; docker-compose.yml gives each its command.
# BASE_IMAGE is any Python 3.11 on Debian: the official image by default, or on a closed network
# the one deploy/debian/build-images.sh makes from Debian's packages (deploy/debian.yml).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
RUN useradd --create-home --uid 10001 icms
# Pango and a font: WeasyPrint makes the case plan PDFs with them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Behind a TLS-inspecting proxy, pip needs the proxy's certificate authority: the build secret
# `ca_certificates` (a PEM bundle; docker-compose.yml takes it from BUILD_CA_CERTIFICATES) is
# then the only one pip trusts. It is used for this step only and is not kept in the image.
COPY requirements.txt .
RUN --mount=type=secret,id=ca_certificates \
    if [ -s /run/secrets/ca_certificates ]; then export PIP_CERT=/run/secrets/ca_certificates; fi \
    && python -m venv /opt/venv \
    && pip install -r requirements.txt

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
