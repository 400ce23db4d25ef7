// Geo-targets for campaigns: circle covers and postcode overlaps on the real Dresden data,
// beside the anchor, GEOS computing the same figures in the same run (union of the circles as
// 64-gons, its intersection with the selection, areas; postcode ∩ selection areas).
//
//   lernorte_bench_targets [--data DIR] [google-benchmark flags]
//
// Speed targets (docs/BENCHMARKS-targets.md): cover for one Stadtraum < 50 ms, all 17 < 500 ms
// (radius 1 km); postcode overlap for all 17 < 100 ms.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>
#include <geos_c.h>

#include <lernorte/engine/targets.hpp>
#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/geometry.hpp>
#include <lernorte/geo/ogr_source.hpp>

namespace {

using namespace lernorte;

std::string g_data_dir = LERNORTE_BENCH_DATA_DIR;

struct Fixture {
    std::shared_ptr<const engine::TargetData> data;
    std::vector<storage::Stadtraum> stadtraeume;
    std::unique_ptr<geo::TargetPlanner> planner;

    Fixture() {
        data = engine::load_target_data(g_data_dir);
        geo::Source source(g_data_dir + "/boundaries/stadtraeume_17.geojson", {});
        while (auto f = source.next()) {
            storage::Stadtraum s;
            s.nr = std::stoi(f->fields.at("stadtraum_nr"));
            s.name = f->fields.at("stadtraum_name");
            s.short_name = f->fields.at("stadtraum_kurz");
            s.geometry = std::get<geo::MultiPolygon>(f->geometry);
            stadtraeume.push_back(std::move(s));
        }
        planner = std::make_unique<geo::TargetPlanner>(engine::make_planner(*data, stadtraeume));
    }
    static Fixture& get() {
        static Fixture f;
        return f;
    }
    [[nodiscard]] std::vector<int> all() const {
        std::vector<int> nrs;
        for (const auto& s : stadtraeume) nrs.push_back(s.nr);
        return nrs;
    }
};

// ---- the anchor: GEOS ----------------------------------------------------------------------------

class Geos {
public:
    Geos() : m_h(GEOS_init_r()) {}
    ~Geos() { GEOS_finish_r(m_h); }
    Geos(const Geos&) = delete;
    Geos& operator=(const Geos&) = delete;
    Geos(Geos&&) = delete;
    Geos& operator=(Geos&&) = delete;

    struct Deleter {
        GEOSContextHandle_t h;
        void operator()(GEOSGeometry* g) const noexcept { GEOSGeom_destroy_r(h, g); }
    };
    using Ptr = std::unique_ptr<GEOSGeometry, Deleter>;

    Ptr own(GEOSGeometry* g) const {
        if (g == nullptr) throw std::runtime_error("GEOS failed");
        return Ptr(g, Deleter{m_h});
    }
    GEOSGeometry* ring(const geo::Ring& r) const {
        std::vector<double> xy;
        for (const auto& p : r) {
            xy.push_back(p.x);
            xy.push_back(p.y);
        }
        return GEOSGeom_createLinearRing_r(
            m_h, GEOSCoordSeq_copyFromBuffer_r(m_h, xy.data(), static_cast<unsigned>(r.size()), 0, 0));
    }
    Ptr multipolygon(const geo::MultiPolygon& mp) const {
        std::vector<GEOSGeometry*> polys;
        for (const auto& p : mp.polygons) {
            std::vector<GEOSGeometry*> holes;
            for (std::size_t i = 1; i < p.rings.size(); ++i) holes.push_back(ring(p.rings[i]));
            polys.push_back(GEOSGeom_createPolygon_r(m_h, ring(p.rings[0]), holes.data(), static_cast<unsigned>(holes.size())));
        }
        return own(GEOSGeom_createCollection_r(m_h, GEOS_MULTIPOLYGON, polys.data(), static_cast<unsigned>(polys.size())));
    }
    Ptr unite(std::vector<Ptr> parts) const {
        std::vector<GEOSGeometry*> raw;
        for (auto& p : parts) raw.push_back(p.release());
        const Ptr c = own(GEOSGeom_createCollection_r(m_h, GEOS_GEOMETRYCOLLECTION, raw.data(), static_cast<unsigned>(raw.size())));
        return own(GEOSUnaryUnion_r(m_h, c.get()));
    }
    [[nodiscard]] double area(const GEOSGeometry* g) const {
        double a = 0;
        GEOSArea_r(m_h, g, &a);
        return a;
    }
    [[nodiscard]] GEOSContextHandle_t h() const noexcept { return m_h; }

private:
    GEOSContextHandle_t m_h;
};

const geo::Transformer& utm() {
    thread_local const geo::Transformer t(geo::wgs84, geo::utm33);
    return t;
}

// The same figures as TargetPlanner::circle_figures (without residents), from the same plain
// inputs: the Stadtraum polygons (lon/lat) and the circles (centre lon/lat, radius).
double geos_coverage(const Geos& g, const std::vector<geo::MultiPolygon>& selection,
                     const std::vector<geo::CoverCircle>& circles) {
    std::vector<Geos::Ptr> sel;
    for (const auto& s : selection) sel.push_back(g.multipolygon(utm().forward(s)));
    const auto s = g.unite(std::move(sel));
    std::vector<Geos::Ptr> cs;
    for (const auto& c : circles) {
        cs.push_back(g.multipolygon(utm().forward(geo::MultiPolygon{{geo::TargetPlanner::circle_polygon(c, 64)}})));
    }
    const auto t = g.unite(std::move(cs));
    const auto st = g.own(GEOSIntersection_r(g.h(), s.get(), t.get()));
    const double covered = g.area(st.get()), targeted = g.area(t.get());
    benchmark::DoNotOptimize(targeted);
    return covered / g.area(s.get());
}

std::vector<geo::MultiPolygon> geometries(const Fixture& f, const std::vector<int>& nrs) {
    std::vector<geo::MultiPolygon> out;
    for (const auto& s : f.stadtraeume) {
        for (int nr : nrs) {
            if (s.nr == nr) out.push_back(s.geometry);
        }
    }
    return out;
}

// ---- ours ----------------------------------------------------------------------------------------

void BM_make_planner(benchmark::State& state) {
    auto& f = Fixture::get();
    for (auto _ : state) {
        auto p = engine::make_planner(*f.data, f.stadtraeume);
        benchmark::DoNotOptimize(p);
    }
}

// One Stadtraum (arg 0: nr, arg 1: radius in m).
void BM_cover_one(benchmark::State& state) {
    auto& f = Fixture::get();
    const int nr = static_cast<int>(state.range(0));
    const double r = static_cast<double>(state.range(1));
    geo::CoverResult result;
    for (auto _ : state) {
        result = f.planner->cover({nr}, {r, 0.95});
        benchmark::DoNotOptimize(result);
    }
    state.counters["circles"] = static_cast<double>(result.circles.size());
    state.counters["coverage"] = result.figures.coverage_pct;
    state.counters["spill"] = result.figures.spill_pct;
}

// All 17, one after the other (arg: radius).
void BM_cover_each_of_17(benchmark::State& state) {
    auto& f = Fixture::get();
    const double r = static_cast<double>(state.range(0));
    std::size_t circles = 0;
    for (auto _ : state) {
        circles = 0;
        for (int nr : f.all()) circles += f.planner->cover({nr}, {r, 0.95}).circles.size();
        benchmark::DoNotOptimize(circles);
    }
    state.counters["circles"] = static_cast<double>(circles);
}

// All 17 as one selection (the whole city; arg: radius).
void BM_cover_city(benchmark::State& state) {
    auto& f = Fixture::get();
    const double r = static_cast<double>(state.range(0));
    geo::CoverResult result;
    for (auto _ : state) {
        result = f.planner->cover(f.all(), {r, 0.95});
        benchmark::DoNotOptimize(result);
    }
    state.counters["circles"] = static_cast<double>(result.circles.size());
    state.counters["coverage"] = result.figures.coverage_pct;
    state.counters["spill"] = result.figures.spill_pct;
}

// The figures alone for given circles (ours), beside GEOS for the same circles (the anchor).
void BM_figures_each_of_17_ours(benchmark::State& state) {
    auto& f = Fixture::get();
    const double r = static_cast<double>(state.range(0));
    std::vector<std::vector<geo::CoverCircle>> circles;
    for (int nr : f.all()) circles.push_back(f.planner->cover({nr}, {r, 0.95}).circles);
    for (auto _ : state) {
        double sum = 0;
        for (std::size_t i = 0; i < circles.size(); ++i) sum += f.planner->circle_figures({f.all()[i]}, circles[i]).coverage_pct;
        benchmark::DoNotOptimize(sum);
    }
}

void BM_figures_each_of_17_geos(benchmark::State& state) {
    auto& f = Fixture::get();
    const double r = static_cast<double>(state.range(0));
    std::vector<std::vector<geo::CoverCircle>> circles;
    for (int nr : f.all()) circles.push_back(f.planner->cover({nr}, {r, 0.95}).circles);
    const Geos g;
    for (auto _ : state) {
        double sum = 0;
        for (std::size_t i = 0; i < circles.size(); ++i) sum += geos_coverage(g, geometries(f, {f.all()[i]}), circles[i]);
        benchmark::DoNotOptimize(sum);
    }
}

void BM_figures_city_ours(benchmark::State& state) {
    auto& f = Fixture::get();
    const double r = static_cast<double>(state.range(0));
    const auto circles = f.planner->cover(f.all(), {r, 0.95}).circles;
    for (auto _ : state) benchmark::DoNotOptimize(f.planner->circle_figures(f.all(), circles));
}

void BM_figures_city_geos(benchmark::State& state) {
    auto& f = Fixture::get();
    const double r = static_cast<double>(state.range(0));
    const auto circles = f.planner->cover(f.all(), {r, 0.95}).circles;
    const Geos g;
    const auto sel = geometries(f, f.all());
    for (auto _ : state) benchmark::DoNotOptimize(geos_coverage(g, sel, circles));
}

void BM_postcodes_each_of_17_ours(benchmark::State& state) {
    auto& f = Fixture::get();
    for (auto _ : state) {
        std::size_t n = 0;
        for (int nr : f.all()) n += f.planner->postcodes({nr}, 0.5).postcodes.size();
        benchmark::DoNotOptimize(n);
    }
}

// GEOS: each postcode that meets the Stadtraum's box, intersected with it; the areas.
void BM_postcodes_each_of_17_geos(benchmark::State& state) {
    auto& f = Fixture::get();
    const Geos g;
    for (auto _ : state) {
        double sum = 0;
        for (const auto& s : f.stadtraeume) {
            const auto sel = g.multipolygon(utm().forward(s.geometry));
            const auto box = s.geometry.bbox();
            for (const auto& p : f.data->postcodes) {
                if (!p.geometry.bbox().intersects(box)) continue;
                const auto pg = g.multipolygon(utm().forward(p.geometry));
                const auto inter = g.own(GEOSIntersection_r(g.h(), pg.get(), sel.get()));
                sum += g.area(inter.get()) / g.area(pg.get());
            }
        }
        benchmark::DoNotOptimize(sum);
    }
}

BENCHMARK(BM_make_planner)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cover_one)->Args({11, 1000})->Args({16, 1000})->Args({7, 1000})->Args({11, 96})->Args({7, 96})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cover_each_of_17)->Arg(1000)->Arg(96)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cover_city)->Arg(1000)->Arg(96)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_figures_each_of_17_ours)->Arg(1000)->Arg(96)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_figures_each_of_17_geos)->Arg(1000)->Arg(96)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_figures_city_ours)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_figures_city_geos)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_postcodes_each_of_17_ours)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_postcodes_each_of_17_geos)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
    // Our own flag first; the rest is Google Benchmark's.
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--data" && i + 1 < argc) {
            g_data_dir = argv[++i];
        } else {
            rest.push_back(argv[i]);
        }
    }
    int n = static_cast<int>(rest.size());
    benchmark::Initialize(&n, rest.data());
    try {
        (void)Fixture::get();
    } catch (const std::exception& e) {
        std::cerr << "lernorte_bench_targets: " << e.what() << "\n";
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
