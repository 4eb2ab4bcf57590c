#!/bin/sh
# Temporal's schema on PostgreSQL, run by the one-shot `temporal-schema` service (admin-tools image)
# before the server starts. Safe on every `docker compose up`: an existing schema is brought up to
# the image's version (update-schema), a fresh one is created first.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "${DB_PORT:-5432}" "$@"; }

for db in temporal temporal_visibility; do
  case "$db" in temporal) dir=temporal ;; *) dir=visibility ;; esac
  schema="/etc/temporal/schema/postgresql/v12/$dir/versioned"
  if tool --db "$db" update-schema -d "$schema" >/dev/null 2>&1; then
    echo "$db: schema up to date"
    continue
  fi
  # Fresh install (no database, or no schema_version table yet). `create` fails when the database
  # exists already (an earlier run stopped half-way); the two steps after it fail on real problems.
  tool --db "$db" create || echo "$db: database exists"
  tool --db "$db" setup-schema -v 0.0
  tool --db "$db" update-schema -d "$schema"
  echo "$db: schema created"
done
