# Lernorte: `make run` and `make test` work on a fresh Debian 12 machine (root or sudo).
SHELL := /bin/bash
JOBS ?= 2
RELEASE_DIR := build/release
TEST_DIR := build/asan
BENCH_DIR := build/bench
DB ?= lernorte.sqlite
PORT ?= 8080

# Everything the build and the tests need, from Debian 12.
DEB_PACKAGES := cmake g++ make pkg-config ccache git curl python3 bsdutils \
  libpistache-dev libgdal-dev gdal-bin libproj-dev proj-bin libgeos-dev \
  libspatialite-dev libsqlite3-mod-spatialite spatialite-bin sqlite3 \
  libprotobuf-dev protobuf-compiler libprotozero-dev catch2 rapidjson-dev libcli11-dev \
  libsodium-dev zlib1g-dev libbenchmark-dev chromium
# Extra tools for `make bench` (anchors: nginx, wrk, ogr2ogr, SpatiaLite, PostGIS, geojson-vt).
BENCH_PACKAGES := wrk nginx-light hyperfine time libpq-dev postgresql-15 postgresql-15-postgis-3

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: run test build frontend deps node bench-deps bench clean

run: build
	$(RELEASE_DIR)/main/lernorte serve --db $(DB) --port $(PORT)

# The release build is part of the test run, so `make run` can never break unnoticed.
test: build
	cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DLERNORTE_SANITIZE=ON $(LAUNCHER)
	cmake --build $(TEST_DIR) -j$(JOBS)
	cd $(TEST_DIR) && ctest --output-on-failure --timeout 1200

build: deps frontend
	cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release -DLERNORTE_TESTS=OFF $(LAUNCHER)
	cmake --build $(RELEASE_DIR) -j$(JOBS) --target lernorte

# The map: npm packages pinned by package-lock.json, bundled into frontend/dist.
frontend: node
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent

# Node.js 20 or newer (playwright-core and the build need it). Debian 12's own nodejs is 18,
# so it is installed from Debian only where no node is on the PATH at all.
node:
	@command -v node >/dev/null 2>&1 || { $(call install_missing,nodejs npm); }
	@node -e 'if (+process.versions.node.split(".")[0] < 20) { console.error("lernorte: Node.js 20 or newer is needed, found " + process.version); process.exit(1); }'

# Installs only what is missing, so a ready machine starts at once.
deps:
	@$(call install_missing,$(DEB_PACKAGES))

bench-deps: deps
	@$(call install_missing,$(BENCH_PACKAGES))

bench: bench-deps frontend
	cmake -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DLERNORTE_TESTS=OFF -DLERNORTE_BENCH=ON $(LAUNCHER)
	cmake --build $(BENCH_DIR) -j$(JOBS)
	bench/run.sh $(BENCH_DIR)
	bench/tiles/run.sh $(BENCH_DIR)
	bench/writes/run.sh $(BENCH_DIR)
	$(BENCH_DIR)/bench/lernorte_bench_targets --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_min_time=0.2

clean:
	rm -rf build

define install_missing
missing=""; for p in $(1); do \
  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
done; \
if [ -n "$$missing" ]; then \
  echo "installing Debian packages:$$missing"; \
  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
fi
endef
