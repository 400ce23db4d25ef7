// Tiles rendered with a snapshot's TileIndex (cluster cells, direct encoding) against the
// reference path that reads every place of the tile: the same features in the same order with
// the same ids and tags; only a cluster's centroid may differ by one unit of float rounding.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/engine/importer.hpp>
#include <lernorte/engine/tile_service.hpp>
#include <lernorte/geo/ogr_source.hpp>
#include <lernorte/storage/store.hpp>
#include <lernorte/tiles/tile_math.hpp>

#include "../tiles/mvt_decoder.hpp"
#include "temp_dir.hpp"

using namespace lernorte;
namespace mvt = test::mvt;

namespace {

std::vector<storage::Stadtraum> dresden_stadtraeume() {
    std::vector<storage::Stadtraum> out;
    geo::Source source(test::data_file("boundaries/stadtraeume_17.geojson"), {});
    while (auto f = source.next()) {
        storage::Stadtraum s;
        s.nr = std::stoi(f->fields.at("stadtraum_nr"));
        s.name = f->fields.at("stadtraum_name");
        s.short_name = f->fields.at("stadtraum_kurz");
        s.population = std::stoll(f->fields.at("ew_2025"));
        s.geometry = std::get<geo::MultiPolygon>(f->geometry);
        out.push_back(std::move(s));
    }
    return out;
}

// The bundled Dresden places, as the server seeds them.
std::shared_ptr<const engine::Catalogue> dresden_catalogue() {
    static const auto catalogue = [] {
        test::TempDir dir;
        engine::Engine engine(storage::open_spatialite(dir.file("tiles.sqlite")));
        engine::seed_bundled(engine, LERNORTE_TEST_DATA_DIR);
        return engine.catalogue();
    }();
    return catalogue;
}

geo::BBox dresden_box() { return {13.58, 50.97, 13.97, 51.18}; }

// Synthetic places that probe the corners of the encoder: positions on 1e-7 degree steps (which
// meet tile and cell edges exactly), places on exact tile edges, stacked places, repeated names,
// names equal to another place's id or to a category, empty and unusual values.
std::vector<storage::Place> synthetic_places(std::size_t count, std::uint32_t seed) {
    std::mt19937 rng(seed);
    const geo::BBox b = dresden_box();
    std::uniform_real_distribution<double> lon(b.min_x, b.max_x);
    std::uniform_real_distribution<double> lat(b.min_y, b.max_y);
    const auto& cats = storage::categories();
    const char* const wheelchair[] = {"yes", "limited", "no", "unknown"};
    std::vector<storage::Place> out;
    for (std::size_t i = 0; i < count; ++i) {
        storage::Place p;
        p.id = "syn-" + std::to_string(i);
        p.category = std::string(cats[rng() % cats.size()].key);
        if (i % 97 == 0) p.category.clear();
        p.name = "Ort " + std::to_string(rng() % (count / 3 + 1));
        if (i % 101 == 0) p.name = "syn-" + std::to_string(i + 1);  // another place's id
        if (i % 103 == 0) p.name = p.category;
        p.wheelchair = wheelchair[rng() % 4];
        if (i % 3 == 1) p.free = (rng() % 2) == 0;
        p.updated_at = "2026-01-01T00:00:00Z";
        geo::Point pos{std::round(lon(rng) * 1e7) / 1e7, std::round(lat(rng) * 1e7) / 1e7};
        if (i % 50 == 0) {
            // Exactly on the west or north edge of a tile of zoom 8..13.
            const int z = 8 + static_cast<int>(rng() % 6);
            const geo::BBox t = tiles::tile_bounds(tiles::tile_for(pos, z));
            if (rng() % 2 == 0) pos.x = t.min_x; else pos.y = t.max_y;
        }
        if (i % 200 == 1 && !out.empty()) pos = out.back().position;  // stacked places
        p.position = pos;
        out.push_back(std::move(p));
    }
    return out;
}

std::shared_ptr<const engine::Catalogue> synthetic_catalogue() {
    static const auto catalogue = engine::Catalogue::build(synthetic_places(30000, 7), dresden_stadtraeume(),
                                                           std::nullopt, 1);
    return catalogue;
}

std::vector<tiles::TileId> tiles_over_dresden(int z, std::size_t max_count, std::uint32_t seed) {
    const geo::BBox b = dresden_box();
    const tiles::TileId nw = tiles::tile_for({b.min_x, b.max_y}, z);
    const tiles::TileId se = tiles::tile_for({b.max_x, b.min_y}, z);
    std::vector<tiles::TileId> all;
    for (std::uint32_t x = nw.x; x <= se.x; ++x) {
        for (std::uint32_t y = nw.y; y <= se.y; ++y) all.push_back({z, x, y});
    }
    if (all.size() > max_count) {
        std::mt19937 rng(seed);
        std::shuffle(all.begin(), all.end(), rng);
        all.resize(max_count);
    }
    return all;
}

bool is_cluster(const mvt::Feature& f) { return f.tag("cluster") == "bool:true"; }

// The same tile up to a cluster centroid's rounding.
void check_same_tile(const engine::TileBytes& fast, const engine::TileBytes& reference, tiles::TileId t) {
    INFO("tile " << t.z << "/" << t.x << "/" << t.y);
    REQUIRE(fast.has_value() == reference.has_value());
    if (!fast || *fast == *reference) return;
    const mvt::Tile a = mvt::decode(*fast);
    const mvt::Tile b = mvt::decode(*reference);
    REQUIRE(a.layers.size() == b.layers.size());
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
        const mvt::Layer& la = a.layers[l];
        const mvt::Layer& lb = b.layers[l];
        CHECK(la.name == lb.name);
        CHECK(la.keys == lb.keys);
        CHECK(la.values == lb.values);
        REQUIRE(la.features.size() == lb.features.size());
        for (std::size_t i = 0; i < la.features.size(); ++i) {
            const mvt::Feature& fa = la.features[i];
            const mvt::Feature& fb = lb.features[i];
            INFO("layer " << la.name << " feature " << i);
            CHECK(fa.id == fb.id);
            CHECK(fa.type == fb.type);
            CHECK(fa.tags == fb.tags);
            if (la.name == "places" && is_cluster(fb)) {
                REQUIRE(fa.parts.size() == 1);
                REQUIRE(fb.parts.size() == 1);
                CHECK(std::abs(fa.parts[0][0].x - fb.parts[0][0].x) <= 1);
                CHECK(std::abs(fa.parts[0][0].y - fb.parts[0][0].y) <= 1);
            } else {
                CHECK(fa.parts == fb.parts);
            }
        }
    }
}

std::vector<engine::PlaceQuery> filters(const engine::Catalogue& c) {
    std::set<std::string> categories;
    for (std::uint32_t i = 0; i < c.size(); ++i) categories.emplace(c.category(i));
    std::vector<std::string> some(categories.begin(), categories.end());
    std::vector<engine::PlaceQuery> out(1);  // no filter
    engine::PlaceQuery q;
    q.categories = {some.front()};
    out.push_back(q);
    q.categories = {some.back(), some[some.size() / 2], "no-such-category"};
    out.push_back(q);
    q = {};
    q.free = true;
    out.push_back(q);
    q = {};
    q.free = false;
    q.wheelchair = {"yes", "limited"};
    out.push_back(q);
    q.categories = {some.front(), some.back()};
    out.push_back(q);
    q = {};
    q.target_groups = {"families"};  // not answered by the cluster cells: rendered place by place
    out.push_back(q);
    q = {};
    q.languages = {"en"};
    q.categories = {some.front()};
    out.push_back(q);
    return out;
}

void compare_all(const engine::Catalogue& catalogue, int max_tiles_per_zoom) {
    const auto index = engine::build_tile_index(catalogue);
    REQUIRE(engine::index_serves(*index, catalogue));
    std::size_t compared = 0;
    std::size_t with_places = 0;
    for (const engine::PlaceQuery& filter : filters(catalogue)) {
        const bool unfiltered = filter.categories.empty() && !filter.free && filter.wheelchair.empty() &&
                                filter.target_groups.empty() && filter.languages.empty();
        for (int z = 8; z <= 16; ++z) {
            const auto n = static_cast<std::size_t>(unfiltered ? max_tiles_per_zoom : max_tiles_per_zoom / 4);
            for (const tiles::TileId t : tiles_over_dresden(z, n, static_cast<std::uint32_t>(z))) {
                const engine::TileBytes fast = engine::render_tile(catalogue, *index, t, filter);
                const engine::TileBytes reference = engine::render_tile(catalogue, t, filter);
                check_same_tile(fast, reference, t);
                ++compared;
                if (reference && reference->find("places") != std::string::npos) ++with_places;
            }
        }
    }
    CHECK(compared > 500);
    CHECK(with_places > 100);
}

}  // namespace

TEST_CASE("tiles from the tile index equal the reference tiles over the bundled Dresden places",
          "[engine][tiles]") {
    const auto catalogue = dresden_catalogue();
    REQUIRE(catalogue->size() > 100);
    compare_all(*catalogue, 120);
}

TEST_CASE("tiles from the tile index equal the reference tiles over synthetic places on tile and cell edges",
          "[engine][tiles]") {
    compare_all(*synthetic_catalogue(), 80);
}

TEST_CASE("place tiles from the tile index are the reference bytes", "[engine][tiles]") {
    const auto catalogue = synthetic_catalogue();
    const auto index = engine::build_tile_index(*catalogue);
    for (int z = 14; z <= 16; ++z) {
        for (const tiles::TileId t : tiles_over_dresden(z, 40, 3)) {
            CHECK(engine::render_tile(*catalogue, *index, t, {}) == engine::render_tile(*catalogue, t, {}));
        }
    }
}

TEST_CASE("an index serves only the snapshot it was built from", "[engine][tiles]") {
    const auto a = engine::Catalogue::build(synthetic_places(200, 1), dresden_stadtraeume(), std::nullopt, 1);
    const auto b = engine::Catalogue::build(synthetic_places(300, 2), dresden_stadtraeume(), std::nullopt, 2);
    const auto index = engine::build_tile_index(*a);
    CHECK(engine::index_serves(*index, *a));
    CHECK_FALSE(engine::index_serves(*index, *b));
}

TEST_CASE("the tile cache renders with the newest snapshot's index, also from many threads", "[engine][tiles]") {
    const auto first = engine::Catalogue::build(synthetic_places(3000, 11), dresden_stadtraeume(), std::nullopt, 1);
    const auto second = engine::Catalogue::build(synthetic_places(5000, 12), dresden_stadtraeume(), std::nullopt, 2);
    std::vector<tiles::TileId> tiles;
    for (int z = 9; z <= 15; z += 2) {
        for (const tiles::TileId t : tiles_over_dresden(z, 12, 5)) tiles.push_back(t);
    }
    engine::TileCache cache(16);  // smaller than the tiles: entries are evicted and rendered again
    for (const auto& catalogue : {first, second}) {
        std::vector<std::thread> threads;
        std::vector<int> mismatches(4, 0);
        for (std::size_t k = 0; k < mismatches.size(); ++k) {
            threads.emplace_back([&, k] {
                for (int round = 0; round < 2; ++round) {
                    for (std::size_t i = k; i < tiles.size(); i += 2) {
                        const auto bytes = cache.get(*catalogue, tiles[i], {}, "");
                        const engine::TileBytes reference = engine::render_tile(*catalogue, tiles[i], {});
                        if (bytes->has_value() != reference.has_value()) ++mismatches[k];
                        if (tiles[i].z >= 14 && *bytes != reference) ++mismatches[k];
                    }
                }
            });
        }
        for (auto& t : threads) t.join();
        CHECK(mismatches == std::vector<int>(4, 0));
        for (const tiles::TileId t : tiles) check_same_tile(*cache.get(*catalogue, t, {}, ""), engine::render_tile(*catalogue, t, {}), t);
    }
}
