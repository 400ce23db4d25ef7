// Tile generation per tile: engine::render_tile (in process, on a Catalogue built once) beside
// PostGIS ST_AsMVT (the same tiles, the same SYNTHETIC places, through libpq), interleaved
// tile by tile so that drift on a shared machine hits both alike.
//
//   lernorte_bench_tiles --db BASE --list-tiles OUT [--per-zoom 20] [--tile-seed 7]
//       writes a fixed, seeded set of tiles (z x y per line) at z10, z12, z14, z16 that
//       intersect the Dresden city outline, always starting with the centre tile.
//   lernorte_bench_tiles --db BASE --count N --seed S --tiles FILE --out TSV [--rounds R]
//       [--pg CONNINFO]
//       [--reference]
//       times render_tile for every tile, R rounds (after one untimed warm-up round), and with
//       --pg also PostGIS: the wall time of a prepared statement (binary result) and the
//       server's own execution time (EXPLAIN (ANALYZE, TIMING OFF) EXECUTE).
//       render_tile runs with the snapshot's TileIndex, as the server's TileCache does; the
//       index is built once beforehand (its build time is printed and written as the row
//       "lernorte_index" with z x y -1). With --reference the path without an index is timed
//       too (tool "lernorte_reference"), and each of its tiles is checked to be the same bytes.
//
// BASE is a lernorte database holding the real Stadträume and the city outline. The places are
// generated in memory with the same generator, seed and count as lernorte_bench_gen, so they
// are exactly the places of the generator's CSV/GeoJSON. TSV rows: tool z x y round us bytes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#ifdef LERNORTE_BENCH_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/engine/tile_service.hpp>
#include <lernorte/storage/store.hpp>
#include <lernorte/tiles/tile_math.hpp>

#include "synth.hpp"

namespace {

using namespace lernorte;
using Clock = std::chrono::steady_clock;

constexpr int zooms[] = {10, 12, 14, 16};
/// The map's centre in the frontend's default view (frontend/src/main.js DEFAULT_CONFIG).
constexpr geo::Point centre{13.74, 51.05};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "lernorte_bench_tiles: " << why << "\n"
              << "usage: lernorte_bench_tiles --db BASE --list-tiles OUT [--per-zoom N] [--tile-seed S]\n"
              << "       lernorte_bench_tiles --db BASE --count N --seed S --tiles FILE --out TSV [--rounds R] [--pg CONNINFO]\n";
    std::exit(2);
}

double micros_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

std::vector<tiles::TileId> read_tiles(const std::string& path) {
    std::ifstream in(path);
    if (!in) usage(path + ": cannot read");
    std::vector<tiles::TileId> out;
    int z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    while (in >> z >> x >> y) out.push_back(tiles::TileId{z, x, y});
    if (out.empty()) usage(path + ": no tiles");
    return out;
}

#ifdef LERNORTE_BENCH_HAVE_LIBPQ
// Both layers as in the tile route: extent 4096, buffer 64, Stadträume clipped to the buffered tile,
// places in the buffered tile. No clustering: PostGIS has none built in.
constexpr const char* sql_tile = R"SQL(
SELECT
  coalesce((SELECT ST_AsMVT(s, 'stadtraeume', 4096, 'geom', 'fid') FROM (
      SELECT nr AS fid, nr, name, population, per_10k,
             ST_AsMVTGeom(geom, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
      FROM bench_stadtraeume
      WHERE geom && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) s
    WHERE s.geom IS NOT NULL), ''::bytea)
  ||
  coalesce((SELECT ST_AsMVT(p, 'places', 4096, 'geom', 'fid') FROM (
      SELECT fid, id, name, category, wheelchair,
             ST_AsMVTGeom(geom, ST_TileEnvelope($1, $2, $3), 4096, 64, false) AS geom
      FROM bench_places
      WHERE geom && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) p
    WHERE p.geom IS NOT NULL), ''::bytea)
)SQL";

// The closest SQL equivalent of our clusters (below z14): places of the tile proper grouped by
// 256-unit grid cells, one point per cell at the mean position with point_count and the
// count_<category> properties (jsonb columns become properties in ST_AsMVT). Cells of one place
// stay clusters of 1 here (we write those as places).
constexpr const char* sql_tile_clustered = R"SQL(
WITH pts AS (
  SELECT fid, category, ST_AsMVTGeom(geom, ST_TileEnvelope($1, $2, $3), 4096, 0, false) AS g
  FROM bench_places WHERE geom && ST_TileEnvelope($1, $2, $3)
), cat AS (
  SELECT floor(ST_X(g) / 256) AS cx, floor(ST_Y(g) / 256) AS cy, category, count(*) AS n,
         sum(ST_X(g)) AS sx, sum(ST_Y(g)) AS sy, min(fid) AS fid
  FROM pts WHERE g IS NOT NULL AND ST_X(g) >= 0 AND ST_X(g) < 4096 AND ST_Y(g) >= 0 AND ST_Y(g) < 4096
  GROUP BY 1, 2, 3
), cells AS (
  SELECT min(fid) AS fid, true AS cluster, sum(n)::bigint AS point_count,
         jsonb_object_agg('count_' || category, n) AS counts,
         ST_MakePoint(round(sum(sx) / sum(n)), round(sum(sy) / sum(n))) AS geom
  FROM cat GROUP BY cx, cy
)
SELECT
  coalesce((SELECT ST_AsMVT(s, 'stadtraeume', 4096, 'geom', 'fid') FROM (
      SELECT nr AS fid, nr, name, population, per_10k,
             ST_AsMVTGeom(geom, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
      FROM bench_stadtraeume
      WHERE geom && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) s
    WHERE s.geom IS NOT NULL), ''::bytea)
  || coalesce((SELECT ST_AsMVT(c, 'places', 4096, 'geom', 'fid') FROM cells c), ''::bytea)
)SQL";

class Pg {
public:
    explicit Pg(const std::string& conninfo) : m_conn(PQconnectdb(conninfo.c_str())) {
        if (PQstatus(m_conn) != CONNECTION_OK) throw std::runtime_error(std::string("PostgreSQL: ") + PQerrorMessage(m_conn));
        exec("SET plan_cache_mode = force_custom_plan");  // a plan per tile, as for a one-off query
        prepare("tile", sql_tile);
        prepare("tile_clustered", sql_tile_clustered);
        exec(std::string("PREPARE sql_tile(int, int, int) AS ") + sql_tile);
        exec(std::string("PREPARE sql_tile_clustered(int, int, int) AS ") + sql_tile_clustered);
    }
    ~Pg() { PQfinish(m_conn); }
    Pg(const Pg&) = delete;
    Pg& operator=(const Pg&) = delete;

    /// Wall time of one execution of a prepared statement, binary result; returns {us, bytes}.
    std::pair<double, std::size_t> run(const char* name, tiles::TileId t) {
        const std::string z = std::to_string(t.z);
        const std::string x = std::to_string(t.x);
        const std::string y = std::to_string(t.y);
        const char* values[] = {z.c_str(), x.c_str(), y.c_str()};
        const auto t0 = Clock::now();
        PGresult* r = PQexecPrepared(m_conn, name, 3, values, nullptr, nullptr, 1);
        const double us = micros_since(t0);
        check(r, PGRES_TUPLES_OK);
        const std::size_t bytes = PQgetisnull(r, 0, 0) ? 0 : static_cast<std::size_t>(PQgetlength(r, 0, 0));
        PQclear(r);
        return {us, bytes};
    }

    /// The server's execution time in microseconds (EXPLAIN ANALYZE without per-node timing).
    double server_us(const char* sql_name, tiles::TileId t) {
        std::ostringstream q;
        q << "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) EXECUTE " << sql_name << "(" << t.z << ", " << t.x << ", " << t.y << ")";
        PGresult* r = PQexec(m_conn, q.str().c_str());
        check(r, PGRES_TUPLES_OK);
        double ms = -1;
        for (int i = 0; i < PQntuples(r); ++i) {
            const std::string_view line = PQgetvalue(r, i, 0);
            if (const auto p = line.find("Execution Time: "); p != std::string_view::npos) {
                ms = std::stod(std::string(line.substr(p + 16)));
            }
        }
        PQclear(r);
        if (ms < 0) throw std::runtime_error("PostgreSQL: no Execution Time in EXPLAIN ANALYZE");
        return ms * 1000.0;
    }

    /// Median round trip of SELECT 1 (the client/socket share of every wall time).
    double round_trip_us() {
        prepare("one", "SELECT 1");
        std::vector<double> s;
        for (int i = 0; i < 201; ++i) {
            const auto t0 = Clock::now();
            PGresult* r = PQexecPrepared(m_conn, "one", 0, nullptr, nullptr, nullptr, 1);
            s.push_back(micros_since(t0));
            check(r, PGRES_TUPLES_OK);
            PQclear(r);
        }
        std::nth_element(s.begin(), s.begin() + 100, s.end());
        return s[100];
    }

private:
    void check(PGresult* r, ExecStatusType want) {
        if (PQresultStatus(r) != want) {
            const std::string msg = PQresultErrorMessage(r);
            PQclear(r);
            throw std::runtime_error("PostgreSQL: " + msg);
        }
    }
    void exec(const std::string& sql) { check(PQexec(m_conn, sql.c_str()), PGRES_COMMAND_OK); }
    void prepare(const char* name, const char* sql) { check(PQprepare(m_conn, name, sql, 3, nullptr), PGRES_COMMAND_OK); }

    PGconn* m_conn;
};
#endif

}  // namespace

int main(int argc, char** argv) {
    std::string db, list_out, tiles_path, out_path, pg_conninfo;
    bool reference = false;
    std::size_t count = 0, per_zoom = 20;
    std::uint64_t seed = 0, tile_seed = 7;
    int rounds = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("missing value for " + std::string(a));
            return argv[++i];
        };
        if (a == "--db") db = value();
        else if (a == "--list-tiles") list_out = value();
        else if (a == "--per-zoom") per_zoom = std::stoull(value());
        else if (a == "--tile-seed") tile_seed = std::stoull(value());
        else if (a == "--count") count = std::stoull(value());
        else if (a == "--seed") seed = std::stoull(value());
        else if (a == "--tiles") tiles_path = value();
        else if (a == "--out") out_path = value();
        else if (a == "--rounds") rounds = std::stoi(value());
        else if (a == "--pg") pg_conninfo = value();
        else if (a == "--reference") reference = true;
        else usage("unknown argument " + std::string(a));
    }
    if (db.empty()) usage("--db is required");

    try {
        std::vector<storage::Stadtraum> areas;
        std::optional<geo::MultiPolygon> outline;
        {
            const auto store = storage::open_spatialite(db);
            areas = store->stadtraeume();
            outline = store->outline();
        }
        if (areas.empty() || !outline) usage(db + " has no Stadträume or no city outline");
        const auto regions = engine::Catalogue::build({}, areas, outline, 0);

        if (!list_out.empty()) {
            std::ofstream out(list_out);
            bench::Rng rng(tile_seed);
            const geo::BBox b = regions->stadtraeume_extent();
            for (const int z : zooms) {
                std::vector<tiles::TileId> chosen{tiles::tile_for(centre, z)};
                // Tiles of random points inside the city: every tile listed intersects the city.
                for (int attempt = 0; attempt < 200000 && chosen.size() < per_zoom; ++attempt) {
                    const geo::Point p{rng.uniform(b.min_x, b.max_x), rng.uniform(b.min_y, b.max_y)};
                    if (!regions->in_city(p)) continue;
                    const tiles::TileId t = tiles::tile_for(p, z);
                    if (std::find(chosen.begin(), chosen.end(), t) == chosen.end()) chosen.push_back(t);
                }
                for (const auto& t : chosen) out << t.z << ' ' << t.x << ' ' << t.y << '\n';
                std::cerr << "tiles: z" << z << ": " << chosen.size() << " tiles\n";
            }
            return 0;
        }

        if (count == 0 || tiles_path.empty() || out_path.empty()) usage("--count, --seed, --tiles and --out are required");
        const auto tile_list = read_tiles(tiles_path);

        std::cerr << "tiles: generating " << count << " SYNTHETIC places (seed " << seed << ")\n";
        std::vector<storage::Place> places = bench::generate_places(geo::PreparedPolygon(*outline), seed, count);
        for (auto& p : places) p.stadtraum = regions->locate(p.position);
        std::cerr << "tiles: building the catalogue\n";
        auto t0 = Clock::now();
        const auto catalogue = engine::Catalogue::build(std::move(places), areas, outline, 1);
        std::cerr << "tiles: Catalogue::build " << micros_since(t0) / 1e6 << " s, " << catalogue->size() << " places\n";

        std::ofstream out(out_path);
        out << "tool\tz\tx\ty\tround\tus\tbytes\n";
        t0 = Clock::now();
        const auto index = engine::build_tile_index(*catalogue);
        const double index_us = micros_since(t0);
        std::cerr << "tiles: build_tile_index " << index_us / 1e6 << " s\n";
        out << "lernorte_index\t-1\t-1\t-1\t0\t" << index_us << "\t0\n";
        const engine::PlaceQuery no_filter;
#ifdef LERNORTE_BENCH_HAVE_LIBPQ
        std::unique_ptr<Pg> pg;
        if (!pg_conninfo.empty()) {
            pg = std::make_unique<Pg>(pg_conninfo);
            const double rt = pg->round_trip_us();
            out << "postgis_roundtrip\t0\t0\t0\t0\t" << rt << "\t0\n";
            std::cerr << "tiles: PostgreSQL round trip (SELECT 1) " << rt << " us\n";
        }
#else
        if (!pg_conninfo.empty()) usage("built without libpq: --pg is not available");
#endif
        // Round 0 is an untimed warm-up (caches, PostgreSQL buffers, allocator); rounds 1..R are kept.
        for (int round = 0; round <= rounds; ++round) {
            for (const tiles::TileId& t : tile_list) {
                const auto row = [&](const char* tool, double us, std::size_t bytes) {
                    if (round > 0) out << tool << '\t' << t.z << '\t' << t.x << '\t' << t.y << '\t' << round << '\t' << us << '\t' << bytes << '\n';
                };
                t0 = Clock::now();
                const engine::TileBytes tile = engine::render_tile(*catalogue, *index, t, no_filter);
                const double us = micros_since(t0);
                row("lernorte", us, tile ? tile->size() : 0);
                if (reference) {
                    t0 = Clock::now();
                    const engine::TileBytes slow = engine::render_tile(*catalogue, t, no_filter);
                    row("lernorte_reference", micros_since(t0), slow ? slow->size() : 0);
                    if (t.z >= 14 && slow != tile) {
                        throw std::runtime_error("tile " + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
                                                 std::to_string(t.y) + " differs from the reference");
                    }
                }
#ifdef LERNORTE_BENCH_HAVE_LIBPQ
                if (pg) {
                    const auto [pus, pbytes] = pg->run("tile", t);
                    row("postgis_wall", pus, pbytes);
                    row("postgis_server", pg->server_us("sql_tile", t), pbytes);
                    if (t.z < 14) {
                        const auto [cus, cbytes] = pg->run("tile_clustered", t);
                        row("postgis_cluster_wall", cus, cbytes);
                        row("postgis_cluster_server", pg->server_us("sql_tile_clustered", t), cbytes);
                    }
                }
#endif
            }
            out.flush();
            std::cerr << "tiles: round " << round << (round == 0 ? " (warm-up)" : "") << " done\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "lernorte_bench_tiles: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
