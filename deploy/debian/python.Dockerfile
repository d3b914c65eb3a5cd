# The app image's base on a closed network: Debian's Python 3.11 (bookworm's), with venv, on the
# base made by deploy/debian/build-images.sh. Stands in for python:3.11-slim.
ARG DEBIAN_IMAGE=icms-debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s /usr/bin/python3 /usr/local/bin/python
CMD ["python3"]
