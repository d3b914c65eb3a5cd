# PostgreSQL from Debian's packages (bookworm: 15), taking the same settings as the official
# image as docker-compose.yml uses them: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, the
# scripts in /docker-entrypoint-initdb.d/, PGDATA, and `docker-entrypoint.sh postgres ...`.
ARG DEBIAN_IMAGE=icms-debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 util-linux \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 2777 /var/run/postgresql \
    && install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data \
    && install -d /docker-entrypoint-initdb.d
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
