#!/usr/bin/env bash
# Write benchmarks (issue "Editors"): writes per second through HTTP with 8 clients, each
# write a commit, beside SQLite alone committing one row at a time on the same disk; the time
# from a committed write to the next tile that shows it; read throughput alone and while 10
# writes per second run.
#
#   bench/writes/run.sh BUILD_DIR      (make bench runs it after the other suites)
#
# Knobs: RUNS [3] repetitions (medians reported), WRK_SECONDS [10], TOTAL [800] writes per burst.
# Writes go into a copy of the bundled Dresden database; the places they create are SYNTHETIC.
set -euo pipefail
BUILD=$(cd "${1:?usage: bench/writes/run.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/bench/out/writes
RUNS=${RUNS:-3}
WRK_SECONDS=${WRK_SECONDS:-10}
TOTAL=${TOTAL:-800}
LERNORTE=$BUILD/main/lernorte
PY="python3 $ROOT/bench/writes/writes.py"
mkdir -p "$OUT"
LOG=$OUT/run.log
: >"$LOG"
BENCH_NAME=writes
SERVER_PIDS=()
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
cleanup() { local pid; for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done; }
trap cleanup EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# Every run starts from a copy of the freshly seeded Dresden database (about 600 places), so
# the runs measure the same catalogue size: a publication rebuilds the places part of the read
# model, so writes get slower as the catalogue grows (see docs/BENCHMARKS.md).
TEMPLATE=$OUT/template.sqlite
DB=$OUT/writes.sqlite
rm -f "$TEMPLATE" "$TEMPLATE-wal" "$TEMPLATE-shm"
printf 'bench-password-1\n' >"$OUT/pw"
start_server() {
    PORT=$(free_port 18300)
    "$LERNORTE" serve --db "$1" --port "$PORT" --data "$ROOT/data/dresden" --quiet >>"$LOG" 2>&1 &
    PID=$!
    SERVER_PIDS+=("$PID")
    wait_healthz "$PORT" "$PID"
}
start_server "$TEMPLATE"
"$LERNORTE" user add bench --role editor --db "$TEMPLATE" --password-file "$OUT/pw" >>"$LOG"
stop_pid "$PID"

writes=(); anchor=(); p50=(); tile_ms=(); stale=(); reads_alone=(); reads_busy=(); trickle_rate=()
for run in $(seq "$RUNS"); do
    echo "== run $run/$RUNS" >&2
    rm -f "$DB" "$DB-wal" "$DB-shm"
    cp "$TEMPLATE" "$DB"
    start_server "$DB"
    TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' \
        "http://127.0.0.1:$PORT/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    READ_URL="http://127.0.0.1:$PORT/api/collections/places/items?category=bibliothek&limit=20"
    r=$($PY burst "$PORT" "$TOKEN" 8 "$TOTAL"); echo "burst $r" >>"$LOG"
    writes+=("$(field "$r" writes_per_s)"); p50+=("$(field "$r" p50_ms)")
    a=$($PY sqlite "$OUT" "$TOTAL"); echo "sqlite $a" >>"$LOG"
    anchor+=("$(field "$a" writes_per_s)")
    t=$($PY tile "$PORT" "$TOKEN" 50); echo "tile $t" >>"$LOG"
    tile_ms+=("$(field "$t" median_ms)"); stale+=("$(field "$t" stale_tiles)")
    reads_alone+=("$(run_wrk "$READ_URL")")
    $PY trickle "$PORT" "$TOKEN" 10 "$((WRK_SECONDS + 1))" >"$OUT/trickle.json" &
    TPID=$!
    reads_busy+=("$(run_wrk "$READ_URL")")
    wait "$TPID"
    echo "trickle $(cat "$OUT/trickle.json")" >>"$LOG"
    trickle_rate+=("$(field "$(cat "$OUT/trickle.json")" writes_per_s)")
    stop_pid "$PID"
done

W=$(median "${writes[@]}"); A=$(median "${anchor[@]}"); RA=$(median "${reads_alone[@]}"); RB=$(median "${reads_busy[@]}")
{
    echo "| measure | Lernorte | anchor | ratio |"
    echo "|---|---|---|---|"
    echo "| writes/s, 8 clients over HTTP, each write a commit, $TOTAL writes into ~600 places (median of $RUNS) | $(printf %.0f "$W") | SQLite alone, 1 row per commit: $(printf %.0f "$A") | $(awk "BEGIN{printf \"%.2f\", $W/$A}") |"
    echo "| write latency p50 (ms) | $(printf %.1f "$(median "${p50[@]}")") | | |"
    echo "| committed write -> next z14 tile shows it (ms, median) | $(printf %.1f "$(median "${tile_ms[@]}")") | | stale tiles: $(median "${stale[@]}") of 50 |"
    echo "| reads/s (items, category filter) alone | $(printf %.0f "$RA") | | |"
    echo "| reads/s while $(printf %.1f "$(median "${trickle_rate[@]}")") writes/s run | $(printf %.0f "$RB") | reads alone | $(awk "BEGIN{printf \"%.2f\", $RB/$RA}") |"
} | tee "$OUT/results.md"
