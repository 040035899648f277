#!/usr/bin/env bash
# Back up Leap: the database (pg_dump, custom format), the public media (badge images,
# baked badges, CMS images) and the private media (evidence files), with checksums.
# Secrets (SECRET_KEY, LEAP_KEY_ENCRYPTION_KEYS) are NOT in here: back them up apart,
# in your secrets store; without them the issuers' signing keys cannot be used.
#
#   DATABASE_URL=postgres://… MEDIA_ROOT=… PRIVATE_MEDIA_ROOT=… ops/backup.sh <folder>
#
# docs/operations.md explains the whole procedure and how to restore.
set -euo pipefail

dest=${1:?usage: ops/backup.sh <folder for this backup>}
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
media=${MEDIA_ROOT:-var/media}
private=${PRIVATE_MEDIA_ROOT:-var/private}

mkdir -p "$dest"
if [ -n "$(ls -A "$dest")" ]; then
  echo "ops/backup.sh: $dest is not empty; give each backup its own folder." >&2
  exit 2
fi
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$dest/database.dump"
for part in media private; do
  root=$([ "$part" = media ] && echo "$media" || echo "$private")
  mkdir -p "$root"
  tar --create --gzip --file="$dest/$part.tar.gz" --directory="$root" .
done
(cd "$dest" && sha256sum database.dump media.tar.gz private.tar.gz > SHA256SUMS)
echo "Backed up to $dest: $(du -sh "$dest" | cut -f1)."
