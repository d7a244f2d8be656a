#!/usr/bin/env bash
# Runs supabase-js's auth, storage, REST and realtime clients, unmodified, against the built jar:
# starts a gateway on its own embedded Postgres in a temporary data directory (random loopback
# ports, schemas public and extra exposed), installs the pinned supabase-js, applies rest.sql and
# realtime.sql (SDK test Postgres client), runs auth.mjs, storage.mjs, rest.mjs and realtime.mjs (every one even
# when an earlier one fails), and stops the gateway. Exits non-zero when any check failed.
#
#   scripts/supabase-js-check/run.sh      (after mvn -q -DskipTests package)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR=$ROOT/gateway/target/parley.jar
[ -f "$JAR" ] || { echo "build the jar first: mvn -q -DskipTests package" >&2; exit 1; }
WORK=$(mktemp -d /tmp/parley-sbjs.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
DB_PORT=$(free_port)
trap 'kill "$GW" 2>/dev/null || true; wait "$GW" 2>/dev/null || true; rm -rf "$WORK"' EXIT

PARLEY_DB_SCHEMAS=public,extra PARLEY_PORT=$PORT PARLEY_HOST=127.0.0.1 PARLEY_DB_PORT=$DB_PORT PARLEY_DATA_DIR="$WORK/data" \
  java -jar "$JAR" > "$WORK/gateway.log" 2>&1 &
GW=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do curl -sf "$URL/health" > /dev/null && break; sleep 0.5; done
curl -sf "$URL/health" > /dev/null || { echo "gateway did not start:" >&2; tail -30 "$WORK/gateway.log" >&2; exit 1; }
ANON=$(awk '/anon key/ { print $NF }' "$WORK/gateway.log" | head -1)
SERVICE=$(awk '/service_role key/ { print $NF }' "$WORK/gateway.log" | head -1)

cd "$HERE"
[ -d node_modules/@supabase/supabase-js ] || npm install --no-audit --no-fund --silent
# Node 20 needs the flag: supabase-js builds its realtime client (a WebSocket) eagerly.
NODE=(node)
node -e 'process.exit(typeof WebSocket === "undefined" ? 0 : 1)' && NODE=(node --experimental-websocket)

# The REST and realtime checks' tables; the gateway picks the DDL up without a restart. Applied
# with the SDK's test-only Postgres client, so that no psql needs installing.
for f in rest.sql realtime.sql; do
  node --input-type=module -e "import { sql } from '../../sdk-js/test/support/pg.js';
    import fs from 'node:fs'; await sql($DB_PORT, fs.readFileSync('$f', 'utf8'));"
done

export PARLEY_URL=$URL PARLEY_ANON_KEY=$ANON PARLEY_SERVICE_KEY=$SERVICE
FAILED=()
"${NODE[@]}" auth.mjs || FAILED+=(auth)

# The storage check acts as a user signed up through /auth/v1.
SESSION=$(curl -sf -H "apikey: $ANON" -H 'Content-Type: application/json' \
  -d "{\"email\":\"storage-$(date +%s)@example.com\",\"password\":\"storage-password\"}" "$URL/auth/v1/signup")
PARLEY_USER_TOKEN=$(node -e 'console.log(JSON.parse(process.argv[1]).access_token)' "$SESSION") \
PARLEY_USER_ID=$(node -e 'console.log(JSON.parse(process.argv[1]).user.id)' "$SESSION") \
  "${NODE[@]}" storage.mjs || FAILED+=(storage)
"${NODE[@]}" rest.mjs || FAILED+=(rest)
"${NODE[@]}" realtime.mjs || FAILED+=(realtime)
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "supabase-js check failed: ${FAILED[*]} (gateway log: last lines below)" >&2
  tail -20 "$WORK/gateway.log" >&2
  exit 1
fi
