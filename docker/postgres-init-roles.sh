#!/bin/sh
# Runs once, when the compose stack's database volume is first created (docker-entrypoint-initdb.d).
# Two roles: tuoyu_owner owns the database, its schema and every table (migrations run as it);
# tuoyu_app is what the web, worker and beat connect as: no superuser, owns nothing, and gets its
# privileges from `migrate` (DATABASE_APP_ROLE, portal/roles.py) — the audit log SELECT and INSERT only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_password="$TUOYU_OWNER_PASSWORD" -v app_password="$TUOYU_APP_PASSWORD" <<'SQL'
CREATE ROLE tuoyu_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE tuoyu_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
CREATE DATABASE tuoyu OWNER tuoyu_owner;
REVOKE ALL ON DATABASE tuoyu FROM PUBLIC;
GRANT CONNECT ON DATABASE tuoyu TO tuoyu_owner, tuoyu_app;
\connect tuoyu
ALTER SCHEMA public OWNER TO tuoyu_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
SQL
