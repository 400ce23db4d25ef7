#!/usr/bin/env python3
"""Write benchmarks against a running lernorte serve (standard library only).

  writes.py burst   PORT TOKEN CLIENTS TOTAL   -> writes/s with CLIENTS parallel clients, each write a commit
  writes.py tile    PORT TOKEN N               -> ms from a write's 201 to the z14 tile that shows it
  writes.py trickle PORT TOKEN RATE SECONDS    -> RATE writes per second for SECONDS (background load)
  writes.py sqlite  DIR TOTAL                  -> anchor: SQLite alone, one INSERT per commit, WAL + synchronous=FULL

Each prints one JSON line. Writes create SYNTHETIC places named "Bench ..." in the served database."""
import http.client
import json
import math
import os
import sqlite3
import statistics
import sys
import threading
import time


def feature(n, i):
    return {"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [13.70 + 0.00013 * (i % 700), 51.01 + 0.0007 * (n % 90)]},
            "properties": {"name": f"Bench {n}-{i} Lernort", "category": "nachbarschaft", "tags": ["bench"],
                           "opening_hours": "Mo-Fr 09:00-17:00", "languages": ["de"]}}


def post(conn, token, body):
    conn.request("POST", "/api/collections/places/items", body=json.dumps(body),
                 headers={"Content-Type": "application/geo+json", "Authorization": "Bearer " + token})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 201:
        raise SystemExit(f"write answered {resp.status}")


def burst(port, token, clients, total):
    latencies = []
    lock = threading.Lock()

    def run(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for i in range(total // clients):
            t = time.perf_counter()
            post(conn, token, feature(1000 + n, i + int(time.time() * 1000) % 100000))
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    print(json.dumps({"writes": len(latencies), "seconds": elapsed, "writes_per_s": len(latencies) / elapsed,
                      "p50_ms": 1000 * latencies[len(latencies) // 2],
                      "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)]}))


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile(port, token, count):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    stale = 0
    for i in range(count):
        f = feature(2000, i + int(time.time()) % 100000)
        post(conn, token, f)
        committed = time.perf_counter()
        x, y = tile_of(*f["geometry"]["coordinates"], 14)
        conn.request("GET", f"/tiles/14/{x}/{y}.mvt")
        resp = conn.getresponse()
        data = resp.read()
        times.append(1000 * (time.perf_counter() - committed))
        if f["properties"]["name"].encode() not in data:
            stale += 1
    print(json.dumps({"writes": count, "median_ms": statistics.median(times), "max_ms": max(times), "stale_tiles": stale}))


def trickle(port, token, rate, seconds):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    done = 0
    while time.perf_counter() - start < seconds:
        post(conn, token, feature(3000, done + int(time.time()) % 100000))
        done += 1
        wait = start + done / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
    elapsed = time.perf_counter() - start
    print(json.dumps({"writes": done, "seconds": elapsed, "writes_per_s": done / elapsed}))


def sqlite_anchor(directory, total):
    path = os.path.join(directory, "anchor.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT, doc TEXT)")
    start = time.perf_counter()
    for i in range(total):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO places (name, doc) VALUES (?, ?)", (f"Bench {i}", json.dumps(feature(0, i))))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    print(json.dumps({"writes": total, "seconds": elapsed, "writes_per_s": total / elapsed}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "burst":
        burst(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "tile":
        tile(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif mode == "trickle":
        trickle(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
    elif mode == "sqlite":
        sqlite_anchor(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)
