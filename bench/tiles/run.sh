#!/usr/bin/env bash
# Lernorte tile benchmarks, every target beside its anchor in the same run (docs/BENCHMARKS-tiles.md):
#   1. tile generation per tile (z10, z12, z14, z16 over Dresden; 100k and 1M SYNTHETIC places):
#      engine::render_tile vs PostGIS ST_AsMVT (throwaway cluster on loopback) vs geojson-vt + vt-pbf
#   2. HTTP throughput of a cached tile: lernorte serve vs nginx serving the same bytes (wrk)
#   3. headless Chromium: navigation to places visible (100k places)
#
#   bench/tiles/run.sh BUILD_DIR      (BUILD_DIR = build/bench, configured with -DLERNORTE_BENCH=ON)
#
# Installs missing Debian packages with apt-get (postgresql-15, postgresql-15-postgis-3, gdal-bin,
# wrk, nginx-light, chromium, curl), runs `npm ci` in frontend/ when node_modules is missing and
# `npm run build` when frontend/dist is missing. Writes everything into bench/out/tiles/ and
# bench/out/tiles/results.md; prints the summary. Stops every server it starts. About 10-15 minutes
# on 2 cores and ~2 GB of disk. Knobs: ROUNDS [5] rounds per tile, RUNS [3] wrk runs,
# WRK_SECONDS [10], BROWSER_RUNS [5], SIZES ["100k 1m"], LERNORTE_SERVE (the served binary,
# default build/release/main/lernorte, else BUILD_DIR/main/lernorte), PG_PORT [first free from 25432].
set -euo pipefail

BUILD=$(cd "${1:?usage: bench/tiles/run.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/bench/out/tiles
DATA=$ROOT/data/dresden
FRONTEND=$ROOT/frontend
GEN=$BUILD/bench/lernorte_bench_gen
BT=$BUILD/bench/tiles/lernorte_bench_tiles
LERNORTE=${LERNORTE_SERVE:-$ROOT/build/release/main/lernorte}
[ -x "$LERNORTE" ] || LERNORTE=$BUILD/main/lernorte
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-3}
WRK_SECONDS=${WRK_SECONDS:-10}
BROWSER_RUNS=${BROWSER_RUNS:-5}
SIZES=${SIZES:-"100k 1m"}
PGBIN=/usr/lib/postgresql/15/bin

for tool in "$LERNORTE" "$GEN" "$BT"; do
    [ -x "$tool" ] || { echo "tiles/run.sh: $tool is missing; build with -DLERNORTE_BENCH=ON (bench/tiles added)" >&2; exit 2; }
done

# --- Debian packages, only the missing ones --------------------------------------------------------
need=()
for pkg in postgresql-15 postgresql-15-postgis-3 gdal-bin wrk nginx-light chromium curl nodejs npm; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
# nginx from another Debian package (nginx, nginx-core, nginx-full) is fine too.
if [[ " ${need[*]} " == *" nginx-light "* ]] && command -v nginx >/dev/null; then
    need=("${need[@]/nginx-light}")
fi
if [[ " ${need[*]} " == *" npm "* ]] && command -v npm >/dev/null; then need=("${need[@]/npm}"); fi
if [[ " ${need[*]} " == *" nodejs "* ]] && command -v node >/dev/null; then need=("${need[@]/nodejs}"); fi
read -r -a need <<<"${need[*]}"
if [ ${#need[@]} -gt 0 ]; then
    echo "== installing missing Debian packages: ${need[*]}" >&2
    SUDO=
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
[ -d "$FRONTEND/node_modules/geojson-vt" ] && [ -d "$FRONTEND/node_modules/playwright-core" ] || (cd "$FRONTEND" && npm ci)
[ -f "$FRONTEND/dist/index.html" ] || (cd "$FRONTEND" && npm run build)

mkdir -p "$OUT"
LOG=$OUT/run.log
: >"$LOG"
say() { echo "== $*" | tee -a "$LOG" >&2; }
BENCH_NAME=tiles/run.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
META=$OUT/meta.tsv
meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }
: >"$META"
rm -f "$OUT"/tiles_*.tsv "$OUT"/gvt_*.tsv "$OUT/http.tsv" "$OUT/browser.json"

# --- servers we start, and only those, are stopped on every exit ------------------------------------
SERVER_PIDS=()
PGDIR=
as_pg() {  # run as the postgres user when we are root (initdb refuses root)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done
    if [ -n "$PGDIR" ] && [ -d "$PGDIR/data" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PGDIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

meta date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta cpu "$(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
meta mem "$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
meta os "$(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r)"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
meta rounds "$ROUNDS"
meta runs "$RUNS"
meta wrk_seconds "$WRK_SECONDS"
meta browser_runs "$BROWSER_RUNS"

# --- data: SYNTHETIC places (CSV + GeoJSON), base database with the real Stadträume + outline ------
say "data: SYNTHETIC places (100k seed 42, 1M seed 43), CSV + GeoJSON"
declare -A SEED=([100k]=42 [1m]=43) COUNT=([100k]=100000 [1m]=1000000)
for size in $SIZES; do
    csv=$OUT/places_SYNTHETIC_${COUNT[$size]}_seed${SEED[$size]}.csv
    [ -s "$csv" ] && [ -s "${csv%.csv}.geojson" ] || "$GEN" --seed "${SEED[$size]}" --count "${COUNT[$size]}" --out-dir "$OUT" --geojson >>"$LOG"
done
BASE_DB=$OUT/base.sqlite
rm -f "$BASE_DB"*
"$LERNORTE" import stadtraeume "$DATA/boundaries/stadtraeume_17.geojson" --mapping "$DATA/mappings/stadtraeume.json" --db "$BASE_DB" >>"$LOG"
"$LERNORTE" import outline "$DATA/boundaries/stadtgrenze_aus_stadtteilen.geojson" --mapping "$DATA/mappings/stadtgrenze.json" --db "$BASE_DB" >>"$LOG"
TILES=$OUT/tiles.txt
"$BT" --db "$BASE_DB" --list-tiles "$TILES" --per-zoom 20 --tile-seed 7 2>&1 | tee -a "$LOG" >&2

# --- PostgreSQL + PostGIS: a throwaway cluster on loopback ------------------------------------------
say "PostgreSQL 15 + PostGIS: throwaway cluster"
PGDIR=$(mktemp -d /tmp/lernorte-tiles-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
PG_PORT=${PG_PORT:-$(free_port 25432)}
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U bench -A trust --no-sync -E UTF8 --locale=C.UTF-8 >>"$LOG" 2>&1
# Settings of a read-mostly tile database held in memory; jit off (as usually advised for tile
# serving: JIT compilation would be paid on every large tile); parallel query left at the default.
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -o "-k $PGDIR -p $PG_PORT -c listen_addresses=127.0.0.1 \
 -c shared_buffers=2GB -c work_mem=64MB -c maintenance_work_mem=1GB -c jit=off -c fsync=off -c synchronous_commit=off \
 -c full_page_writes=off -c max_wal_size=8GB" start >>"$LOG"
as_pg "$PGBIN/createdb" -h "$PGDIR" -p "$PG_PORT" -U bench bench
PSQL=(psql -h "$PGDIR" -p "$PG_PORT" -U bench -d bench -X -q -v ON_ERROR_STOP=1)
CONNINFO="host=$PGDIR port=$PG_PORT dbname=bench user=bench"
"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS postgis" >>"$LOG"
"${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_stadtraeume_src" >>"$LOG" 2>&1
ogr2ogr -f PostgreSQL "PG:$CONNINFO" "$DATA/boundaries/stadtraeume_17.geojson" -nln bench_stadtraeume_src \
    -t_srs EPSG:3857 -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI -overwrite >>"$LOG" 2>&1
meta postgres "$("${PSQL[@]}" -tA -c "SELECT split_part(version(), ' on ', 1) || ', PostGIS ' || postgis_lib_version()")"

# --- 1. tile generation ---------------------------------------------------------------------------
for size in $SIZES; do
    csv=$OUT/places_SYNTHETIC_${COUNT[$size]}_seed${SEED[$size]}.csv
    say "1. tiles, $size: loading PostGIS"
    t0=$(date +%s%N)
    "${PSQL[@]}" -f "$ROOT/bench/tiles/pg_load.sql" <"$csv" >>"$LOG" 2>&1
    meta "pg_load_$size" "$(awk "BEGIN {printf \"%.1f\", ($(date +%s%N) - $t0) / 1e9}")"
    say "1. tiles, $size: render_tile and PostGIS ST_AsMVT, interleaved per tile, $ROUNDS rounds"
    "$BT" --db "$BASE_DB" --count "${COUNT[$size]}" --seed "${SEED[$size]}" --tiles "$TILES" \
        --rounds "$ROUNDS" --pg "$CONNINFO" --out "$OUT/tiles_$size.tsv" 2>&1 | tee -a "$LOG" >&2
    meta "catalogue_build_$size" "$(sed -n 's/.*Catalogue::build \([0-9.]*\) s.*/\1/p' "$LOG" | tail -1 | awk '{printf "%.2f", $1}')"
    say "1. tiles, $size: geojson-vt + vt-pbf"
    node --max-old-space-size=16384 "$ROOT/bench/tiles/geojson_vt.mjs" --geojson "${csv%.csv}.geojson" \
        --stadtraeume "$DATA/boundaries/stadtraeume_17.geojson" --tiles "$TILES" --rounds "$ROUNDS" \
        --out "$OUT/gvt_$size.tsv" 2>&1 | tee -a "$LOG" >&2
done
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >>"$LOG"
rm -rf "$PGDIR"
PGDIR=

# --- 2. HTTP throughput of a cached tile ----------------------------------------------------------
say "2. HTTP: cached tile, lernorte serve vs nginx, wrk -t2 -c32 -d${WRK_SECONDS}s x $RUNS"
DB_100K=$OUT/lernorte_SYNTHETIC_100k.sqlite
rm -f "$DB_100K"*
cp "$BASE_DB" "$DB_100K"
"$LERNORTE" import places "$OUT/places_SYNTHETIC_100000_seed42.csv" --map source_id=id --db "$DB_100K" | head -1 | tee -a "$LOG" >&2
L_PORT=$(free_port 18380)
"$LERNORTE" serve --db "$DB_100K" --port "$L_PORT" --threads 2 --quiet --frontend "$FRONTEND/dist" >>"$LOG" 2>&1 &
L_PID=$!
SERVER_PIDS+=("$L_PID")
wait_healthz "$L_PORT" "$L_PID"
read -r cz cx cy < <(awk '$1 == 14 {print; exit}' "$TILES")  # the z14 centre tile
TILE_PATH=/tiles/$cz/$cx/$cy.mvt
NGX=$OUT/nginx
rm -rf "$NGX"
mkdir -p "$NGX/tmp" "$NGX/root/tiles/$cz/$cx"
curl -sf -o "$NGX/root$TILE_PATH" "http://127.0.0.1:$L_PORT$TILE_PATH"  # renders and caches the tile
meta http_path "$TILE_PATH"
meta http_bytes "$(wc -c <"$NGX/root$TILE_PATH")"
N_PORT=$(free_port $((L_PORT + 1)))
start_nginx "$NGX" "$N_PORT" "root $NGX/root;" "http://127.0.0.1:$N_PORT$TILE_PATH" "$NGX/root$TILE_PATH"
printf 'server\trun\trps\n' >"$OUT/http.tsv"
for i in $(seq "$RUNS"); do  # interleaved, so drift hits both alike
    l=$(run_wrk "http://127.0.0.1:$L_PORT$TILE_PATH")
    n=$(run_wrk "http://127.0.0.1:$N_PORT$TILE_PATH")
    printf 'lernorte\t%s\t%s\nnginx\t%s\t%s\n' "$i" "$l" "$i" "$n" >>"$OUT/http.tsv"
    echo "run $i: lernorte $l req/s, nginx $n req/s" | tee -a "$LOG" >&2
done
stop_pid "$N_PID"

# --- 3. browser --------------------------------------------------------------------------------------
say "3. browser: navigation to places visible, $BROWSER_RUNS navigations (headless Chromium)"
# A fresh server, so that the first navigation meets a cold tile cache.
stop_pid "$L_PID"
"$LERNORTE" serve --db "$DB_100K" --port "$L_PORT" --threads 2 --quiet --frontend "$FRONTEND/dist" >>"$LOG" 2>&1 &
L_PID=$!
SERVER_PIDS+=("$L_PID")
wait_healthz "$L_PORT" "$L_PID"
node "$ROOT/bench/tiles/browser_time.mjs" --url "http://127.0.0.1:$L_PORT/" --runs "$BROWSER_RUNS" \
    --out "$OUT/browser.json" 2>&1 | tee -a "$LOG" >&2
stop_pid "$L_PID"

# --- summary -----------------------------------------------------------------------------------------
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
node "$ROOT/bench/tiles/summarize.mjs" "$OUT" >"$OUT/results.md"
say "results ($OUT/results.md)"
cat "$OUT/results.md"
