# Redis from Debian's packages (bookworm: 7.0), as the official image runs it for ICMS: data in
# /data, reachable from the other containers (no protected mode), as the redis user.
ARG DEBIAN_IMAGE=icms-debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-server util-linux \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o redis -g redis /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
