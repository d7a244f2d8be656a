#!/usr/bin/env bash
# REST benchmark (docs/benchmarks.md, "REST"): requests/s and p50/p99 latency of /rest/v1 for
#   pk      a select by primary key          GET bench_items?select=*&id=eq.N
#   embed   a filtered select with an embed  GET bench_items?select=id,body,bench_rooms(name)&room_id=eq.R&order=created_at.desc&limit=10
#   insert  a single-row insert              POST bench_items {"room_id":R,"body":"..."}
# each as a random one of USERS authenticated users under RLS (wrk, one token per user), and then
# the very SQL the gateway ran, captured from the database's log, driven by pgbench at the same
# concurrency with the same role and claims set-up statement: the ceiling. Loopback only.
#   bench/rest/run.sh [pk] [embed] [insert]     (default: all three)
# Settings (environment): DURATION=15 (s per measured run), WARMUP=20 (s of gateway warm-up per
# case), CLIENTS=10 (wrk connections = pgbench clients), THREADS=2 (wrk threads = pgbench
# threads), USERS=10 (1..100; users u and u+10 share their rooms), GATEWAY_JAVA_OPTS (extra JVM
# options), JFR=<file> (record the gateway with Java Flight Recorder into that file).
# Needs wrk, pgbench and psql (apt-get install wrk postgresql-client), curl and openssl; builds
# the jar if it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(pk embed insert)
for c in "${cases[@]}"; do
  case $c in pk | embed | insert) ;; *) echo "unknown case '$c' (pk, embed, insert)" >&2; exit 2 ;; esac
done
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
CLIENTS=${CLIENTS:-10}
THREADS=${THREADS:-2}
USERS=${USERS:-10}
if [ "$USERS" -lt 1 ] || [ "$USERS" -gt 100 ]; then echo "USERS must be 1..100 (pgbench takes at most 128 scripts)" >&2; exit 2; fi
for tool in wrk pgbench psql curl openssl; do
  command -v $tool >/dev/null || { echo "$tool is missing: apt-get install wrk postgresql-client curl openssl" >&2; exit 1; }
done

free_port() {
  local p
  while :; do
    p=$(( (RANDOM << 15 | RANDOM) % 20000 + 30000 ))
    ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}
BENCH_PORT=$(free_port)
BENCH_DB_PORT=$(free_port)
while [ "$BENCH_DB_PORT" = "$BENCH_PORT" ]; do BENCH_DB_PORT=$(free_port); done
. bench/lib.sh
WORK=$BENCH_DATA/bench
mkdir -p "$WORK"
PG_LOG=$BENCH_DATA/postgres/log/postgres.log

# The statement log needs logging_collector, which Postgres reads only at start-up: the first
# start creates the data directory, the second runs with the log.
bench_start_gateway
bench_psql <<'SQL'
alter system set logging_collector = on;
alter system set log_directory = 'log';
alter system set log_filename = 'postgres.log';
alter system set log_line_prefix = '%u|%p| ';
SQL
bench_stop_gateway
jvm=()
[ -n "${GATEWAY_JAVA_OPTS:-}" ] && read -r -a jvm <<<"$GATEWAY_JAVA_OPTS"
[ -n "${JFR:-}" ] && jvm+=("-XX:StartFlightRecording=filename=$JFR,settings=profile")
bench_start_gateway "${jvm[@]}"

PGOPTIONS="-c client_min_messages=warning" bench_psql -f bench/schema.sql >/dev/null
# Autovacuum would start on bench_items (grown by the inserts) in the middle of a run and be
# counted against whichever side was measuring: the runs vacuum explicitly instead.
bench_psql -c "alter table bench_items set (autovacuum_enabled = off)" -c "alter table bench_members set (autovacuum_enabled = off)" -c "alter table bench_rooms set (autovacuum_enabled = off)" >/dev/null

user_uuid() { printf '00000000-0000-0000-0000-%012x' "$1"; }
: >"$WORK/tokens"
for u in $(seq 1 "$USERS"); do echo "$u $(bench_user_token "$(user_uuid "$u")")" >>"$WORK/tokens"; done
CAPTURE_USER=1                       # member of rooms 11..20
CAPTURE_UUID=$(user_uuid $CAPTURE_USER)
CAPTURE_TOKEN=$(bench_user_token "$CAPTURE_UUID")
CAPTURE_ID=4711                      # in room 12
CAPTURE_ROOM=13
CAPTURE_LIMIT=10
CAPTURE_INSERT_ROOM=11               # (10 * 1) % 100 + 1, as requests.lua picks for user 1

# The schema cache follows DDL on its own: wait until it knows the table.
for _ in $(seq 1 60); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CAPTURE_TOKEN" "$BENCH_URL/rest/v1/bench_items?limit=0")" = 200 ] && break
  sleep 0.5
done

request() { # case -> one request as the capture user; fails unless it succeeds
  local code
  case $1 in
    pk) code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CAPTURE_TOKEN" \
          "$BENCH_URL/rest/v1/bench_items?select=*&id=eq.$CAPTURE_ID") ;;
    embed) code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CAPTURE_TOKEN" \
          "$BENCH_URL/rest/v1/bench_items?select=id,body,bench_rooms(name)&room_id=eq.$CAPTURE_ROOM&order=created_at.desc&limit=$CAPTURE_LIMIT") ;;
    insert) code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CAPTURE_TOKEN" \
          -H 'Content-Type: application/json' -d "{\"room_id\":$CAPTURE_INSERT_ROOM,\"body\":\"bench insert\"}" \
          "$BENCH_URL/rest/v1/bench_items") ;;
  esac
  case $code in 2??) ;; *) echo "capture request $1 answered $code" >&2; exit 1 ;; esac
}

# --- capture: one request per case with every statement logged -----------------------------
bench_psql -c "alter system set log_statement = 'all'" -c "select pg_reload_conf()" >/dev/null
sleep 1
for c in "${cases[@]}"; do request "$c"; done
bench_psql -c "alter system reset log_statement" -c "select pg_reload_conf()" >/dev/null
sleep 1

# The gateway's statements, in order: per request "begin..." (RequestTransactions.single sends
# BEGIN, the set-up, the query and COMMIT as one pipeline), the set-up (execute, with its
# parameters on the DETAIL line), the query (the same), commit. Connection checks (empty
# statements) and pgjdbc's look-up of the type "unknown" (once per connection) are skipped.
mapfile -t logged < <(grep '^authenticator|' "$PG_LOG" | sed 's/^authenticator|[0-9]*| //')
begins=() setups=() setup_params=() queries=() query_params=()
last=
for line in "${logged[@]}"; do
  if [[ $line =~ ^LOG:\ \ (statement|execute\ [^:]*):\ ([Bb][Ee][Gg][Ii][Nn].*)$ ]]; then
    begins+=("${BASH_REMATCH[2]}"); last=
  elif [[ $line =~ ^LOG:\ \ (statement|execute\ [^:]*):\ ([Cc][Oo][Mm][Mm][Ii][Tt])$ ]]; then
    last=
  elif [[ $line =~ ^LOG:\ \ execute\ [^:]*:\ SELECT\ pg_type\.oid ]]; then
    last=
  elif [[ $line =~ ^LOG:\ \ execute\ [^:]*:\ (select\ set_config\(.*)$ ]]; then
    setups+=("${BASH_REMATCH[1]}"); setup_params+=(""); last=setup
  elif [[ $line =~ ^LOG:\ \ execute\ [^:]*:\ (.*)$ ]]; then
    queries+=("${BASH_REMATCH[1]}"); query_params+=(""); last=query
  elif [[ $line =~ ^DETAIL:\ \ Parameters:\ (.*)$ ]]; then
    if [ "$last" = setup ]; then setup_params[-1]=${BASH_REMATCH[1]}; fi
    if [ "$last" = query ]; then query_params[-1]=${BASH_REMATCH[1]}; fi
  fi
done
if [ ${#begins[@]} -ne ${#cases[@]} ] || [ ${#setups[@]} -ne ${#cases[@]} ] || [ ${#queries[@]} -ne ${#cases[@]} ]; then
  echo "expected ${#cases[@]} transactions of begin, set-up, one query and commit in the statement log; found:" >&2
  printf '  %s\n' "${logged[@]}" >&2
  exit 1
fi

# Replaces each $n of a statement by the pgbench variable its captured value stands for.
# $1: statement, $2: the DETAIL parameter list; prints the statement for pgbench (user K).
to_pgbench() {
  local sql=$1 params=$2 n value var
  local re="^\\\$([0-9]+) = '(([^']|'')*)'(, )?"
  local -a vars=()
  while [ -n "$params" ]; do
    [[ $params =~ $re ]] || { echo "cannot read parameters: $params" >&2; return 1; }
    n=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]//\'\'/\'}
    params=${params:${#BASH_REMATCH[0]}}
    case $value in
      authenticated) var=role ;;
      "$CAPTURE_UUID") var=sub_%U% ;;
      \{*\"sub\":\"$CAPTURE_UUID\"*) var=claims_%U% ;;
      "$CAPTURE_ID") var=id ;;
      "$CAPTURE_ROOM") var=room ;;
      "$CAPTURE_LIMIT") var=limit ;;
      *\"room_id\":$CAPTURE_INSERT_ROOM,*) var=body_%U%; printf '%s' "$value" >"$WORK/insert-body" ;;
      *) echo "unexpected parameter \$$n = '$value' in: $sql (update bench/rest/run.sh)" >&2; return 1 ;;
    esac
    vars[n]=$var
  done
  for ((n = ${#vars[@]}; n >= 1; n--)); do sql=${sql//\$$n/:${vars[n]}}; done
  printf '%s' "$sql"
}

# Per case and user a pgbench script: the same random choices as requests.lua, then the
# gateway's transaction in the gateway's one round trip (a pipeline of the four statements
# before one Sync, as pgjdbc sends them). Each script has its own prepared statements on every pgbench
# connection, and Postgres plans the first five executions of each anew, while the gateway's one
# statement serves every user: with many users pgbench would pay more planning than the
# gateway, hence USERS=10 (one user per distinct set of rooms).
pgbench_defs=(-D role=authenticated)
for u in $(seq 1 "$USERS"); do
  uuid=$(user_uuid "$u")
  pgbench_defs+=(-D "sub_$u=$uuid" -D "claims_$u=$(printf '{"sub":"%s","role":"authenticated","aud":"authenticated","iat":%d,"exp":%d}' "$uuid" "$(date +%s)" $(( $(date +%s) + 7200 )))")
done
for i in "${!cases[@]}"; do
  c=${cases[i]}
  setup=$(to_pgbench "${setups[i]}" "${setup_params[i]}")
  query=$(to_pgbench "${queries[i]}" "${query_params[i]}")
  for u in $(seq 1 "$USERS"); do
    cat >"$WORK/$c.$u.sql" <<EOF
\\set room_offset (10 * $u + random(0, 9)) % 100
\\set id 100 * random(1, 999) + :room_offset
\\set room :room_offset + 1
\\set limit $CAPTURE_LIMIT
\\startpipeline
${begins[i]};
${setup//%U%/$u};
${query//%U%/$u};
commit;
\\endpipeline
EOF
  done
  echo "== $c: the gateway's transaction, as pgbench runs it (user 1)"
  sed -n '5,$p' "$WORK/$c.1.sql"
done
if [ -f "$WORK/insert-body" ]; then
  for u in $(seq 1 "$USERS"); do
    body=$(sed "s/\"room_id\":$CAPTURE_INSERT_ROOM,/\"room_id\":$(( (10 * u) % 100 + 1 )),/" "$WORK/insert-body")
    pgbench_defs+=(-D "body_$u=$body")
  done
fi

# --- measure ------------------------------------------------------------------------------
# CPU time is counted per process group, in clock ticks: the gateway's JVM, Postgres (the
# postmaster's children alive now plus those it has reaped) and the load generator (bash's time).
HZ=$(getconf CLK_TCK)
PG_PID=$(head -1 "$BENCH_DATA/postgres/postmaster.pid")
cpu_gateway() { awk '{ print $14 + $15 }' "/proc/$BENCH_PID/stat"; }
cpu_jit() { # the JVM's compiler threads (their names hold spaces, so fields are counted after the ")")
  local t=0 task
  for task in /proc/$BENCH_PID/task/*; do
    case $(cat "$task/comm" 2>/dev/null) in C1\ Compiler* | C2\ Compiler*)
      t=$((t + $(sed 's/.*) //' "$task/stat" | awk '{ print $12 + $13 }'))) ;; esac
  done
  echo "$t"
}
cpu_postgres() {
  local t p
  t=$(awk '{ print $16 + $17 }' "/proc/$PG_PID/stat")
  for p in $(pgrep -P "$PG_PID"); do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
per_request() { awk -v t="$1" -v hz="$HZ" -v n="$2" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }'; } # ticks, count -> µs
load1() { cut -d' ' -f1 /proc/loadavg; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
TIMEFORMAT='CPU %U %S'
run_wrk() { # case seconds -> $WORK/wrk.out (the WRK line) and $WORK/wrk.time (its CPU)
  { time wrk -t "$THREADS" -c "$CLIENTS" -d "$2s" --timeout 10s -s bench/rest/requests.lua "$BENCH_URL" -- "$1" \
      "$WORK/tokens" >"$WORK/wrk.out" 2>&1; } 2>"$WORK/wrk.time"
}

# The JIT compiles the gateway's hot paths during the first seconds of load (on these cores it
# then takes as much CPU as the requests): every case is warmed before any is measured.
for c in "${cases[@]}"; do
  echo "== $c: gateway warm-up ${WARMUP}s"
  run_wrk "$c" "$WARMUP"
done

bench_psql -c "vacuum analyze bench_items" >/dev/null

rows=() cpu_rows=()
failed=0
for c in "${cases[@]}"; do
  echo "== $c: wrk, then pgbench, ${DURATION}s each, $CLIENTS clients, $THREADS threads"
  load_before=$(load1)
  g0=$(cpu_gateway); j0=$(cpu_jit); p0=$(cpu_postgres)
  run_wrk "$c" "$DURATION"
  g1=$(cpu_gateway); j1=$(cpu_jit); p1=$(cpu_postgres)
  read -r _ w_n w_s w_p50 w_p99 w_fail < <(grep '^WRK ' "$WORK/wrk.out") || { cat "$WORK/wrk.out" >&2; exit 1; }
  w_rps=$(awk -v n="$w_n" -v s="$w_s" 'BEGIN { printf "%.0f", n / s }')
  w_gw=$(per_request $((g1 - g0)) "$w_n")
  w_jit=$(per_request $((j1 - j0)) "$w_n")
  w_pg=$(per_request $((p1 - p0)) "$w_n")
  w_gen=$(awk -v n="$w_n" '/^CPU / { printf "%.0f", ($2 + $3) * 1e6 / n }' "$WORK/wrk.time")

  scripts=()
  for u in $(seq 1 "$USERS"); do scripts+=(-f "$WORK/$c.$u.sql@1"); done
  rm -f "$WORK"/pgbench-log*
  p0=$(cpu_postgres)
  { time (cd "$WORK" && pgbench -n -M prepared -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -l --log-prefix=pgbench-log \
      -h 127.0.0.1 -p "$BENCH_DB_PORT" -U authenticator "${pgbench_defs[@]}" "${scripts[@]}" postgres \
      >"$WORK/pgbench.out" 2>&1); } 2>"$WORK/pgbench.time" || {
    grep -v '^\(SQL script\|  *-\| - \|statement latencies\)' "$WORK/pgbench.out" | tail -20 >&2
    echo "pgbench failed on $c" >&2; exit 1; }
  p1=$(cpu_postgres)
  load_after=$(load1)
  p_tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.out")
  p_n=$(awk '/^number of transactions actually processed/ { split($NF, a, "/"); print a[1] }' "$WORK/pgbench.out")
  p_fail=$(awk '/^number of failed transactions/ { print $5; f = 1 } END { if (!f) print 0 }' "$WORK/pgbench.out")
  read -r p_p50 p_p99 < <(cat "$WORK"/pgbench-log* | awk '{ print $3 }' | sort -n | awk '
    { v[NR] = $1 } END { i50 = int(NR * 0.50 + 0.999); i99 = int(NR * 0.99 + 0.999); print v[i50], v[i99] }')
  p_pg=$(per_request $((p1 - p0)) "$p_n")
  p_gen=$(awk -v n="$p_n" '/^CPU / { printf "%.0f", ($2 + $3) * 1e6 / n }' "$WORK/pgbench.time")

  bench_psql -c "vacuum analyze bench_items" >/dev/null
  [ "$w_fail" = 0 ] && [ "$p_fail" = 0 ] || failed=1
  rows+=("| $c | $w_rps | $(ms "$w_p50") | $(ms "$w_p99") | $p_tps | $(ms "$p_p50") | $(ms "$p_p99") | $(awk -v a="$w_rps" -v b="$p_tps" 'BEGIN { printf "%.0f%%", 100 * a / b }') | $w_fail / $p_fail | $load_before / $load_after |")
  cpu_rows+=("| $c | $w_gw (JIT $w_jit) | $w_pg | $w_gen | $((w_gw + w_pg + w_gen)) | $p_pg | $p_gen | $((p_pg + p_gen)) | $(awk -v a=$((p_pg + p_gen)) -v b=$((w_gw + w_pg + w_gen)) 'BEGIN { printf "%.0f%%", 100 * a / b }') |")
done

echo
echo "$CLIENTS clients, $THREADS threads, ${DURATION}s per run after ${WARMUP}s of warm-up per case, $USERS users, $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "| case | Parley req/s | p50 ms | p99 ms | pgbench tx/s | p50 ms | p99 ms | Parley / pgbench | failed (Parley / pgbench) | load 1 min (before / after) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "CPU time per request, µs"
echo "| case | Parley: gateway (of which JIT compiler) | Postgres | wrk | total | pgbench: Postgres | pgbench | total | pgbench total / Parley total |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${cpu_rows[@]}"
warnings=$(grep -c " WARN \| ERROR " "$BENCH_LOG" || true)
if [ "$warnings" -gt 0 ]; then
  echo "the gateway logged $warnings warnings or errors; the last ones:"
  grep " WARN \| ERROR " "$BENCH_LOG" | tail -5
fi
[ "$failed" = 0 ] || { echo "some requests or transactions failed: the figures above do not count" >&2; exit 1; }
