# Point-in-time recovery of the compose `postgres` service (README, "Backups, and restoring
# them"). With postgres stopped, in a one-off container of it:
#
#   docker compose run --rm --no-deps -T --entrypoint sh postgres -s BASE 'TIME' < deploy/recover_to.sh
#
# BASE is a base backup's folder under backups/base/, TIME the moment to recover to, e.g.
# '2026-12-01 14:29:00+11' (after the base backup ended). The data as it was is moved to
# backups/before-recovery-<now>/. At its next start PostgreSQL replays the archived WAL up to
# TIME, then opens for writes on a new timeline.
set -eu
backups="${BACKUPS:-/backups}"
base="$backups/base/$1"
aside="$backups/before-recovery-$(date +%Y%m%d-%H%M%S)"
test -f "$base/base.tar.gz"

cd "$PGDATA"
mkdir "$aside"
find . -mindepth 1 -maxdepth 1 -exec mv {} "$aside/" \;
tar -xzf "$base/base.tar.gz"
tar -xzf "$base/pg_wal.tar.gz" -C pg_wal
cat >> postgresql.auto.conf <<EOF
restore_command = 'cp $backups/wal/%f %p'
recovery_target_time = '$2'
recovery_target_action = 'promote'
EOF
touch recovery.signal
echo "Recovery to $2 is set up; the data as it was is in $aside."
