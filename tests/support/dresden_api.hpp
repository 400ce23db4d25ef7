#pragma once
// One seeded Dresden store and Api per test binary (seeding takes a moment), plus helpers.

#include <memory>
#include <string>

#include <rapidjson/document.h>

#include <lernorte/engine/importer.hpp>
#include <lernorte/http/api.hpp>
#include <lernorte/storage/store.hpp>

#include "temp_dir.hpp"

namespace lernorte::test {

struct DresdenApi {
    TempDir dir;
    engine::Engine engine;
    http::Api api;

    DresdenApi()
        : engine(storage::open_spatialite(dir.file("dresden.sqlite"))),
          api(engine, config()) {
        engine::seed_bundled(engine, LERNORTE_TEST_DATA_DIR);
        api.set_ready(true);
    }

    static http::ApiConfig config() {
        http::ApiConfig c;
        c.frontend_dir = LERNORTE_FRONTEND_DIR;
        c.openapi_path = LERNORTE_OPENAPI_PATH;
        c.sources_path = LERNORTE_SOURCES_PATH;
        c.base_url = "http://127.0.0.1:8080";
        c.data_dir = LERNORTE_TEST_DATA_DIR;
        return c;
    }

    static DresdenApi& shared() {
        static DresdenApi instance;
        return instance;
    }
};

/// Builds a request from a target like "/api/lookup?lon=13.7&lat=51.05" (query kept encoded).
inline http::Request get(const std::string& target, std::map<std::string, std::string> headers = {}) {
    http::Request r;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
        std::string rest = target.substr(q + 1);
        std::size_t start = 0;
        while (start <= rest.size()) {
            const auto amp = rest.find('&', start);
            const std::string pair = rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
            if (!pair.empty()) {
                const auto eq = pair.find('=');
                r.query.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
            }
            if (amp == std::string::npos) break;
            start = amp + 1;
        }
    }
    headers.emplace("host", "127.0.0.1:8080");
    r.headers = std::move(headers);
    return r;
}

/// Asks the shared Dresden API.
inline http::Response call(const std::string& target, std::map<std::string, std::string> headers = {}) {
    return DresdenApi::shared().api.handle(get(target, std::move(headers)));
}

inline rapidjson::Document json(const http::Response& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    return d;
}

}  // namespace lernorte::test
