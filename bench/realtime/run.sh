#!/usr/bin/env bash
# Realtime benchmarks (docs/benchmarks.md): RLS-checked postgres_changes, broadcast fan-out
# from the database with latency, and heap per idle socket. Loopback only.
#   bench/realtime/run.sh [changes|broadcast|idle|all]
# GATEWAY_JAVA_OPTS and LOAD_JAVA_OPTS add JVM options to the gateway and to the load tool (e.g. a
# flight recording: -XX:StartFlightRecording=filename=/tmp/gw.jfr,settings=profile).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
what=${1:-all}
ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

[ -f loadtest/target/parley-load.jar ] || mvn -q -pl loadtest -am -DskipTests package
# shellcheck disable=SC2086 # GATEWAY_JAVA_OPTS is a list of options
bench_start_gateway -Xms1g -Xmx4g -XX:+UseParallelGC ${GATEWAY_JAVA_OPTS:-}
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
# the load tool reports the CPU the gateway, Postgres (the postmaster's tree) and itself used
pg_pid=$(head -1 "$BENCH_DATA/postgres/postmaster.pid")
# shellcheck disable=SC2086
load() { java -Xmx4g ${LOAD_JAVA_OPTS:-} -jar loadtest/target/parley-load.jar "$@" --url="$BENCH_URL" \
  --secret-file="$BENCH_DATA/jwt-secret" --db="jdbc:postgresql://127.0.0.1:$BENCH_DB_PORT/postgres" \
  --cpu-pids="gateway:$BENCH_PID,postgres:$pg_pid"; }

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
  # Every socket is a file descriptor in the gateway and in the load client, and each process may
  # hold at most `ulimit -Hn` (20,000 on the benchmark machine, not raisable without
  # CAP_SYS_RESOURCE): the default leaves the gateway 1,000 for its pools, jars and Postgres.
  n=${IDLE_SOCKETS:-$(( $(ulimit -n) - 1000 ))}
  clients=${IDLE_CLIENTS:-1}   # load processes; more when one process's limit is below n
  seconds=${IDLE_SECONDS:-60}
  echo "== idle sockets: $n sockets joined and heartbeating (every 20 s), from $clients load process(es)"
  gw_threads() { awk '/^Threads:/ { print $2 }' "/proc/$BENCH_PID/status"; }
  gw_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$BENCH_PID/status"; }
  gw_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$BENCH_PID/stat"; }
  tcp_pages() { awk '/^TCP:/ { for (i = 1; i <= NF; i++) if ($i == "mem") print $(i+1) }' /proc/net/sockstat; }
  before=$(bench_heap_kib); rss_before=$(gw_rss_kib); threads_before=$(gw_threads); tcp_before=$(tcp_pages)
  pids=()
  for c in $(seq 1 "$clients"); do
    per=$(( n / clients + (c <= n % clients ? 1 : 0) ))
    # each process from its own loopback source addresses: 127.0.0.x has ~55,000 local ports
    load idle --sockets="$per" --topics=100 --seconds="$seconds" \
      --source-addresses=$(( per / 50000 + 1 )) --source-offset=$(( (c - 1) * 4 )) >"$BENCH_DATA/idle-$c.out" 2>&1 &
    pids+=($!)
  done
  # measure once every process has joined all its sockets (each says "holding")
  for _ in $(seq 1 2400); do
    held=$(cat "$BENCH_DATA"/idle-*.out | grep -c holding || true)
    [ "$held" -ge "$clients" ] && break
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || break
    sleep 0.5
  done
  cat "$BENCH_DATA"/idle-*.out
  cpu0=$(gw_cpu_ticks); t0=$(date +%s.%N)
  sleep 30   # idle: heartbeats every 20 s, the once-a-second socket checks
  cpu1=$(gw_cpu_ticks); t1=$(date +%s.%N)
  after=$(bench_heap_kib); rss_after=$(gw_rss_kib); threads_after=$(gw_threads); tcp_after=$(tcp_pages)
  echo "largest classes on the heap while holding (after a full GC):"
  jcmd "$BENCH_PID" GC.class_histogram | head -28 | tail -25
  open=$(ls "/proc/$BENCH_PID/fd" | wc -l)
  for p in "${pids[@]}"; do wait "$p" || true; done
  grep -h "still open" "$BENCH_DATA"/idle-*.out
  echo "gateway file descriptors while holding: $open"
  echo "gateway threads: before=$threads_before with-sockets=$threads_after"
  echo "gateway CPU while idle: $(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f%% of one core", (b - a) / hz / (e - s) * 100 }')"
  echo "kernel TCP memory (whole machine, both ends of each loopback socket): before=$(( tcp_before * 4 )) KiB with-sockets=$(( tcp_after * 4 )) KiB"
  echo "RSS: before=${rss_before} KiB with-sockets=${rss_after} KiB -> $(( (rss_after - rss_before) * 1024 / n )) bytes per socket"
  echo "heap after GC: before=${before} KiB with-sockets=${after} KiB -> $(( (after - before) * 1024 / n )) bytes per socket"
fi
