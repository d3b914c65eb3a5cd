#!/bin/sh
# As the official postgres image does for the settings ICMS uses: on an empty PGDATA, initdb
# with POSTGRES_USER as the superuser (password auth over the network, trust on the local
# socket), make POSTGRES_DB, run /docker-entrypoint-initdb.d/*.sh; then run postgres as the
# postgres user.
set -eu
if [ "$(id -u)" = 0 ]; then
    install -d -o postgres -g postgres -m 700 "$PGDATA"
    install -d -o postgres -g postgres -m 2777 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD: the database superuser needs a password}"
    export POSTGRES_USER="${POSTGRES_USER:-postgres}" POSTGRES_DB="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
    password_file="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
    initdb --username "$POSTGRES_USER" --pwfile "$password_file" --auth-local trust \
        --auth-host scram-sha-256 --encoding UTF8 --locale C.UTF-8
    rm -f "$password_file"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    pg_ctl --wait --silent --options "-c listen_addresses=''" start
    if [ "$POSTGRES_DB" != postgres ]; then
        createdb --username "$POSTGRES_USER" "$POSTGRES_DB"
    fi
    for script in /docker-entrypoint-initdb.d/*.sh; do
        [ -f "$script" ] && . "$script"
    done
    pg_ctl --wait --silent --mode fast stop
fi
exec "$@"
