#!/bin/sh
# jiliang (计量监管平台): the nightly backup of what changes every day — the database and the uploaded files —
# into $JILIANG_BACKUP_DIR/<date-time>/ (default /var/backups/jiliang), keeping $JILIANG_BACKUP_KEEP_DAYS days (14).
# The keys and the environment file change rarely: they are backed up by hand, apart (docs/operations.md, "Backups").
#
# Run by jiliang-backup.service as the jiliang user, with /etc/jiliang/jiliang.env in its environment; by hand:
#   sudo -u jiliang sh -c 'set -a; . /etc/jiliang/jiliang.env; set +a; /srv/jiliang/deploy/backup.sh'
# Copy the directory it prints to another machine (the city's backup system) every night.
set -eu
umask 077

dest=${JILIANG_BACKUP_DIR:-/var/backups/jiliang}
keep=${JILIANG_BACKUP_KEEP_DAYS:-14}
media=${JILIANG_MEDIA_DIR:-/var/lib/jiliang/media}
stamp=$(date +%Y-%m-%dT%H%M%S)
work="$dest/.$stamp.partial"
mkdir -p "$work"

case "${DATABASE_URL:?DATABASE_URL is not set}" in
    postgres://* | postgresql://*)
        # A consistent snapshot while the platform runs; restore with pg_restore (docs/operations.md).
        pg_dump --format=custom --file="$work/database.dump" "$DATABASE_URL"
        ;;
    sqlite://*)
        # SQLite's online backup: consistent while the platform writes (WAL mode).
        sqlite3 "${DATABASE_URL#sqlite://}" ".backup '$work/database.sqlite3'"
        sqlite3 "$work/database.sqlite3" "PRAGMA integrity_check" | grep -qx ok
        ;;
    *)
        echo "backup.sh: no backup method for DATABASE_URL=${DATABASE_URL%%:*}://…" >&2
        exit 1
        ;;
esac

# Uploaded files (MEDIA_ROOT): import files and their reports.
if [ -d "$media" ]; then
    tar -C "$(dirname "$media")" -czf "$work/media.tar.gz" "$(basename "$media")"
fi

(cd "$work" && sha256sum -- * > SHA256SUMS)
mv "$work" "$dest/$stamp"
find "$dest" -mindepth 1 -maxdepth 1 -type d -name '20*' -mtime "+$keep" -exec rm -rf -- {} +
echo "$dest/$stamp"
