#!/bin/sh
# Makes the role ICMS's web, worker and beat connect as, icms_app, with POSTGRES_APP_PASSWORD
# from .env: it owns nothing, and `migrate` grants it what it needs (icms/database_roles.py).
# The postgres image runs this when it sets up a new database. A database set up before, when
# the app connected as the owner (icms), needs it run once by hand, then `migrate` again:
#   docker compose up -d postgres
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/icms-app-role.sh
# Run again, it sets the password from .env again.
set -e
psql --no-psqlrc --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set password="${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD in .env}" <<'SQL'
SELECT 'CREATE ROLE icms_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'icms_app')
\gexec
ALTER ROLE icms_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'password';
SQL
