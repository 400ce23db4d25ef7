#!/usr/bin/env python3
"""Nothing acknowledged is lost: 8 clients send a burst of 1,000 place writes through HTTP,
the server is killed with SIGKILL in the middle of it, and after a restart every write that
was answered 2xx is there, complete (row, search document, spatial index, revision), and the
SQLite file passes its integrity check. Standard library only."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

BIN, DATA = sys.argv[1], sys.argv[2]
CLIENTS, WRITES = 8, 1000
KILL_AFTER = int(os.environ.get("LERNORTE_KILL_AFTER", "300"))
failures = []


def check(name, ok, detail=""):
    print(("ok     " if ok else "FAILED ") + name + (f": {detail}" if detail and not ok else ""), flush=True)
    if not ok:
        failures.append(name)


def start(db, log):
    out = open(log, "w")
    proc = subprocess.Popen([BIN, "serve", "--db", db, "--port", "0", "--data", DATA, "--quiet"],
                            stdout=out, stderr=subprocess.STDOUT)
    for _ in range(1500):
        time.sleep(0.2)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(log).read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
    raise SystemExit("server did not start:\n" + open(log).read())


def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, dict(resp.getheaders()), data


def sql(db, query):
    return subprocess.run(["sqlite3", db, query], capture_output=True, text=True, check=True).stdout.strip()


def main():
    work = tempfile.mkdtemp(prefix="lernorte-durability-")
    db = os.path.join(work, "d.sqlite")
    proc, port = start(db, os.path.join(work, "serve1.log"))
    with open(os.path.join(work, "pw"), "w") as f:
        f.write("burst-password-123\n")
    subprocess.run([BIN, "user", "add", "burst", "--role", "editor", "--db", db, "--password-file",
                    os.path.join(work, "pw")], check=True, capture_output=True)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, _, body = request(conn, "POST", "/api/auth/login", {"username": "burst", "password": "burst-password-123"},
                              {"Content-Type": "application/json"})
    check("login", status == 200, body[:200])
    token = json.loads(body)["token"]

    acknowledged = {}  # id -> name
    lock = threading.Lock()
    killed = threading.Event()

    def client(n):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(WRITES // CLIENTS):
            name = f"Burst {n}-{i} Lernort"
            feature = {"type": "Feature",
                       "geometry": {"type": "Point", "coordinates": [13.70 + 0.0001 * i, 51.03 + 0.001 * n]},
                       "properties": {"name": name, "category": "nachbarschaft", "tags": ["burst", str(n)],
                                      "opening_hours": "Mo-Fr 09:00-17:00"}}
            try:
                status, headers, _ = request(c, "POST", "/api/collections/places/items", feature,
                                             {"Content-Type": "application/geo+json", "Authorization": "Bearer " + token})
            except (OSError, http.client.HTTPException):
                if killed.is_set():
                    return
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            if 200 <= status < 300:
                place_id = headers["Location"].rsplit("/", 1)[1]
                with lock:
                    acknowledged[place_id] = name

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    while True:
        with lock:
            done = len(acknowledged)
        if done >= KILL_AFTER or not any(t.is_alive() for t in threads):
            break
        time.sleep(0.005)
    killed.set()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    print(f"{len(acknowledged)} writes acknowledged in {elapsed:.1f} s before SIGKILL", flush=True)
    check("the kill came in the middle of the burst", 0 < len(acknowledged) < WRITES, str(len(acknowledged)))

    check("integrity_check after SIGKILL", sql(db, "PRAGMA integrity_check") == "ok")
    proc, port = start(db, os.path.join(work, "serve2.log"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    missing = []
    for place_id, name in acknowledged.items():
        status, _, body = request(conn, "GET", f"/api/collections/places/items/{place_id}")
        if status != 200 or json.loads(body)["properties"]["name"] != name:
            missing.append(place_id)
    check("every acknowledged write is there after the restart", not missing, f"{len(missing)} missing")
    stored = int(sql(db, "SELECT count(*) FROM places WHERE name LIKE 'Burst %'"))
    check("no write beyond the acknowledged ones plus those in flight", len(acknowledged) <= stored <= len(acknowledged) + CLIENTS,
          f"stored {stored}, acknowledged {len(acknowledged)}")
    # None half-written: each stored burst place has its search document, its index entry and its revision.
    no_fts = sql(db, "SELECT count(*) FROM places p WHERE p.name LIKE 'Burst %' AND NOT EXISTS "
                     "(SELECT 1 FROM places_fts f WHERE f.rowid = p.rowid)")
    no_index = sql(db, "SELECT count(*) FROM places p WHERE p.name LIKE 'Burst %' AND NOT EXISTS "
                       "(SELECT 1 FROM idx_places_geom i WHERE i.pkid = p.rowid)")
    no_revision = sql(db, "SELECT count(*) FROM places p WHERE p.name LIKE 'Burst %' AND NOT EXISTS "
                          "(SELECT 1 FROM revisions r WHERE r.place_id = p.id)")
    check("every stored write has its search document", no_fts == "0", no_fts)
    check("every stored write has its spatial index entry", no_index == "0", no_index)
    check("every stored write has its revision", no_revision == "0", no_revision)
    status, _, body = request(conn, "GET", "/api/collections/places/items?q=Burst&limit=1")
    check("the search finds the burst after the restart", status == 200 and json.loads(body)["numberMatched"] == stored,
          body[:200])
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    print(f"durability: {len(failures)} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
