#!/usr/bin/env bash
# Storage benchmark: a large upload and download through a gateway whose heap is capped far
# below the object's size, so a whole-object buffer anywhere would fail with OutOfMemoryError.
# Reports throughput and the gateway's peak heap use (jstat samples every 100 ms).
#
#   bench/storage/run.sh [size-in-MiB, default 200] [heap, default 64m]
#
# Needs: a built jar (mvn -q -DskipTests package), curl, jstat (JDK), sha256sum.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MB=${1:-200}
HEAP=${2:-64m}
WORK=$(mktemp -d)
PORT=${PARLEY_BENCH_PORT:-55531}
DB_PORT=${PARLEY_BENCH_DB_PORT:-55532}
SECRET=bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz
trap 'kill "$GW" 2>/dev/null || true; [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

PARLEY_PORT=$PORT PARLEY_HOST=127.0.0.1 PARLEY_DB_PORT=$DB_PORT PARLEY_DATA_DIR="$WORK/data" \
PARLEY_JWT_SECRET=$SECRET PARLEY_STORAGE_MAX_FILE_SIZE=$(( (SIZE_MB + 10) * 1024 * 1024 )) \
  java -Xmx"$HEAP" -jar gateway/target/parley.jar > "$WORK/gateway.log" 2>&1 &
GW=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
KEY=$(grep "service_role key" "$WORK/gateway.log" | awk '{print $3}')
BASE="http://127.0.0.1:$PORT/storage/v1"
AUTH=(-H "Authorization: Bearer $KEY")

# Heap in use (KiB) = survivor + eden + old, sampled while the transfers run.
jstat -gc "$GW" 100 > "$WORK/jstat.txt" &
SAMPLER=$!

head -c $(( SIZE_MB * 1024 * 1024 )) /dev/urandom > "$WORK/blob"
SUM=$(sha256sum "$WORK/blob" | cut -d' ' -f1)
curl -sf "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"name":"bench"}' "$BASE/bucket" > /dev/null

t() { date +%s.%N; }
rate() { awk -v s="$1" -v e="$2" -v mb="$SIZE_MB" 'BEGIN { printf "%.1f s, %.0f MiB/s", e - s, mb / (e - s) }'; }

s=$(t); curl -sf "${AUTH[@]}" -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/blob" "$BASE/object/bench/raw.bin" > /dev/null; e=$(t)
echo "upload   raw body  ${SIZE_MB} MiB: $(rate "$s" "$e")"
s=$(t); curl -sf "${AUTH[@]}" -F "cacheControl=60" -F "=@$WORK/blob;type=application/octet-stream" "$BASE/object/bench/form.bin" > /dev/null; e=$(t)
echo "upload   multipart ${SIZE_MB} MiB: $(rate "$s" "$e")"
s=$(t); curl -sf "${AUTH[@]}" -o "$WORK/down" "$BASE/object/bench/raw.bin"; e=$(t)
echo "download           ${SIZE_MB} MiB: $(rate "$s" "$e")"
[ "$(sha256sum "$WORK/down" | cut -d' ' -f1)" = "$SUM" ] || { echo "download differs from upload"; exit 1; }
curl -sf "${AUTH[@]}" -o "$WORK/down" "$BASE/object/bench/form.bin"
[ "$(sha256sum "$WORK/down" | cut -d' ' -f1)" = "$SUM" ] || { echo "multipart download differs from upload"; exit 1; }
curl -sf "${AUTH[@]}" -H 'Range: bytes=104857600-104858623' -o "$WORK/part" "$BASE/object/bench/raw.bin"
[ "$(stat -c %s "$WORK/part")" = 1024 ] || { echo "range request returned the wrong length"; exit 1; }

kill "$SAMPLER"; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=
awk 'NR > 1 && $1 ~ /^[0-9.]+$/ { used = $3 + $4 + $6 + $8; if (used > max) max = used }
     END { printf "gateway heap (-Xmx'"$HEAP"'): peak in use %.1f MiB\n", max / 1024 }' "$WORK/jstat.txt"
grep -q OutOfMemoryError "$WORK/gateway.log" && { echo "OutOfMemoryError in the gateway log"; exit 1; }
echo "bytes verified (sha256), range request ok"
