#!/usr/bin/env bash
# Realtime benchmarks (docs/benchmarks.md): RLS-checked postgres_changes, broadcast fan-out
# from the database with latency, and heap per idle socket. Loopback only.
#   bench/realtime/run.sh [changes|broadcast|idle|all]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
what=${1:-all}
ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

[ -f loadtest/target/parley-load.jar ] || mvn -q -pl loadtest -am -DskipTests package
# BENCH_GATEWAY_JVM_OPTS: more JVM options for the gateway (a JFR recording, say)
bench_start_gateway -Xms1g -Xmx4g -XX:+UseParallelGC ${BENCH_GATEWAY_JVM_OPTS:-}
bench_psql -f bench/schema.sql
bench_psql <<'SQL'
alter publication supabase_realtime add table bench_items;
create policy bench_topics on realtime.messages for select to authenticated
  using (realtime.topic() like 'bench-%');
SQL
# CHANGES_POLICY=subquery: bench_items' read policy as a subquery, which Postgres evaluates once per
# statement, instead of the membership function called per row (docs/realtime.md, RLS)
if [ "${CHANGES_POLICY:-}" = subquery ]; then
  bench_psql -c "alter policy items_read on bench_items using (room_id in (select m.room_id from bench_members m where m.user_id = auth.uid()))"
fi
load() { java -Xmx4g -jar loadtest/target/parley-load.jar "$@" --url="$BENCH_URL" \
  --secret-file="$BENCH_DATA/jwt-secret" --db="jdbc:postgresql://127.0.0.1:$BENCH_DB_PORT/postgres"; }

if [ "$what" = changes ] || [ "$what" = all ]; then
  echo "== postgres_changes, ${CHANGES_SOCKETS:-1000} distinct users, RLS joining a membership table"
  load changes --sockets="${CHANGES_SOCKETS:-1000}" --rate="${CHANGES_RATE:-250}" --seconds="${CHANGES_SECONDS:-20}"
fi
if [ "$what" = broadcast ] || [ "$what" = all ]; then
  echo "== broadcast from the database (realtime.send) to 1,000 sockets on one private topic"
  load broadcast --sockets=1000 --topics=1 --rate="${BROADCAST_RATE:-300}" --seconds=20
  echo "== the same at half that load, for latency"
  load broadcast --sockets=1000 --topics=1 --rate="$(( ${BROADCAST_RATE:-300} / 2 ))" --seconds=20
fi
if [ "$what" = idle ] || [ "$what" = all ]; then
  n=${IDLE_SOCKETS:-20000}
  echo "== idle sockets: heap per socket with $n sockets"
  before=$(bench_heap_kib)
  out=$BENCH_DATA/idle.out
  load idle --sockets="$n" --topics=100 --seconds=60 --source-addresses=$(( n / 20000 + 1 )) >"$out" 2>&1 &
  loader=$!
  # measure once every socket has joined (the tool says "holding")
  for _ in $(seq 1 1200); do grep -q holding "$out" && break; kill -0 $loader 2>/dev/null || break; sleep 0.5; done
  cat "$out"
  after=$(bench_heap_kib)
  wait $loader || true
  tail -1 "$out"
  echo "heap after GC: before=${before} KiB with-sockets=${after} KiB -> $(( (after - before) * 1024 / n )) bytes per socket"
fi
