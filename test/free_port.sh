#!/usr/bin/env bash
# Prints a TCP port on which nothing listens, starting from $1 (default 54320).
# pg_virtualenv -t keeps its cluster in a temporary directory, where
# pg_createcluster cannot see the machine's other clusters and would always
# pick 5432; the scripts pass it a free port in PGPORT instead.
port=${1:-54320}
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || [ -e "/var/run/postgresql/.s.PGSQL.$port" ]; do
	port=$((port + 1))
done
echo "$port"
