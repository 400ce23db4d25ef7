#!/usr/bin/env bash
# The lernorte command line as a user runs it: imports with reports and exit codes, bad input,
# a progress bar only on a terminal, serve creating the store on first start, SIGTERM.
set -uo pipefail
BIN=$1
DATA=$2
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
passed=0
failed=0

check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
count() { sqlite3 "$1" "SELECT count(*) FROM places${2:+ WHERE $2}"; }

DB=$WORK/cli.sqlite

# A file that does not exist: message, exit 2, no database created.
out=$("$BIN" import places "$WORK/missing.geojson" --db "$DB" 2>&1); rc=$?
check "missing file exits 2" test $rc -eq 2
check "missing file is named" grep -q "missing.geojson: no such file" <<<"$out"
check "missing file creates no database" test ! -e "$DB"

# Places before Stadträume.
printf 'name,category,lon,lat\nA,bibliothek,13.74,51.05\n' > "$WORK/one.csv"
out=$("$BIN" import places "$WORK/one.csv" --db "$DB" 2>&1); rc=$?
check "places before Stadträume exits 2" test $rc -eq 2
check "places before Stadträume says what to do" grep -q "import stadtraeume" <<<"$out"

# Stadträume and outline with their mapping files.
out=$("$BIN" import stadtraeume "$DATA/boundaries/stadtraeume_17.geojson" --mapping "$DATA/mappings/stadtraeume.json" --db "$DB" 2>&1); rc=$?
check "stadtraeume import exits 0" test $rc -eq 0
check "stadtraeume report" grep -q "read 17, inserted 17" <<<"$out"
"$BIN" import outline "$DATA/boundaries/stadtgrenze_aus_stadtteilen.geojson" --db "$DB" >/dev/null 2>&1
check "outline import exits 0" test $? -eq 0

# A mixed file: accepted and rejected rows, the report names each rejection.
printf 'Bezeichnung,typ,lon,lat\nGut,bibliothek,13.74,51.05\nBerlin,bibliothek,13.40,52.52\nZirkus,zirkus,13.74,51.05\n' > "$WORK/mixed.csv"
out=$("$BIN" import places "$WORK/mixed.csv" --map name=Bezeichnung,category=typ --db "$DB" --strict 2>&1); rc=$?
check "--strict with rejections exits 1" test $rc -eq 1
check "--strict says nothing was imported" grep -q "nothing was imported" <<<"$out"
check "--strict leaves the store unchanged" test "$(count "$DB")" -eq 0
out=$("$BIN" import places "$WORK/mixed.csv" --map name=Bezeichnung,category=typ --db "$DB" 2>&1); rc=$?
check "rejections exit 1" test $rc -eq 1
check "report counts" grep -q "read 3, inserted 1, updated 0, unchanged 0, rejected 2" <<<"$out"
check "rejection 2 reason" grep -q "rejected feature 2.*outside the city outline" <<<"$out"
check "rejection 3 reason" grep -q "rejected feature 3.*unknown category 'zirkus'" <<<"$out"
check "accepted row stored" test "$(count "$DB")" -eq 1
out=$("$BIN" import places "$WORK/mixed.csv" --map name=Bezeichnung,category=typ --db "$DB" 2>&1)
check "re-import is idempotent" grep -q "inserted 0, updated 0, unchanged 1" <<<"$out"
check "re-import adds nothing" test "$(count "$DB")" -eq 1

# Bad files fail whole, with a message and exit 2, and change nothing.
printf '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[13.7,' > "$WORK/cut.geojson"
: > "$WORK/empty.geojson"
printf 'name,category\nA,bibliothek\n' > "$WORK/nocoords.csv"
printf 'name,category,x,y\nA,bibliothek,411000,5657000\n' > "$WORK/utm.csv"
for f in cut.geojson empty.geojson nocoords.csv utm.csv; do
    out=$("$BIN" import places "$WORK/$f" --db "$DB" 2>&1); rc=$?
    check "$f exits 2" test $rc -eq 2
    check "$f has an error message" grep -q "lernorte: error: .*$f" <<<"$out"
done
check "utm.csv without CRS suggests --s-srs" bash -c "'$BIN' import places '$WORK/utm.csv' --db '$DB' 2>&1 | grep -q -- '--s-srs'"
out=$("$BIN" import places "$WORK/utm.csv" --s-srs EPSG:25833 --db "$DB" 2>&1); rc=$?
check "utm.csv with --s-srs imports" test $rc -eq 0
check "bad files changed nothing else" test "$(count "$DB")" -eq 2
out=$("$BIN" import places "$WORK/one.csv" --map nonsense --db "$DB" 2>&1); rc=$?
check "malformed --map exits 2" test $rc -eq 2
out=$("$BIN" import rivers "$WORK/one.csv" --db "$DB" 2>&1); rc=$?
check "unknown import kind is an error" test $rc -ne 0

# Progress: quiet when not a terminal, a bar on a terminal for imports over a second.
python3 - "$WORK/many.csv" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write("id,name,category,lon,lat\n")
    for i in range(60000):
        f.write(f"{i},Synthetischer Ort {i},bibliothek,{random.uniform(13.70, 13.80):.6f},{random.uniform(51.02, 51.07):.6f}\n")
PY
"$BIN" import stadtraeume "$DATA/boundaries/stadtraeume_17.geojson" --mapping "$DATA/mappings/stadtraeume.json" --db "$WORK/p1.sqlite" >/dev/null 2>&1
"$BIN" import places "$WORK/many.csv" --map source_id=id --db "$WORK/p1.sqlite" >/dev/null 2>"$WORK/stderr.txt"
check "60000 places import quietly" test $? -eq 0
check "no progress bar when not a terminal" test ! -s "$WORK/stderr.txt"
"$BIN" import stadtraeume "$DATA/boundaries/stadtraeume_17.geojson" --mapping "$DATA/mappings/stadtraeume.json" --db "$WORK/p2.sqlite" >/dev/null 2>&1
script -qec "'$BIN' import places '$WORK/many.csv' --map source_id=id --db '$WORK/p2.sqlite'" /dev/null > "$WORK/tty.txt" 2>&1
check "progress bar on a terminal" grep -q "importing places \[" "$WORK/tty.txt"
check "60000 synthetic places imported" test "$(count "$WORK/p2.sqlite")" -eq 60000

# serve creates the store from the bundled data on first start, answers, stops on SIGTERM.
SDB=$WORK/served.sqlite
"$BIN" serve --db "$SDB" --port 0 --data "$DATA" > "$WORK/serve.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 600); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/serve.log" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.2
done
check "serve prints its port" test -n "$port"
check "serve seeded the bundled data" grep -q "seed: places places/schulen" "$WORK/serve.log"
check "healthz is 200" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200
check "200 published places" bash -c "curl -s 'http://127.0.0.1:$port/api/collections/places/items?limit=1' | grep -q '\"numberMatched\":200'"
check "access log line per request" grep -q "GET /healthz 200" "$WORK/serve.log"
check "access log keeps no address" bash -c "! grep -q '127.0.0.1 ' '$WORK/serve.log'"
# An import into the file the server is serving reaches the API without a restart.
printf 'name,category,lon,lat\nNeue Werkstatt,werkstatt,13.7461,51.0498\n' > "$WORK/live.csv"
"$BIN" import places "$WORK/live.csv" --db "$SDB" >/dev/null 2>&1
seen=""
for _ in $(seq 1 50); do
    curl -s "http://127.0.0.1:$port/api/collections/places/items?category=werkstatt" | grep -q "Neue Werkstatt" && { seen=yes; break; }
    sleep 0.2
done
check "a CLI import reaches the running server" test "$seen" = yes
kill -TERM $pid
wait $pid; rc=$?
check "SIGTERM exits 0" test $rc -eq 0
check "SIGTERM is logged" grep -q "SIGTERM" "$WORK/serve.log"
check "the store is intact after shutdown" test "$(sqlite3 "$SDB" 'PRAGMA integrity_check')" = ok
check "no seeding leftovers" test ! -e "$SDB.seeding"
check "the read-model snapshot is written" test -s "$SDB.readmodel"
check "no temporary snapshot left" test ! -e "$SDB.readmodel.tmp"
# A second start opens the existing file instead of seeding again, and reads the snapshot.
start_and_count() {  # LOG [serve options...] -> prints numberMatched of all places, stops the server
    local log=$1; shift
    "$BIN" serve --db "$SDB" --port 0 --data "$DATA" "$@" > "$log" 2>&1 &
    local spid=$! sport=""
    for _ in $(seq 1 300); do
        sport=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)
        [ -n "$sport" ] && break
        sleep 0.2
    done
    curl -s "http://127.0.0.1:$sport/api/collections/places/items?limit=1" | grep -o '"numberMatched":[0-9]*' | grep -o '[0-9]*$'
    kill -TERM $spid; wait $spid
}
n=$(start_and_count "$WORK/serve2.log")
check "second start does not seed" bash -c "! grep -q 'seed:' '$WORK/serve2.log'"
check "second start reads the snapshot" grep -q "read model from $SDB.readmodel" "$WORK/serve2.log"
check "the snapshot holds the live import" test "$n" = 201
n=$(start_and_count "$WORK/serve3.log" --no-read-model)
check "--no-read-model loads from the store" grep -q "read model from the store" "$WORK/serve3.log"
check "--no-read-model answers the same" test "$n" = 201
echo "not a snapshot" > "$SDB.readmodel"
n=$(start_and_count "$WORK/serve4.log")
check "a damaged snapshot is named and skipped" grep -q "not a Lernorte read-model snapshot" "$WORK/serve4.log"
check "a damaged snapshot changes no answer" test "$n" = 201
check "a damaged snapshot is replaced" bash -c "! grep -q 'not a snapshot' '$SDB.readmodel'"
sqlite3 "$SDB" "UPDATE places SET name = 'Umbenannt' WHERE name = 'Neue Werkstatt'; UPDATE meta SET value = value + 1 WHERE key = 'catalogue_version'"
n=$(start_and_count "$WORK/serve5.log")
check "a changed store is loaded from the store" grep -q "the store has changed since" "$WORK/serve5.log"
check "a changed store's places are served" test "$n" = 201
n=$(start_and_count "$WORK/serve6.log" --read-model "$WORK/elsewhere.readmodel")
check "--read-model names the file" test -s "$WORK/elsewhere.readmodel"
# A port in use is a clear error.
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)" > "$WORK/port.txt" &
for _ in $(seq 1 50); do [ -s "$WORK/port.txt" ] && break; sleep 0.1; done
busy=$(cat "$WORK/port.txt")
out=$("$BIN" serve --db "$SDB" --port "$busy" --data "$DATA" 2>&1); rc=$?
check "busy port exits 2" test $rc -eq 2
check "busy port is explained" grep -q "cannot listen on 127.0.0.1:$busy" <<<"$out"
# A database from a newer lernorte is refused with a clear message.
cp "$SDB" "$WORK/newer.sqlite"
sqlite3 "$WORK/newer.sqlite" "INSERT INTO schema_version(version, applied_at) VALUES (999, 'future')"
out=$("$BIN" serve --db "$WORK/newer.sqlite" --port 0 --data "$DATA" 2>&1); rc=$?
check "newer schema exits 2" test $rc -eq 2
check "newer schema is explained" grep -q "newer than this lernorte" <<<"$out"

# Accounts: the password comes from a prompt or a file, never from an argument.
printf 'lange-genug-123\n' > "$WORK/pw"
printf 'kurz\n' > "$WORK/short"
out=$("$BIN" user add anna --role editor --db "$SDB" --password-file "$WORK/pw" 2>&1); rc=$?
check "user add exits 0" test $rc -eq 0
check "user add confirms" grep -q "added editor anna" <<<"$out"
check "only a hash is stored" test "$(sqlite3 "$SDB" "SELECT count(*) FROM users WHERE password_hash LIKE '\$argon2id\$%'")" -eq 1
check "the password is not in the file" bash -c "! grep -q 'lange-genug-123' '$SDB'"
out=$("$BIN" user add anna --role editor --db "$SDB" --password-file "$WORK/pw" 2>&1); rc=$?
check "duplicate user exits 2" test $rc -eq 2
check "duplicate user is explained" grep -q "exists already" <<<"$out"
out=$("$BIN" user add bob --role king --db "$SDB" --password-file "$WORK/pw" 2>&1); rc=$?
check "unknown role exits 2" test $rc -eq 2
check "unknown role lists the roles" grep -q "admin, editor, planner" <<<"$out"
out=$("$BIN" user add bob --role planner --db "$SDB" --password-file "$WORK/short" 2>&1); rc=$?
check "short password exits 2" test $rc -eq 2
check "short password is explained" grep -q "at least 10 characters" <<<"$out"
out=$("$BIN" user add "Bad Name" --role planner --db "$SDB" --password-file "$WORK/pw" 2>&1); rc=$?
check "bad user name exits 2" test $rc -eq 2
out=$("$BIN" user add bob --role planner --db "$SDB" --password lange-genug-123 2>&1); rc=$?
check "a password argument is refused" test $rc -ne 0
out=$("$BIN" user add bob --role planner --db "$SDB" < /dev/null 2>&1); rc=$?
check "no terminal and no file exits 2" test $rc -eq 2
check "no terminal says what to do" grep -q -- "--password-file" <<<"$out"
out=$("$BIN" user list --db "$SDB" 2>&1)
check "user list shows anna" grep -q "anna.editor.active" <<<"$out"
check "user list keeps hashes to itself" bash -c "! grep -q argon2 <<<'$out'"
"$BIN" user disable anna --db "$SDB" >/dev/null 2>&1
check "user disable" grep -q "anna.editor.disabled" <<<"$("$BIN" user list --db "$SDB")"
"$BIN" user enable anna --db "$SDB" >/dev/null 2>&1
check "user enable" grep -q "anna.editor.active" <<<"$("$BIN" user list --db "$SDB")"
out=$("$BIN" user passwd nobody --db "$SDB" --password-file "$WORK/pw" 2>&1); rc=$?
check "passwd of an unknown user exits 2" test $rc -eq 2
out=$("$BIN" user list --db "$WORK/absent.sqlite" 2>&1); rc=$?
check "user list without a database exits 2" test $rc -eq 2
check "no database is created by user list" test ! -e "$WORK/absent.sqlite"

# Geo-target exports on the command line: every platform's file opens and keeps its limits.
X="$BIN export targets --db $SDB --data $DATA"
declare -A EXT=([meta]=json [google]=csv [snapchat]=json [tiktok]=json [geojson]=geojson [kml]=kml [gpkg]=gpkg)
for platform in meta google snapchat tiktok geojson kml gpkg; do
    out=$($X --stadtraum 11,16 --platform "$platform" -o "$WORK/t-$platform.${EXT[$platform]}" 2>&1); rc=$?
    mv "$WORK/t-$platform.${EXT[$platform]}" "$WORK/t-$platform"
    check "export $platform exits 0" test $rc -eq 0
    check "export $platform reports coverage" grep -q '"coverage":' <<<"$out"
    check "export $platform prints the landing link" grep -q "landing link: .*stadtraum=11,16" <<<"$out"
done
check "meta JSON has custom_locations in km" python3 -c "
import json,sys; d=json.load(open('$WORK/t-meta'))
locs=[l for s in d['ad_sets'] for l in s['targeting']['geo_locations']['custom_locations']]
assert locs and all(l['distance_unit']=='kilometer' and 1<=l['radius']<=80 for l in locs)
assert all(len(str(l['latitude']).split('.')[1])<=6 for l in locs)
assert all(len(s['targeting']['geo_locations']['custom_locations'])<=200 for s in d['ad_sets'])
r=d['report']; assert all(k in r for k in ('circles','coverage','spill','residents_inside'))"
check "google CSV header" test "$(head -1 "$WORK/t-google" | tr -d '\r')" = "Campaign,Latitude,Longitude,Radius,Unit"
check "google CSV one row per circle" test "$(($(wc -l <"$WORK/t-google") - 1))" -eq "$(python3 -c "import json; print(json.load(open('$WORK/t-meta'))['report']['circles'])")"
check "snapchat circles in metres" python3 -c "
import json; d=json.load(open('$WORK/t-snapchat'))
assert d['circles'] and all(c['unit']=='METERS' and 96<=c['radius']<=100000 for c in d['circles'])"
check "tiktok is postcodes" python3 -c "
import json; d=json.load(open('$WORK/t-tiktok')); assert json.dumps(d).count('01')>0 and d['report']['circles']==0"
for f in geojson kml gpkg; do
    cp "$WORK/t-$f" "$WORK/open.$f"
    check "ogrinfo opens the $f export" bash -c "ogrinfo -ro -al -so '$WORK/open.$f' 2>&1 | grep -q 'Feature Count'"
done
check "GeoPackage has the circles layer" bash -c "ogrinfo -ro '$WORK/open.gpkg' | grep -q circles"
out=$($X --stadtraum 18 --platform meta -o "$WORK/bad" 2>&1); rc=$?
check "unknown Stadtraum exits 2" test $rc -eq 2
check "unknown Stadtraum is named" grep -q -- "--stadtraum: '18'" <<<"$out"
out=$($X --stadtraum 11 --platform myspace -o "$WORK/bad" 2>&1); rc=$?
check "unknown platform exits 2" test $rc -eq 2
out=$($X --stadtraum 11 --platform meta --radius 500 -o "$WORK/bad" 2>&1); rc=$?
check "radius below the platform minimum exits 2" test $rc -eq 2
check "radius error names the limits" grep -q "1 km to 80 km" <<<"$out"
out=$($X --stadtraum 11 --platform meta --target 0 -o "$WORK/bad" 2>&1); rc=$?
check "target 0 % exits 2" test $rc -eq 2
out=$($X --stadtraum 11 --platform tiktok --mode circles -o "$WORK/bad" 2>&1); rc=$?
check "tiktok circles exits 2" test $rc -eq 2
check "tiktok circles is explained" grep -q "no radius targeting" <<<"$out"
check "bad exports write no file" test ! -e "$WORK/bad"

echo "cli: $passed passed, $failed failed"
test "$failed" -eq 0
