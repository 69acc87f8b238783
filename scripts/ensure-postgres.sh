#!/usr/bin/env bash
# Make sure a PostgreSQL server runs on this machine, installing it from Debian's packages
# where it is missing, and print a DATABASE_URL for a superuser role named like this user.
# Usage: DATABASE_URL=$(scripts/ensure-postgres.sh [DBNAME])
set -euo pipefail
db=${1:-fangkong}
user=$(id -un)

log() { echo "$@" >&2; }

if ! command -v pg_ctlcluster >/dev/null; then
    [ "$(id -u)" = 0 ] || { log "PostgreSQL is not installed; run as root to install it"; exit 1; }
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 && ! pg_isready -q; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    log "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi

# A superuser role for this account (peer authentication on the socket needs no password).
if [ "$(id -u)" = 0 ] && ! psql -h 127.0.0.1 -d postgres -Atc "select 1" >/dev/null 2>&1 \
    && ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    su postgres -c "psql -qc \"CREATE ROLE \\\"$user\\\" SUPERUSER LOGIN\"" >/dev/null 2>&1 || true
fi

if psql -h 127.0.0.1 -d postgres -Atc "select 1" >/dev/null 2>&1; then
    echo "postgres://$user@127.0.0.1:5432/$db"
elif psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    socket=$(psql -d postgres -Atc "show unix_socket_directories" | cut -d, -f1)
    echo "postgres://$user@${socket//\//%2F}/$db"
else
    log "cannot connect to PostgreSQL as $user"
    exit 1
fi
