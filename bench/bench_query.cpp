// Items queries in process: engine::Catalogue::query (bbox, limit 100) over N synthetic places
// built in memory with Catalogue::build, with random map-view boxes inside Dresden; and the
// time of Catalogue::build itself for N places.
//
//   lernorte_bench_query --db FILE [--count N] [--seed S] [google-benchmark flags]
//
// FILE supplies the real Stadträume and city outline (e.g. the benchmark database).
#include <cmath>
#include <iostream>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/storage/store.hpp>

#include "synth.hpp"

namespace {

using namespace lernorte;

/// `count` boxes of side `km` x `km` centred on random points inside the city.
std::vector<geo::BBox> view_boxes(const engine::Catalogue& c, double km, std::size_t count, std::uint64_t seed) {
    bench::Rng rng(seed);
    const geo::BBox b = c.stadtraeume_extent();
    std::vector<geo::BBox> boxes;
    while (boxes.size() < count) {
        const geo::Point p{rng.uniform(b.min_x, b.max_x), rng.uniform(b.min_y, b.max_y)};
        if (!c.in_city(p)) continue;
        const double half_lat = km / 2.0 / 111.32;
        const double half_lon = km / 2.0 / (111.32 * std::cos(p.y * std::numbers::pi / 180.0));
        boxes.push_back(geo::BBox{p.x - half_lon, p.y - half_lat, p.x + half_lon, p.y + half_lat});
    }
    return boxes;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    std::string db;
    std::size_t count = 1000000;
    std::uint64_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--db" && i + 1 < argc) {
            db = argv[++i];
        } else if (a == "--count" && i + 1 < argc) {
            count = std::stoull(argv[++i]);
        } else if (a == "--seed" && i + 1 < argc) {
            seed = std::stoull(argv[++i]);
        } else {
            std::cerr << "usage: lernorte_bench_query --db FILE [--count N] [--seed S] [benchmark flags]\n";
            return 2;
        }
    }
    if (db.empty()) {
        std::cerr << "lernorte_bench_query: --db is required\n";
        return 2;
    }

    std::vector<storage::Stadtraum> areas;
    std::optional<geo::MultiPolygon> outline;
    {
        const auto store = storage::open_spatialite(db);
        areas = store->stadtraeume();
        outline = store->outline();
    }
    if (areas.empty() || !outline) {
        std::cerr << "lernorte_bench_query: " << db << " has no Stadträume or no city outline\n";
        return 2;
    }
    const auto regions = engine::Catalogue::build({}, areas, outline, 0);

    std::cerr << "query: generating " << count << " synthetic places (seed " << seed << ")\n";
    std::vector<storage::Place> places = bench::generate_places(geo::PreparedPolygon(*outline), seed, count);
    for (auto& p : places) p.stadtraum = regions->locate(p.position);

    std::cerr << "query: building the catalogue\n";
    const auto catalogue = engine::Catalogue::build(places, areas, outline, 1);

    benchmark::RegisterBenchmark("catalogue_build", [&](benchmark::State& state) {
        std::shared_ptr<const engine::Catalogue> built;
        for (auto _ : state) {
            state.PauseTiming();
            built.reset();
            std::vector<storage::Place> input = places;  // build() consumes its input
            state.ResumeTiming();
            built = engine::Catalogue::build(std::move(input), areas, outline, 2);
        }
        state.counters["places"] = static_cast<double>(built->size());
    })->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3)->UseRealTime();

    for (const double km : {1.0, 3.0, 10.0}) {
        const auto boxes = view_boxes(*catalogue, km, 1000, 11);
        const std::string name = "query_bbox_limit100/" + std::to_string(static_cast<int>(km)) + "km";
        benchmark::RegisterBenchmark(name.c_str(), [&catalogue, boxes](benchmark::State& state) {
            std::size_t i = 0;
            double matched = 0;
            for (auto _ : state) {
                engine::PlaceQuery q;
                q.bbox = boxes[i];
                q.limit = 100;
                const engine::PlaceResult r = catalogue->query(q);
                benchmark::DoNotOptimize(r.hits.data());
                matched += static_cast<double>(r.number_matched);
                if (++i == boxes.size()) i = 0;
            }
            state.SetItemsProcessed(state.iterations());
            state.counters["matched"] = benchmark::Counter(matched, benchmark::Counter::kAvgIterations);
        })->Unit(benchmark::kMicrosecond);
    }

    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
