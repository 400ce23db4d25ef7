// The HTTP handler without sockets: http::Api::handle for one items URL on a real database.
// Splits the cost of an HTTP request into "our handler" (query + GeoJSON encoding + headers)
// and "the rest" (Pistache, kernel, wrk), which bench/run.sh measures with wrk.
//
//   lernorte_bench_api --db FILE --url '/api/collections/places/items?bbox=...&limit=100'
#include <iostream>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include <lernorte/engine/engine.hpp>
#include <lernorte/http/api.hpp>
#include <lernorte/storage/store.hpp>

#ifndef LERNORTE_BENCH_SOURCE_DIR
#define LERNORTE_BENCH_SOURCE_DIR "."
#endif

namespace {

using namespace lernorte;

http::Request parse_url(const std::string& url) {
    http::Request r;
    const auto q = url.find('?');
    r.path = url.substr(0, q);
    if (q != std::string::npos) {
        std::string_view rest = std::string_view(url).substr(q + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const std::string_view pair = rest.substr(0, amp);
            const auto eq = pair.find('=');
            r.query.emplace_back(std::string(pair.substr(0, eq)),
                                 eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
            if (amp == std::string_view::npos) break;
            rest.remove_prefix(amp + 1);
        }
    }
    r.headers["host"] = "127.0.0.1:8080";
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    std::string db;
    std::string url;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--db" && i + 1 < argc) {
            db = argv[++i];
        } else if (a == "--url" && i + 1 < argc) {
            url = argv[++i];
        } else {
            std::cerr << "usage: lernorte_bench_api --db FILE --url PATH?QUERY [benchmark flags]\n";
            return 2;
        }
    }
    if (db.empty() || url.empty()) {
        std::cerr << "lernorte_bench_api: --db and --url are required\n";
        return 2;
    }
    engine::Engine engine(storage::open_spatialite(db));
    http::ApiConfig config;
    const std::string src = LERNORTE_BENCH_SOURCE_DIR;
    config.frontend_dir = src + "/frontend/dist";
    config.openapi_path = src + "/service/http/openapi.json";
    config.sources_path = src + "/data/SOURCES.md";
    config.base_url = "http://127.0.0.1:8080";
    http::Api api(engine, config);
    api.set_ready(true);
    const http::Request request = parse_url(url);
    const http::Response probe = api.handle(request);
    if (probe.status != 200) {
        std::cerr << "lernorte_bench_api: " << url << " answered " << probe.status << ": " << probe.body << '\n';
        return 1;
    }

    benchmark::RegisterBenchmark("api_handle/items_bbox_limit100", [&](benchmark::State& state) {
        std::size_t bytes = 0;
        for (auto _ : state) {
            const http::Response r = api.handle(request);
            bytes += r.body.size();
            benchmark::DoNotOptimize(r.body.data());
        }
        state.SetItemsProcessed(state.iterations());
        state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    })->Unit(benchmark::kMicrosecond);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
