# shellcheck shell=bash
# Helpers shared by bench/run.sh and bench/tiles/run.sh (sourced). The caller defines LOG (its
# log file), WRK_SECONDS, and the array SERVER_PIDS, whose servers its EXIT trap stops.

bench_name=${BENCH_NAME:-bench}

stop_pid() {  # PID: SIGTERM, wait up to 10 s, then SIGKILL
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {  # a free loopback port from $1 upwards
    local p=$1
    while ! port_free "$p"; do p=$((p + 1)); done
    echo "$p"
}
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true; }

wait_healthz() {  # PORT PID: poll /healthz every 10 ms until 200 (120 s at most)
    local deadline=$((SECONDS + 120))
    until [ "$(http_code "http://127.0.0.1:$1/healthz")" = 200 ]; do
        kill -0 "$2" 2>/dev/null || { echo "$bench_name: server $2 exited before /healthz answered" >&2; return 1; }
        [ $SECONDS -lt $deadline ] || { echo "$bench_name: /healthz did not answer 200 within 120 s" >&2; return 1; }
        sleep 0.01
    done
}

run_wrk() {  # URL -> requests/s (keep-alive, 2 threads, 32 connections)
    local out
    out=$(wrk -t2 -c32 -d"${WRK_SECONDS}s" --latency "$1")
    echo "$out" >>"$LOG"
    if grep -q "Non-2xx" <<<"$out"; then echo "$bench_name: non-2xx answers from $1" >&2; exit 1; fi
    echo "$out" | awk '/^Requests\/sec:/ {print $2}'
}

# start_nginx DIR PORT SERVER_BODY URL SAVED_FILE
# nginx on loopback (2 workers, no access log, sendfile, keep-alive without a request limit) with
# SERVER_BODY inside its server block; waits until URL answers and checks it serves SAVED_FILE's
# bytes. Sets N_PID and adds it to SERVER_PIDS.
start_nginx() {
    local dir=$1 port=$2 body=$3 url=$4 saved=$5
    mkdir -p "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
# Written by $bench_name: nginx serving a saved lernorte answer as a static file.
daemon off;
master_process on;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    types { application/vnd.mapbox-vector-tile mvt; }
    server {
        listen 127.0.0.1:$port;
        $body
    }
}
CONF
    chmod -R a+rX "$dir"  # nginx workers run as nobody when we are root
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
    N_PID=$!
    SERVER_PIDS+=("$N_PID")
    for _ in $(seq 200); do [ "$(http_code "$url")" = 200 ] && break; sleep 0.05; done
    curl -sf -o "$dir/check.bin" "$url"
    cmp -s "$saved" "$dir/check.bin" || { echo "$bench_name: nginx does not serve the saved body" >&2; exit 1; }
}
