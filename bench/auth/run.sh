#!/usr/bin/env bash
# Auth benchmark (docs/benchmarks.md): password sign-in throughput at a given bcrypt cost, and
# refresh-token rotation throughput. Starts the built jar on its own embedded Postgres with the
# sign-in rate limits off, creates 50 users, then signs in from Node's fetch.
#
#   bench/auth/run.sh [bcrypt cost, default 10] [sign-ins, default 200] [concurrency, default 4]
#
# Needs: a built jar (mvn -q -DskipTests package), node 18+, curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
COST=${1:-10}
REQUESTS=${2:-200}
CONCURRENCY=${3:-4}
export PARLEY_AUTH_BCRYPT_COST=$COST PARLEY_AUTH_RATE_LIMIT_EMAIL=0 PARLEY_AUTH_RATE_LIMIT_ADDRESS=0
. bench/lib.sh
bench_start_gateway -Xmx256m
echo "== bcrypt cost $COST, $(nproc) cores"
PARLEY_URL=$BENCH_URL \
PARLEY_ANON_KEY=$(awk '/anon key/ { print $NF }' "$BENCH_LOG" | head -1) \
PARLEY_SERVICE_KEY=$(awk '/service_role key/ { print $NF }' "$BENCH_LOG" | head -1) \
  node bench/auth/signin.mjs "$REQUESTS" "$CONCURRENCY"
