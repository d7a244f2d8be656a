#!/usr/bin/env bash
# Chat schema benchmark (docs/benchmarks.md, "Chat"): 1,000,000 messages in 1,000 rooms, then
# history pages, unread counts and search measured with EXPLAIN (ANALYZE, BUFFERS) as a signed-in
# user under RLS, exactly as a request runs them (role and claims set transaction-locally).
#
#   bench/chat/run.sh            start a gateway from gateway/target/parley.jar (embedded Postgres)
#   BENCH_DB_PORT=... bench/chat/run.sh --existing   reuse a database already loaded by load.sql
#
# Prints one line per query (median of RUNS executions, and the buffers of the last) and writes
# every plan to $OUT (default bench/chat/plans.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
RUNS=${RUNS:-7}
OUT=${OUT:-bench/chat/plans.txt}

if [ "${1:-}" != "--existing" ]; then
  bench_start_gateway
  echo "loading 1,000,000 messages..."
  start=$(date +%s)
  bench_psql -f bench/chat/load.sql >/dev/null
  echo "loaded in $(( $(date +%s) - start )) s"
fi

user() { printf '00000000-0000-0000-0000-%012x' "$1"; }
room() { printf '00000000-0000-0000-0001-%012x' "$1"; }
U1=$(user 1)      # rooms 8, 28, ..., 988: read up to 90% of each
U2=$(user 2)      # rooms 15, 35, ..., 995: never read anything (worst case for unread counts)
R=$(room 8)

# User 1 has read 90% of each of their rooms.
bench_psql -At <<SQL >/dev/null
delete from read_receipts where user_id in ('$U1', '$U2');
insert into read_receipts (room_id, user_id, last_read_message_id, last_read_at)
select rm.room_id, rm.user_id, m.id, m.created_at
from room_members rm
cross join lateral (select id, created_at from messages where room_id = rm.room_id
                    order by created_at desc, id desc offset 100 limit 1) m
where rm.user_id = '$U1';
analyze read_receipts;
SQL

CURSOR=$(bench_psql -At -F '|' -c "select created_at, id from messages where room_id = '$R' order by created_at desc, id desc offset 899 limit 1")
CURSOR_AT=${CURSOR%|*}
CURSOR_ID=${CURSOR#*|}
# Search words from one room's statistics: the most frequent word, and one of middling frequency.
COMMON=$(bench_psql -At -c "select word from ts_stat(\$\$select search from messages where room_id = '$R'\$\$) order by ndoc desc, word limit 1")
MIDDLE=$(bench_psql -At -c "select word from ts_stat(\$\$select search from messages where room_id = '$R'\$\$) order by ndoc desc, word offset 300 limit 1")
COMMON_N=$(bench_psql -At -c "select count(*) from messages where search @@ to_tsquery('english', '$COMMON')")
MIDDLE_N=$(bench_psql -At -c "select count(*) from messages where search @@ to_tsquery('english', '$MIDDLE')")

COLS="id, room_id, user_id, content, type, file_url, file_name, file_size, edited, edited_at, parent_id, deleted_at, created_at"

: >"$OUT"
# measure <label> <user> <sql>: in one session (as a pooled request connection is: warm caches),
# inside one request-like transaction, the query runs RUNS + 1 times; the first (cold: catalog
# caches, plan of the policy helpers) is left out, the median of the others reported.
measure() {
  local label=$1 who=$2 sql=$3 out
  out=$(bench_psql -At <<SQL
begin;
select set_config('role', 'authenticated', true),
       set_config('request.jwt.claims', '{"sub":"$who","role":"authenticated","aud":"authenticated"}', true),
       set_config('request.jwt.claim.sub', '$who', true),
       set_config('request.jwt.claim.role', 'authenticated', true),
       set_config('app.user_id', '$who', true) \g /dev/null
$(for _ in $(seq 0 "$RUNS"); do echo "explain (analyze, buffers, costs off, timing off) $sql;"; done)
rollback;
SQL
)
  local times median cold fastest last buffers
  times=$(printf '%s\n' "$out" | awk '/Execution Time/ { print $3 }')
  cold=$(printf '%s\n' "$times" | head -1)
  median=$(printf '%s\n' "$times" | tail -n +2 | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  fastest=$(printf '%s\n' "$times" | tail -n +2 | sort -n | head -1)
  # The last plan: the lines after the second-to-last "Execution Time".
  last=$(printf '%s\n' "$out" | awk -v n="$((RUNS + 1))" '/Execution Time/ { k++; if (k == n - 1) { buf = ""; next } } { if (k == n - 1) buf = buf $0 "\n" } END { printf "%s", buf }')
  buffers=$(printf '%s' "$last" | awk '/Buffers:/ { print; exit }' | sed 's/^ *//')
  printf '%-46s median %8s ms  fastest %8s ms  cold %8s ms  %s\n' "$label" "$median" "$fastest" "$cold" "$buffers"
  { echo "== $label (median $median ms, fastest $fastest ms of $RUNS warm runs; first, cold run $cold ms)"
    echo "$sql"; printf '%s\n' "$last"; } >>"$OUT"
}

# search_messages and chat.my_unread_count (behind unread_counts) are SECURITY DEFINER functions:
# EXPLAIN shows one Function Scan or call, so their inner plans are captured with auto_explain
# (nested statements) into the plans file.
nested_plans() {
  local who=$1 sql=$2
  bench_psql -At <<SQL >>"$OUT" 2>&1
load 'auto_explain';
set auto_explain.log_min_duration = 0;
set auto_explain.log_nested_statements = on;
set auto_explain.log_analyze = on;
set auto_explain.log_buffers = on;
set client_min_messages = log;
begin;
select set_config('role', 'authenticated', true),
       set_config('request.jwt.claims', '{"sub":"$who","role":"authenticated"}', true),
       set_config('request.jwt.claim.sub', '$who', true) \g /dev/null
$sql \g /dev/null
rollback;
SQL
}

echo "messages: $(bench_psql -At -c 'select count(*) from messages'), rooms: 1000, user 1 in $(bench_psql -At -c "select count(*) from room_members where user_id = '$U1'") rooms"
echo "search words: '$MIDDLE' in $MIDDLE_N messages, '$COMMON' in $COMMON_N messages"
measure "history: newest page of 50" "$U1" \
  "select $COLS from messages where room_id = '$R' order by created_at desc, id desc limit 50"
measure "history: page of 50 at depth 900 (keyset)" "$U1" \
  "select $COLS from messages where room_id = '$R' and (created_at, id) < ('$CURSOR_AT', '$CURSOR_ID') order by created_at desc, id desc limit 50"
measure "history: same depth, PostgREST or= form" "$U1" \
  "select $COLS from messages where room_id = '$R' and (created_at < '$CURSOR_AT' or (created_at = '$CURSOR_AT' and id < '$CURSOR_ID')) order by created_at desc, id desc limit 50"
measure "unread counts, 50 rooms, ~100 unread each" "$U1" "select * from unread_counts"
measure "unread counts, 50 rooms, all ~1000 unread" "$U2" "select * from unread_counts"
measure "search '$MIDDLE' (all my rooms)" "$U1" "select * from search_messages('$MIDDLE')"
measure "search '$MIDDLE' (one room)" "$U1" "select * from search_messages('$MIDDLE', '$R')"
measure "search '$COMMON' (all my rooms)" "$U1" "select * from search_messages('$COMMON')"
measure "rooms_with_latest_message (all visible)" "$U1" "select * from rooms_with_latest_message"
nested_plans "$U2" "select chat.my_unread_count('$(room 15)')"
nested_plans "$U1" "select * from search_messages('$MIDDLE')"
nested_plans "$U1" "select * from search_messages('$COMMON')"
echo "plans: $OUT"
