#!/usr/bin/env bash
# A local PostgreSQL 15 with a role and a database of its own, for CI and benchmarks.
# Usage: bash .ci/postgres.sh ROLE PASSWORD DATABASE
# Installs the server when missing, starts the first cluster, creates the role (with
# CREATEDB, for test databases; its password is set every time) and the database when
# missing, and prints the DATABASE_URL on stdout (everything else goes to stderr).
set -euo pipefail
role=$1 password=$2 database=$3

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
as_postgres() { $SUDO su postgres -c "$1"; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "Installing PostgreSQL" >&2
    $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
# shellcheck disable=SC2086
$SUDO pg_ctlcluster $cluster start >&2 2>&1 || true
port=$(pg_lsclusters -h | awk 'NR==1 {print $3}')
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
as_postgres "psql -q -p $port" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
  ELSE
    ALTER ROLE $role PASSWORD '$password';
  END IF;
END \$\$;
SQL
as_postgres "psql -q -p $port -tc \"SELECT 1 FROM pg_database WHERE datname = '$database'\"" \
    | grep -q 1 || as_postgres "createdb -p $port -O $role $database" >&2
echo "postgres://$role:$password@127.0.0.1:$port/$database"
