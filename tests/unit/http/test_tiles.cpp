// Vector tiles through the API: status codes, filters in the cache key, freshness after writes.
#include <string>

#include <catch2/catch.hpp>

#include "dresden_api.hpp"

using namespace lernorte;
using test::call;
using test::get;
using test::json;

namespace {

// The Zentralbibliothek (13.738381, 51.050931) lies in tile 14/8817/5481 and 10/551/342.
const std::string central_z14 = "/tiles/14/8817/5481.mvt";

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a tile over the city centre has both layers", "[http][tiles]") {
    const auto r = call(central_z14);
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "application/vnd.mapbox-vector-tile");
    CHECK(contains(r.body, "stadtraeume"));
    CHECK(contains(r.body, "places"));
    CHECK(contains(r.body, "Zentralbibliothek der Städtischen Bibliotheken Dresden im Kulturpalast"));
    REQUIRE(r.header("ETag") != nullptr);
    CHECK(call(central_z14, {{"if-none-match", *r.header("ETag")}}).status == 304);
    // The OGC API - Tiles form (z/row/col) serves the same tile.
    CHECK(call("/api/tiles/WebMercatorQuad/14/5481/8817").body == r.body);
}

TEST_CASE("a cached tile is answered with the cache's own bytes, not a copy", "[http][tiles]") {
    auto& api = test::DresdenApi::shared().api;
    const auto first = api.handle_shared(get(central_z14));
    const auto second = api.handle_shared(get(central_z14));
    REQUIRE(first->status == 200);
    REQUIRE(first->shared_body != nullptr);
    CHECK(first->body.empty());
    CHECK(second->shared_body == first->shared_body);  // the same bytes, held by the tile cache
    CHECK(second->body_view() == call(central_z14).body);
    // gzip and 304 answers do not carry the shared bytes
    const auto zipped = api.handle_shared(get(central_z14, {{"accept-encoding", "gzip"}}));
    CHECK(zipped->shared_body == nullptr);
    CHECK(*zipped->header("Content-Encoding") == "gzip");
    const auto again = api.handle_shared(get(central_z14, {{"if-none-match", *first->header("ETag")}}));
    CHECK(again->status == 304);
    CHECK(again->shared_body == nullptr);
    CHECK(again->body_view().empty());
}

TEST_CASE("a tile far from Dresden is empty: 204", "[http][tiles]") {
    const auto r = call("/tiles/12/0/0.mvt");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
}

TEST_CASE("tile filters change the tile and are part of the cache key", "[http][tiles]") {
    const auto all = call(central_z14);
    const auto schools = call(central_z14 + "?category=schule");
    REQUIRE(schools.status == 200);
    CHECK_FALSE(contains(schools.body, "Zentralbibliothek"));
    CHECK(contains(all.body, "Zentralbibliothek"));
    CHECK(*schools.header("ETag") != *all.header("ETag"));
    const auto libraries = call(central_z14 + "?category=bibliothek&free=false");
    CHECK((libraries.status == 200 || libraries.status == 204));
}

TEST_CASE("bad tile requests are problems", "[http][tiles][bad-input]") {
    for (const auto& [target, status] : std::vector<std::pair<std::string, int>>{
             {"/tiles/3/8/0.mvt", 404},
             {"/tiles/23/0/0.mvt", 404},
             {"/tiles/abc/1/1.mvt", 400},
             {"/tiles/1/-1/0.mvt", 400},
             {"/tiles/1/0/0.png", 404},
             {central_z14 + "?colour=red", 400},
             {central_z14 + "?category=zirkus", 400},
             {central_z14 + "?limit=5", 400},
             {"/api/tiles/OtherQuad/1/0/0", 404},
         }) {
        INFO(target);
        const auto r = call(target);
        CHECK(r.status == status);
        CHECK(r.content_type == "application/problem+json");
    }
}

TEST_CASE("TileJSON and the OGC tileset describe the tiles", "[http][tiles]") {
    const auto tj = json(call("/tiles.json?category=bibliothek"));
    CHECK(tj["tilejson"] == "3.0.0");
    CHECK(std::string(tj["tiles"][0].GetString()) == "http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt?category=bibliothek");
    CHECK(tj["vector_layers"].Size() == 2);
    CHECK(tj["bounds"][0].GetDouble() > 13.5);
    const auto ts = json(call("/api/tiles/WebMercatorQuad"));
    CHECK(ts["dataType"] == "vector");
    CHECK(json(call("/api/tiles"))["tilesets"].Size() == 1);
    CHECK(json(call("/api/conformance"))["conformsTo"].Size() == 13);  // Features 1, 3, 4 and Tiles
}

TEST_CASE("a change is in the very next tile and the next answer", "[http][tiles]") {
    // A store of its own: this test writes.
    test::DresdenApi local;
    const auto before = local.api.handle(get(central_z14));
    REQUIRE(before.status == 200);
    CHECK_FALSE(contains(before.body, "Werkstatt am Altmarkt"));
    const std::string items = "/api/collections/places/items?category=werkstatt";
    CHECK(json(local.api.handle(get(items)))["numberMatched"].GetInt() == 0);
    CHECK(json(local.api.handle(get(items)))["numberMatched"].GetInt() == 0);  // now from the response cache
    const auto path = local.dir.write("new.csv", "name,category,lon,lat\nWerkstatt am Altmarkt,werkstatt,13.7378,51.0505\n");
    REQUIRE(engine::import_places(local.engine, path, {}).inserted == 1);
    const auto after = local.api.handle(get(central_z14));
    REQUIRE(after.status == 200);
    CHECK(contains(after.body, "Werkstatt am Altmarkt"));
    CHECK(json(local.api.handle(get(items)))["numberMatched"].GetInt() == 1);  // no stale cached answer
    CHECK(*after.header("ETag") != *before.header("ETag"));
    CHECK(local.api.handle(get(central_z14, {{"if-none-match", *before.header("ETag")}})).status == 200);
}
