#!/usr/bin/env bash
# Lernorte benchmarks: every speed target measured beside its anchor in the same run.
#
#   bench/run.sh BUILD_DIR        (make bench builds BUILD_DIR=build/bench and calls this)
#
# Generates SYNTHETIC data into bench/out/, runs the benchmarks, prints a summary table and
# writes bench/out/results.md. Needs: wrk, nginx (nginx-light), hyperfine, curl, ogr2ogr
# (gdal-bin); all in the Makefile's DEB_PACKAGES / BENCH_PACKAGES. Takes about 10 minutes on
# 2 cores. Environment knobs (defaults in brackets): RUNS [3] repeated whole-program runs,
# REPS [5] Google Benchmark repetitions, WRK_SECONDS [10].
set -euo pipefail

BUILD=$(cd "${1:?usage: bench/run.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
DATA=$ROOT/data/dresden
LERNORTE=$BUILD/main/lernorte
GEN=$BUILD/bench/lernorte_bench_gen
BM_LOOKUP=$BUILD/bench/lernorte_bench_lookup
BM_QUERY=$BUILD/bench/lernorte_bench_query
BM_API=$BUILD/bench/lernorte_bench_api
RUNS=${RUNS:-3}
REPS=${REPS:-5}
# Google Benchmark reports medians only over 2 or more repetitions.
[ "$REPS" -ge 2 ] || { echo "run.sh: REPS must be at least 2 (medians need repetitions)" >&2; exit 2; }
WRK_SECONDS=${WRK_SECONDS:-10}
SEED_100K=42
SEED_1M=43

for tool in "$LERNORTE" "$GEN" "$BM_LOOKUP" "$BM_QUERY" "$BM_API"; do
    [ -x "$tool" ] || { echo "run.sh: $tool is missing; build with -DLERNORTE_BENCH=ON" >&2; exit 2; }
done
for tool in wrk nginx hyperfine curl ogr2ogr awk; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (make bench-deps)" >&2; exit 2; }
done

mkdir -p "$OUT"
LOG=$OUT/run.log
: >"$LOG"
say() { echo "== $*" | tee -a "$LOG" >&2; }
BENCH_NAME=run.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

# --- servers we start, and only those, are stopped on every exit ----------------------------
SERVER_PIDS=()
cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- small number helpers ---------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN {printf \"%.${2:-2}f\", $1}"; }
# Field of one benchmark in a Google Benchmark JSON file: bm FILE NAME FIELD
bm() {
    awk -v name="\"name\": \"$2\"," -v field="\"$3\":" '
        index($0, name) { hit = 1; next }
        hit && index($0, field) { v = $0; sub(/.*: /, "", v); sub(/,$/, "", v); print v; exit }
        hit && /^    }/ { hit = 0 }' "$1"
}
verdict() { [ "$(awk "BEGIN {print ($1) ? 1 : 0}")" = 1 ] && echo met || echo "NOT met"; }

# --- 1. data ------------------------------------------------------------------------------------
say "1. SYNTHETIC data (seeded): 100k (CSV + GeoJSON) and 1M (CSV)"
gen_start=$(date +%s%N)
CSV_100K=$("$GEN" --seed $SEED_100K --count 100000 --out-dir "$OUT" --geojson)
CSV_100K=${CSV_100K%%$'\n'*}  # the first line is the CSV, the second the GeoJSON
gen_100k_ms=$(( ($(date +%s%N) - gen_start) / 1000000 ))
gen_start=$(date +%s%N)
CSV_1M=$("$GEN" --seed $SEED_1M --count 1000000 --out-dir "$OUT")
gen_1m_ms=$(( ($(date +%s%N) - gen_start) / 1000000 ))
echo "$CSV_100K ($gen_100k_ms ms), $CSV_1M ($gen_1m_ms ms)" | tee -a "$LOG" >&2

# Databases written by lernorte itself: Stadträume + outline, then the places.
BASE_DB=$OUT/base.sqlite
DB_100K=$OUT/lernorte_SYNTHETIC_100k.sqlite
DB_1M=$OUT/lernorte_SYNTHETIC_1m.sqlite
rm -f "$BASE_DB"* "$DB_100K"* "$DB_1M"*
"$LERNORTE" import stadtraeume "$DATA/boundaries/stadtraeume_17.geojson" \
    --mapping "$DATA/mappings/stadtraeume.json" --db "$BASE_DB" >>"$LOG"
"$LERNORTE" import outline "$DATA/boundaries/stadtgrenze_aus_stadtteilen.geojson" \
    --mapping "$DATA/mappings/stadtgrenze.json" --db "$BASE_DB" >>"$LOG"
import_places() {  # CSV DB: import, log the report, fail unless every row is stored
    local rc=0 report
    report=$("$LERNORTE" import places "$1" --map source_id=id --db "$2") || rc=$?
    printf '%s\n' "$report" | sed -n 1,20p >>"$LOG"
    local n_rows stored
    n_rows=$(($(wc -l <"$1") - 1))
    IMPORT_LINE=${report%%$'\n'*}
    stored=$(sed -n 's/.*inserted \([0-9]*\).*/\1/p' <<<"$IMPORT_LINE")
    echo "$(basename "$1"): $IMPORT_LINE (exit $rc)" | tee -a "$LOG" >&2
    if [ "$stored" != "$n_rows" ]; then
        echo "run.sh: $1: only $stored of $n_rows places stored" >&2
        return 1
    fi
    IMPORT_RC=$rc
}
cp "$BASE_DB" "$DB_100K"
import_places "$CSV_100K" "$DB_100K"
import_rc_100k=$IMPORT_RC
import_report_100k=$IMPORT_LINE
cp "$BASE_DB" "$DB_1M"
t0=$(date +%s%N)
import_places "$CSV_1M" "$DB_1M"
import_1m_s=$(calc "($(date +%s%N) - $t0) / 1e9" 1)

# --- 2. point-in-Stadtraum lookups --------------------------------------------------------------
say "2. point-in-Stadtraum: Catalogue::locate vs SpatiaLite SQL on $DB_100K"
BM_FLAGS=(--benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true --benchmark_out_format=json)
"$BM_LOOKUP" --db "$DB_100K" "${BM_FLAGS[@]}" --benchmark_out="$OUT/lookup.json" 2>&1 | tee -a "$LOG" >&2
lk_ours=$(bm "$OUT/lookup.json" locate/lernorte_catalogue_median items_per_second)
lk_sql=$(bm "$OUT/lookup.json" locate/spatialite_sql_median items_per_second)
lk_rtree=$(bm "$OUT/lookup.json" locate/spatialite_sql_rtree_median items_per_second)
lk_mismatch=$(bm "$OUT/lookup.json" locate/spatialite_sql_median mismatches)
lk_anchor=$(awk "BEGIN {print ($lk_rtree > $lk_sql) ? $lk_rtree : $lk_sql}")  # the faster SQL form
lk_ratio=$(calc "$lk_ours / $lk_anchor" 0)

# --- 3. items query in process, 1M places ------------------------------------------------------
say "3. Catalogue::query (bbox, limit 100) on 1M SYNTHETIC places in memory"
"$BM_QUERY" --db "$DB_100K" --count 1000000 --seed $SEED_1M "${BM_FLAGS[@]}" \
    --benchmark_out="$OUT/query.json" 2>&1 | tee -a "$LOG" >&2
q1_us=$(bm "$OUT/query.json" query_bbox_limit100/1km_median real_time)
q3_us=$(bm "$OUT/query.json" query_bbox_limit100/3km_median real_time)
q10_us=$(bm "$OUT/query.json" query_bbox_limit100/10km_median real_time)
q1_m=$(bm "$OUT/query.json" query_bbox_limit100/1km_median matched)
q3_m=$(bm "$OUT/query.json" query_bbox_limit100/3km_median matched)
q10_m=$(bm "$OUT/query.json" query_bbox_limit100/10km_median matched)
build_ms=$(bm "$OUT/query.json" catalogue_build/iterations:1/repeats:3/real_time_median real_time)

# --- 4. HTTP throughput: lernorte serve vs nginx serving the same body --------------------------
say "4. HTTP items (bbox, limit 100): lernorte serve vs nginx static file, wrk -t2 -c32 -d${WRK_SECONDS}s"
ITEMS_PATH=/api/collections/places/items
# A 1 km x 1 km view around the Altmarkt.
ITEMS_QUERY="bbox=13.7302,51.0459,13.7444,51.0549&limit=100"
L_PORT=$(free_port 18080)
"$LERNORTE" serve --db "$DB_100K" --port "$L_PORT" --threads 2 --quiet >>"$LOG" 2>&1 &
L_PID=$!
SERVER_PIDS+=("$L_PID")
wait_healthz "$L_PORT" "$L_PID"
NGX=$OUT/nginx
rm -rf "$NGX"
mkdir -p "$NGX/tmp"
curl -sf -o "$NGX/items.json" "http://127.0.0.1:$L_PORT$ITEMS_PATH?$ITEMS_QUERY"
body_bytes=$(wc -c <"$NGX/items.json")
N_PORT=$(free_port $((L_PORT + 1)))
start_nginx "$NGX" "$N_PORT" "location = $ITEMS_PATH { default_type application/geo+json; alias $NGX/items.json; }" \
    "http://127.0.0.1:$N_PORT$ITEMS_PATH?$ITEMS_QUERY" "$NGX/items.json"
wrk_l=()
wrk_n=()
for i in $(seq "$RUNS"); do  # interleaved, so drift hits both alike
    wrk_l+=("$(run_wrk "http://127.0.0.1:$L_PORT$ITEMS_PATH?$ITEMS_QUERY")")
    wrk_n+=("$(run_wrk "http://127.0.0.1:$N_PORT$ITEMS_PATH?$ITEMS_QUERY")")
    echo "run $i: lernorte ${wrk_l[-1]} req/s, nginx ${wrk_n[-1]} req/s" | tee -a "$LOG" >&2
done
http_ours=$(median "${wrk_l[@]}")
http_nginx=$(median "${wrk_n[@]}")
http_ratio=$(calc "$http_ours / $http_nginx" 2)
stop_pid "$N_PID"
stop_pid "$L_PID"
# The same request through Api::handle, without sockets: how much of a request is ours.
"$BM_API" --db "$DB_100K" --url "$ITEMS_PATH?$ITEMS_QUERY" "${BM_FLAGS[@]}" \
    --benchmark_out="$OUT/api.json" 2>&1 | tee -a "$LOG" >&2
api_us=$(bm "$OUT/api.json" api_handle/items_bbox_limit100_median real_time)

# --- 5. import of 100k places: lernorte vs ogr2ogr ---------------------------------------------
say "5. import of 100k places: lernorte import places vs ogr2ogr -f SQLite -dsco SPATIALITE=YES"
IMP_L=$OUT/import_lernorte.sqlite
IMP_O=$OUT/import_ogr2ogr.sqlite
# Fresh files for every run; lernorte's starts with the Stadträume and outline it needs.
# --ignore-failure: lernorte exits 1 when it rejects rows; the row count is checked above.
hyperfine --runs "$RUNS" --warmup 1 --ignore-failure --export-json "$OUT/import.json" \
    --prepare "rm -f '$IMP_L'* '$IMP_O'*; cp '$BASE_DB' '$IMP_L'" \
    -n lernorte "'$LERNORTE' import places '$CSV_100K' --map source_id=id --db '$IMP_L'" \
    -n ogr2ogr "ogr2ogr -f SQLite -dsco SPATIALITE=YES '$IMP_O' '$CSV_100K' -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326 -nln places" \
    2>&1 | tee -a "$LOG" >&2
hf_median() {  # NAME -> median seconds, from hyperfine's JSON export
    awk -v name="\"command\": \"$1\"," '
        index($0, name) { hit = 1; next }
        hit && /"median":/ { v = $0; sub(/.*: /, "", v); sub(/,$/, "", v); print v; exit }' "$OUT/import.json"
}
imp_ours=$(hf_median lernorte)
imp_ogr=$(hf_median ogr2ogr)
imp_ratio=$(calc "$imp_ours / $imp_ogr" 2)
ogr_rows=$(sqlite3 "$IMP_O" "SELECT count(*) FROM places" 2>/dev/null || echo "?")
rm -f "$IMP_L"* "$IMP_O"*

# --- 6. memory and start-up with 1M places -----------------------------------------------------
say "6. lernorte serve on 1M places: time to the first 200 from /healthz, VmRSS then"
st_ms=()
rss_mb=()
hwm_mb=()
measure_start() {  # LABEL: one start of the server on DB_1M; appends to st_ms, rss_mb, hwm_mb
    local port pid t0
    port=$(free_port 18090)
    t0=$(date +%s%N)
    "$LERNORTE" serve --db "$DB_1M" --port "$port" --threads 2 --quiet >>"$LOG" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    wait_healthz "$port" "$pid"
    st_ms+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
    rss_mb+=("$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")")
    hwm_mb+=("$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")")
    stop_pid "$pid"  # SIGTERM: the server finishes writing its read-model snapshot
    echo "$1: start-up ${st_ms[-1]} ms, VmRSS ${rss_mb[-1]} MB (peak VmHWM ${hwm_mb[-1]} MB)" | tee -a "$LOG" >&2
}
# The first start after an import has no snapshot that matches the store: it loads every row
# from SQLite and writes DB.readmodel meanwhile. Every later start reads that file.
rm -f "$DB_1M.readmodel"
measure_start "first start (from the store)"
cold_ms=${st_ms[0]}
cold_rss=${rss_mb[0]}
cold_hwm=${hwm_mb[0]}
st_ms=()
rss_mb=()
hwm_mb=()
[ -s "$DB_1M.readmodel" ] || { echo "bench: the server wrote no $DB_1M.readmodel" >&2; exit 1; }
snapshot_mb=$(( $(stat -c %s "$DB_1M.readmodel") / 1048576 ))
for i in $(seq "$RUNS"); do measure_start "run $i (from the snapshot)"; done
startup_ms=$(median "${st_ms[@]}")
rss=$(median "${rss_mb[@]}")
hwm=$(median "${hwm_mb[@]}")

# --- summary ---------------------------------------------------------------------------------
RESULTS=$OUT/results.md
{
    echo "# Lernorte benchmark results"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)," \
        "$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)." \
        "Medians of $RUNS runs (processes) or $REPS repetitions (Google Benchmark)."
    echo
    echo "| # | target | Lernorte | anchor | ratio | goal | verdict |"
    echo "|---|---|---|---|---|---|---|"
    echo "| 2 | point-in-Stadtraum lookups/s | $(calc "$lk_ours / 1e6" 2) M/s (Catalogue::locate) | $(calc "$lk_anchor / 1e3" 2) k/s (SpatiaLite SQL, faster of 2 forms; SpatialIndex form $(calc "$lk_sql / 1e3" 2) k/s) | ${lk_ratio}x | >= 50x | $(verdict "$lk_ours >= 50 * $lk_anchor") |"
    echo "| 3 | items query 1 km view, 1M places (median) | $(calc "$q1_us" 1) µs (~$(calc "$q1_m" 0) matched) | - | - | < 100 µs | $(verdict "$q1_us < 100") |"
    echo "| 3 | items query 3 km view, 1M places (median) | $(calc "$q3_us" 1) µs (~$(calc "$q3_m" 0) matched) | - | - | < 100 µs | $(verdict "$q3_us < 100") |"
    echo "| 3 | items query 10 km view, 1M places (info) | $(calc "$q10_us" 1) µs (~$(calc "$q10_m" 0) matched) | - | - | (none) | - |"
    echo "| 3 | Catalogue::build, 1M places (median of 3) | $(calc "$build_ms / 1000" 2) s | - | - | (report) | - |"
    echo "| 4 | HTTP items bbox limit 100, req/s | $(calc "$http_ours" 0) | $(calc "$http_nginx" 0) (nginx, same $body_bytes-byte body) | $http_ratio | >= 0.5 | $(verdict "$http_ours >= 0.5 * $http_nginx") |"
    echo "| 4 | same request via Api::handle, no sockets (info) | $(calc "$api_us" 1) µs | - | - | - | - |"
    echo "| 5 | import 100k places (s) | $(calc "$imp_ours" 2) | $(calc "$imp_ogr" 2) (ogr2ogr, $ogr_rows rows) | $imp_ratio | <= 1.0 | $(verdict "$imp_ours <= $imp_ogr") |"
    echo "| 6 | start-up to first /healthz 200, 1M places | $(calc "$startup_ms / 1000" 2) s | - | - | < 2 s | $(verdict "$startup_ms < 2000") |"
    echo "| 6 | VmRSS once ready, 1M places | $rss MB (peak VmHWM $hwm MB) | - | - | < 1024 MB | $(verdict "$rss < 1024") |"
    echo "| 6 | first start after an import (no snapshot yet; one run) | $(calc "$cold_ms / 1000" 2) s, VmRSS $cold_rss MB (peak $cold_hwm MB) | - | - | (report) | - |"
    echo
    echo "Runs: HTTP lernorte ${wrk_l[*]} req/s, nginx ${wrk_n[*]} req/s; start-up ${st_ms[*]} ms; VmRSS ${rss_mb[*]} MB; read-model snapshot $snapshot_mb MB."
    echo "Lookup answers differing between Catalogue::locate and SpatiaLite: $(calc "$lk_mismatch" 0) of 10000 points."
    echo "Data: 100k generated in $gen_100k_ms ms, 1M in $gen_1m_ms ms; \`lernorte import places\` of 1M took ${import_1m_s} s (one run)."
    echo "100k import report: $import_report_100k (exit $import_rc_100k)."
} >"$RESULTS"
say "results ($RESULTS)"
cat "$RESULTS"
