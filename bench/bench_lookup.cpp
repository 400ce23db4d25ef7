// Point-in-Stadtraum lookups: the in-process read model (Catalogue::locate, i.e. geo::RegionIndex
// over the Stadträume) against SpatiaLite SQL with its spatial index, on the SAME SpatiaLite
// file that `lernorte` wrote, for the same seeded random points inside the city.
//
//   lernorte_bench_lookup --db FILE [--points N] [--seed S] [google-benchmark flags]
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
// after sqlite3.h, which it needs
#include <spatialite.h>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/storage/store.hpp>

#include "synth.hpp"

namespace {

using namespace lernorte;

/// A read-only SpatiaLite connection with the lookup statement prepared once.
class SqlLookup {
public:
    SqlLookup(const std::string& path, const char* sql) {
        if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
            throw std::runtime_error(path + ": " + sqlite3_errmsg(m_db));
        }
        m_cache = spatialite_alloc_connection();
        spatialite_init_ex(m_db, m_cache, 0);
        if (sqlite3_prepare_v2(m_db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) {
            throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(m_db));
        }
    }
    ~SqlLookup() {
        sqlite3_finalize(m_stmt);
        sqlite3_close(m_db);
        spatialite_cleanup_ex(m_cache);
    }
    SqlLookup(const SqlLookup&) = delete;
    SqlLookup& operator=(const SqlLookup&) = delete;

    std::optional<int> locate(geo::Point p) {
        sqlite3_reset(m_stmt);
        sqlite3_bind_double(m_stmt, 1, p.x);
        sqlite3_bind_double(m_stmt, 2, p.y);
        std::optional<int> nr;
        int rc = 0;
        while ((rc = sqlite3_step(m_stmt)) == SQLITE_ROW) {
            if (!nr) nr = sqlite3_column_int(m_stmt, 0);
        }
        if (rc != SQLITE_DONE) throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(m_db));
        return nr;
    }

private:
    sqlite3* m_db = nullptr;
    void* m_cache = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
};

/// The usual SpatiaLite idiom: the SpatialIndex virtual table prefilters by bbox.
constexpr const char* sql_spatial_index =
    "SELECT nr FROM stadtraeume WHERE ST_Contains(geom, MakePoint(?1, ?2, 4326)) AND ROWID IN "
    "(SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'stadtraeume' AND f_geometry_column = 'geom' "
    "AND search_frame = MakePoint(?1, ?2, 4326))";

/// The same, joining the R*Tree (idx_stadtraeume_geom) directly.
constexpr const char* sql_rtree =
    "SELECT s.nr FROM idx_stadtraeume_geom AS r JOIN stadtraeume AS s ON s.ROWID = r.pkid "
    "WHERE r.xmin <= ?1 AND r.xmax >= ?1 AND r.ymin <= ?2 AND r.ymax >= ?2 "
    "AND ST_Contains(s.geom, MakePoint(?1, ?2, 4326))";

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    std::string db;
    std::size_t n_points = 10000;
    std::uint64_t seed = 7;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--db" && i + 1 < argc) {
            db = argv[++i];
        } else if (a == "--points" && i + 1 < argc) {
            n_points = std::stoull(argv[++i]);
        } else if (a == "--seed" && i + 1 < argc) {
            seed = std::stoull(argv[++i]);
        } else {
            std::cerr << "usage: lernorte_bench_lookup --db FILE [--points N] [--seed S] [benchmark flags]\n";
            return 2;
        }
    }
    if (db.empty()) {
        std::cerr << "lernorte_bench_lookup: --db is required\n";
        return 2;
    }

    spatialite_initialize();
    std::shared_ptr<const engine::Catalogue> catalogue;
    {
        const auto store = storage::open_spatialite(db);
        catalogue = engine::Catalogue::build({}, store->stadtraeume(), store->outline(), 0);
    }
    if (catalogue->stadtraeume().empty() || !catalogue->has_outline()) {
        std::cerr << "lernorte_bench_lookup: " << db << " has no Stadträume or no city outline\n";
        return 2;
    }

    // The same seeded points for both sides, uniform inside the city outline.
    std::vector<geo::Point> points;
    {
        bench::Rng rng(seed);
        const geo::BBox b = catalogue->stadtraeume_extent();
        while (points.size() < n_points) {
            const geo::Point p{rng.uniform(b.min_x, b.max_x), rng.uniform(b.min_y, b.max_y)};
            if (catalogue->in_city(p)) points.push_back(p);
        }
    }

    auto sql = std::make_shared<SqlLookup>(db, sql_spatial_index);
    auto sql_direct = std::make_shared<SqlLookup>(db, sql_rtree);
    // All must give the same answers, or the comparison means nothing.
    std::size_t mismatches = 0;
    std::size_t located = 0;
    for (const auto& p : points) {
        const auto a = catalogue->locate(p);
        if (a != sql->locate(p) || a != sql_direct->locate(p)) ++mismatches;
        if (a) ++located;
    }
    std::cerr << "lookup: " << points.size() << " points, " << located << " in a Stadtraum, " << mismatches
              << " answers differ between Catalogue::locate and SpatiaLite\n";

    benchmark::RegisterBenchmark("locate/lernorte_catalogue", [&](benchmark::State& state) {
        std::size_t i = 0;
        for (auto _ : state) {
            benchmark::DoNotOptimize(catalogue->locate(points[i]));
            if (++i == points.size()) i = 0;
        }
        state.SetItemsProcessed(state.iterations());
        state.counters["mismatches"] = static_cast<double>(mismatches);
    });
    benchmark::RegisterBenchmark("locate/spatialite_sql", [&](benchmark::State& state) {
        std::size_t i = 0;
        for (auto _ : state) {
            benchmark::DoNotOptimize(sql->locate(points[i]));
            if (++i == points.size()) i = 0;
        }
        state.SetItemsProcessed(state.iterations());
        state.counters["mismatches"] = static_cast<double>(mismatches);
    });
    benchmark::RegisterBenchmark("locate/spatialite_sql_rtree", [&](benchmark::State& state) {
        std::size_t i = 0;
        for (auto _ : state) {
            benchmark::DoNotOptimize(sql_direct->locate(points[i]));
            if (++i == points.size()) i = 0;
        }
        state.SetItemsProcessed(state.iterations());
        state.counters["mismatches"] = static_cast<double>(mismatches);
    });
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    sql.reset();
    sql_direct.reset();
    return 0;
}
