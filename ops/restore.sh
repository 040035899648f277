#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into an EMPTY database and empty media folders,
# then check that every badge still verifies (manage.py badges_verify).
#
#   DATABASE_URL=postgres://…/new_db MEDIA_ROOT=… PRIVATE_MEDIA_ROOT=… ops/restore.sh <folder>
#
# Run it with the same SECRET_KEY and LEAP_KEY_ENCRYPTION_KEYS as the backed-up site.
set -euo pipefail

src=${1:?usage: ops/restore.sh <backup folder>}
: "${DATABASE_URL:?set DATABASE_URL to the empty PostgreSQL database to restore into}"
media=${MEDIA_ROOT:-var/media}
private=${PRIVATE_MEDIA_ROOT:-var/private}
python=${PYTHON:-.venv/bin/python}

(cd "$src" && sha256sum --check --quiet SHA256SUMS)
tables=$(psql --dbname="$DATABASE_URL" --tuples-only --no-align \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "ops/restore.sh: the database already has tables; restore into an empty one." >&2
  exit 2
fi
for root in "$media" "$private"; do
  if [ -d "$root" ] && [ -n "$(ls -A "$root")" ]; then
    echo "ops/restore.sh: $root is not empty; restore into empty media folders." >&2
    exit 2
  fi
done
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$src/database.dump"
mkdir -p "$media" "$private"
tar --extract --gzip --file="$src/media.tar.gz" --directory="$media"
tar --extract --gzip --file="$src/private.tar.gz" --directory="$private"
"$python" manage.py badges_verify
