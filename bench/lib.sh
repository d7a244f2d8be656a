# Shared by the benchmark scripts: start a gateway from the built jar on its own embedded
# Postgres in a temporary data directory, on loopback ports, and stop it on exit.
BENCH_PORT=${BENCH_PORT:-56321}
BENCH_DB_PORT=${BENCH_DB_PORT:-56322}
BENCH_DATA=$(mktemp -d /tmp/parley-bench.XXXXXX)
BENCH_LOG=$BENCH_DATA/gateway.log
BENCH_URL=http://127.0.0.1:$BENCH_PORT

bench_psql() {
  psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BENCH_DB_PORT" -U postgres -d postgres "$@"
}

bench_start_gateway() {
  # $@: extra JVM options
  [ -f gateway/target/parley.jar ] || mvn -q -DskipTests package
  PARLEY_PORT=$BENCH_PORT PARLEY_DB_PORT=$BENCH_DB_PORT PARLEY_DATA_DIR=$BENCH_DATA PARLEY_HOST=127.0.0.1 \
    java "$@" -jar gateway/target/parley.jar >"$BENCH_LOG" 2>&1 &
  BENCH_PID=$!
  trap 'bench_stop_gateway; rm -rf "$BENCH_DATA"' EXIT
  for _ in $(seq 1 120); do
    curl -sf "$BENCH_URL/health" >/dev/null && return 0
    sleep 0.5
  done
  echo "gateway did not become healthy; log:" >&2
  tail -50 "$BENCH_LOG" >&2
  exit 1
}

# Stops the gateway and returns once its embedded Postgres has stopped too (the gateway's
# shutdown hook stops it; deleting the data directory under a running postmaster left
# half-deleted /tmp/parley-bench.* directories behind). Polls instead of `wait`, which a signal
# that ends the script interrupts.
bench_stop_gateway() {
  kill "$BENCH_PID" 2>/dev/null
  for _ in $(seq 1 300); do
    kill -0 "$BENCH_PID" 2>/dev/null || [ -n "$(find "$BENCH_DATA" -name postmaster.pid 2>/dev/null)" ] || break
    sleep 0.1
  done
}

# The heap the gateway uses after a full GC, in KiB.
bench_heap_kib() {
  jcmd "$BENCH_PID" GC.run >/dev/null
  sleep 1
  # sum "used" over the generations (young and old), not Metaspace
  jcmd "$BENCH_PID" GC.heap_info | awk '/Gen|garbage-first heap/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub("K,?", "", v); s += v } } END { print s + 0 }'
}

# An HS256 token for user $1 (uuid) signed with the gateway's secret, valid for 2 hours.
bench_user_token() {
  local secret header payload sig now
  secret=$(cat "$BENCH_DATA/jwt-secret")
  now=$(date +%s)
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
  payload=$(printf '{"sub":"%s","role":"authenticated","aud":"authenticated","iat":%d,"exp":%d}' "$1" "$now" $((now + 7200)) \
    | base64 -w0 | tr '+/' '-_' | tr -d '=')
  sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$secret" -binary | base64 -w0 | tr '+/' '-_' | tr -d '=')
  printf '%s.%s.%s' "$header" "$payload" "$sig"
}
