// The MVT encoder: layers, tags, ids, point features and grid clustering, decoded back by a strict reader.

#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/geo/ogr_source.hpp>
#include <lernorte/tiles/mvt.hpp>

#include "mvt_decoder.hpp"
#include "tile_space.hpp"

using namespace lernorte;
namespace mvt = test::mvt;

namespace {

const tiles::TileId z14{14, 8817, 5481};            // Frauenkirche, a non-cluster zoom
const tiles::TileId z12 = tiles::tile_for({13.7417, 51.0519}, 12);  // a cluster zoom

tiles::PointFeature place(tiles::TileId t, std::uint64_t id, double tx, double ty, std::string category,
                          std::string name = {}) {
    tiles::PointFeature p{id, test::lonlat_at(t, tx, ty), std::move(category), {}};
    if (!name.empty()) p.properties.push_back({"name", std::move(name)});
    return p;
}

geo::MultiPolygon square(tiles::TileId t, double x0, double y0, double x1, double y1) {
    return {{geo::Polygon{{test::ring_at(t, {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}})}}}};
}

mvt::Tile build(tiles::TileId t, const std::vector<tiles::AreaFeature>& areas,
                const std::vector<tiles::PointFeature>& points, const tiles::TileOptions& o = {}) {
    const auto data = tiles::build_tile(t, areas, points, o);
    if (!data) throw std::runtime_error("expected a tile, got none");
    return mvt::decode(*data);
}

}  // namespace

TEST_CASE("a tile without features is nullopt", "[tiles][mvt]") {
    CHECK_FALSE(tiles::build_tile(z14, {}, {}).has_value());
    const geo::MultiPolygon far = square(z14, 6000, 6000, 7000, 7000);
    const std::vector<tiles::PointFeature> outside{place(z14, 1, -500, 10, "museum"), place(z14, 2, 10, 9000, "museum")};
    CHECK_FALSE(tiles::build_tile(z14, {{1, &far, {}}, {2, nullptr, {}}}, outside).has_value());
    CHECK_FALSE(tiles::build_tile(z12, {}, {place(z12, 3, -10, 10, "museum")}).has_value());  // buffer only
}

TEST_CASE("layers carry version 2, the extent and their names; empty layers are omitted", "[tiles][mvt]") {
    tiles::TileOptions o;
    o.extent = 512;
    o.buffer = 8;
    const tiles::TileId t = z14;
    const geo::MultiPolygon small{{geo::Polygon{{test::ring_at(t, {{10, 10}, {50, 10}, {50, 50}, {10, 50}}, 512)}}}};
    tiles::PointFeature p{9, test::lonlat_at(t, 100, 100, 512), "museum", {}};

    const auto both = build(t, {{1, &small, {}}}, {p}, o);
    REQUIRE(both.layers.size() == 2);
    CHECK(both.layers[0].name == "stadtraeume");
    CHECK(both.layers[1].name == "places");
    for (const auto& layer : both.layers) {
        CHECK(layer.version == 2);
        CHECK(layer.extent == 512);
    }
    CHECK(both.layers[1].features.at(0).parts.at(0).at(0) == mvt::Vertex{100, 100});

    const auto areas_only = build(t, {{1, &small, {}}}, {}, o);
    REQUIRE(areas_only.layers.size() == 1);
    CHECK(areas_only.layers[0].name == "stadtraeume");
    const auto points_only = build(t, {}, {p}, o);
    REQUIRE(points_only.layers.size() == 1);
    CHECK(points_only.layers[0].name == "places");
}

TEST_CASE("a polygon is MoveTo, LineTo and ClosePath with zigzag deltas", "[tiles][mvt]") {
    const geo::MultiPolygon mp = square(z14, 100, 100, 200, 200);
    const auto tile = build(z14, {{42, &mp, {}}}, {});
    const auto& f = tile.layers.at(0).features.at(0);
    CHECK(f.id == 42U);
    CHECK(f.type == 3);
    // MoveTo(1) +100,+100; LineTo(3) +100,0 0,+100 -100,0; ClosePath(1): the first point is not repeated.
    CHECK(f.commands == std::vector<std::uint32_t>{9, 200, 200, 26, 200, 0, 0, 200, 199, 0, 15});
}

TEST_CASE("keys and values are deduplicated per layer and keep their types", "[tiles][mvt]") {
    const geo::MultiPolygon a = square(z14, 100, 100, 200, 200);
    const geo::MultiPolygon b = square(z14, 300, 300, 400, 400);
    const std::vector<tiles::AreaFeature> areas{
        {2, &a, {{"name", std::string("Johannstadt")}, {"nr", std::int64_t{2}}, {"foreign_pct", 12.5},
                 {"one_int", std::int64_t{1}}, {"one_double", 1.0}, {"active", true}, {"delta", std::int64_t{-3}}}},
        {11, &b, {{"name", std::string("Prohlis")}, {"nr", std::int64_t{11}}, {"foreign_pct", 12.5},
                  {"one_int", std::int64_t{1}}, {"one_double", 1.0}, {"active", true}, {"name", std::string("dup")}}},
    };
    const auto tile = build(z14, areas, {});
    const auto& layer = tile.layers.at(0);
    CHECK(layer.keys == std::vector<std::string>{"name", "nr", "foreign_pct", "one_int", "one_double", "active", "delta"});
    CHECK(layer.values == std::vector<std::string>{"str:\"Johannstadt\"", "uint:2", "double:12.5", "uint:1", "double:1",
                                                   "bool:true", "sint:-3", "str:\"Prohlis\"", "uint:11"});
    REQUIRE(layer.features.size() == 2);
    CHECK(layer.features[0].id == 2U);
    CHECK(layer.features[1].id == 11U);
    CHECK(layer.features[1].tag("name") == "str:\"Prohlis\"");  // the first property with a key wins
    CHECK(layer.features[1].tags.size() == 6);
}

TEST_CASE("at a non-cluster zoom every point is a feature with its properties, buffer included", "[tiles][mvt]") {
    std::vector<tiles::PointFeature> points{
        place(z14, 1, 100.25, 100.25, "bibliothek", "Zentralbibliothek"),
        place(z14, 2, 110.25, 100.25, "bibliothek", "Städtische Bibliothek Johannstadt"),
        place(z14, 3, -30.25, 50.25, "garten", "Gemeinschaftsgarten am Rand"),  // in the buffer
        place(z14, 4, -100.25, 50.25, "garten", "zu weit"),                    // beyond the buffer
        place(z14, 5, 4000.25, 9000.25, "museum", "anderswo"),
    };
    points[0].properties.push_back({"orte100", std::int64_t{17}});
    points[1].properties.push_back({"category", std::string("bibliothek_override")});

    const auto tile = build(z14, {}, points);
    const auto& layer = tile.layers.at(0);
    REQUIRE(layer.features.size() == 3);
    CHECK(layer.features[0].id == 1U);
    CHECK(layer.features[0].type == 1);
    CHECK(layer.features[0].tag("name") == "str:\"Zentralbibliothek\"");
    CHECK(layer.features[0].tag("orte100") == "uint:17");
    CHECK(layer.features[0].tag("category") == "str:\"bibliothek\"");
    CHECK(layer.features[0].parts == std::vector<std::vector<mvt::Vertex>>{{{100, 100}}});
    CHECK(layer.features[1].tag("category") == "str:\"bibliothek_override\"");  // the caller's property wins
    CHECK(layer.features[2].id == 3U);
    CHECK(layer.features[2].parts.at(0).at(0) == mvt::Vertex{-30, 50});
    CHECK(layer.features[0].tag("cluster").empty());
}

TEST_CASE("at a cluster zoom the points of a cell merge into one feature", "[tiles][mvt]") {
    const std::vector<tiles::PointFeature> points{
        place(z12, 1, 100.25, 100.25, "bibliothek", "A"),
        place(z12, 2, 120.25, 140.25, "bibliothek", "B"),
        place(z12, 3, 200.25, 110.25, "museum", "C"),
        place(z12, 4, 1000.25, 100.25, "garten", "D"),  // alone in its cell
        place(z12, 5, -30.25, 50.25, "garten", "im Puffer"),
        place(z12, 6, 4100.25, 50.25, "garten", "im Puffer"),
        place(z12, 7, 600.25, 3000.25, "", "ohne Kategorie"),
        place(z12, 8, 610.25, 3010.25, "sport", "E"),
    };
    const auto tile = build(z12, {}, points);
    const auto& layer = tile.layers.at(0);
    REQUIRE(layer.features.size() == 3);

    const auto& cluster = layer.features[0];  // cell 0 comes first: row-major order
    REQUIRE(cluster.id.has_value());
    CHECK(*cluster.id == tiles::cluster_id(z12, 0));
    CHECK(*cluster.id >> 52U == 1U);
    CHECK(cluster.type == 1);
    CHECK(cluster.tags == std::vector<std::pair<std::string, std::string>>{
                              {"cluster", "bool:true"}, {"point_count", "uint:3"},
                              {"count_bibliothek", "uint:2"}, {"count_museum", "uint:1"}});
    CHECK(cluster.parts.at(0).at(0) == mvt::Vertex{140, 117});  // mean of the three positions

    const auto& single = layer.features[1];  // cell 3 of row 0
    CHECK(single.id == 4U);
    CHECK(single.tag("name") == "str:\"D\"");
    CHECK(single.tag("category") == "str:\"garten\"");
    CHECK(single.parts.at(0).at(0) == mvt::Vertex{1000, 100});

    const auto& mixed = layer.features[2];  // row 11, column 2
    CHECK(*mixed.id == tiles::cluster_id(z12, 11 * 16 + 2));
    CHECK(mixed.tag("point_count") == "uint:2");
    CHECK(mixed.tag("count_sport") == "uint:1");
    CHECK(mixed.tags.size() == 3);  // a point without category counts only in point_count
}

TEST_CASE("cluster ids are stable, distinct per tile and cell, and never look like place ids", "[tiles][mvt]") {
    CHECK(tiles::cluster_id(z12, 0) == tiles::cluster_id(tiles::TileId{z12.z, z12.x, z12.y}, 0));
    std::set<std::uint64_t> ids;
    for (std::uint64_t cell = 0; cell < 256; ++cell) ids.insert(tiles::cluster_id(z12, cell));
    ids.insert(tiles::cluster_id({12, z12.x + 1, z12.y}, 0));
    ids.insert(tiles::cluster_id({11, z12.x, z12.y}, 0));
    CHECK(ids.size() == 258);
    for (std::uint64_t id : ids) {
        CHECK(id >= (std::uint64_t{1} << 52));  // never a place id
        CHECK(id < (std::uint64_t{1} << 53));   // exact in JavaScript
    }

    const std::vector<tiles::PointFeature> points{place(z12, 1, 10, 10, "a"), place(z12, 2, 20, 20, "b")};
    CHECK(tiles::build_tile(z12, {}, points) == tiles::build_tile(z12, {}, points));
}

TEST_CASE("100,000 random points at z10 give at most one feature per cluster cell", "[tiles][mvt]") {
    const tiles::TileId z10 = tiles::tile_for({13.7417, 51.0519}, 10);
    const char* const categories[] = {"bibliothek", "schule", "museum", "garten", "sport"};
    std::mt19937_64 rng(20250301);
    std::uniform_real_distribution<double> coord(0.5, 4095.5);
    std::vector<tiles::PointFeature> points;
    points.reserve(100'000);
    for (std::uint64_t i = 0; i < 100'000; ++i) {
        points.push_back({i, test::lonlat_at(z10, coord(rng), coord(rng)), categories[i % 5], {}});
    }
    const auto tile = build(z10, {}, points);
    const auto& features = tile.layers.at(0).features;
    CHECK(features.size() <= (4096 / 256) * (4096 / 256));
    std::uint64_t total = 0;
    for (const auto& f : features) {
        const std::string count = f.tag("point_count");
        total += count.empty() ? 1 : std::stoull(count.substr(5));
    }
    CHECK(total == 100'000);
}

TEST_CASE("options no tile can be built with are refused", "[tiles][mvt]") {
    tiles::TileOptions o;
    o.extent = 0;
    CHECK_THROWS_AS(tiles::build_tile(z14, {}, {}, o), std::invalid_argument);
    o = {};
    o.cluster_cell = 0;
    CHECK_THROWS_AS(tiles::build_tile(z14, {}, {}, o), std::invalid_argument);
    o = {};
    o.simplify_tolerance = -1.0;
    CHECK_THROWS_AS(tiles::build_tile(z14, {}, {}, o), std::invalid_argument);
    o = {};
    o.extent = 1U << 30U;
    CHECK_THROWS_AS(tiles::build_tile(z14, {}, {}, o), std::invalid_argument);
}

TEST_CASE("areas given in Web Mercator give the same bytes as in lon/lat", "[tiles][mvt]") {
    // The real Stadträume over the Altstadt at three zooms: a caller that projects once per
    // snapshot must get exactly the tiles of one that does not.
    lernorte::geo::Source source(std::string(LERNORTE_TEST_DATA_DIR) + "/boundaries/stadtraeume_17.geojson", {});
    std::vector<lernorte::geo::MultiPolygon> lonlat;
    while (auto f = source.next()) lonlat.push_back(std::get<lernorte::geo::MultiPolygon>(f->geometry));
    std::vector<lernorte::geo::MultiPolygon> mercator = lonlat;
    for (auto& mp : mercator) {
        for (auto& polygon : mp.polygons) {
            for (auto& ring : polygon.rings) {
                for (auto& p : ring) p = tiles::to_mercator(p);
            }
        }
    }
    for (const tiles::TileId t : {tiles::TileId{10, 551, 342}, tiles::TileId{12, 2204, 1370}, tiles::TileId{16, 35269, 21925}}) {
        std::vector<tiles::AreaFeature> plain;
        std::vector<tiles::AreaFeature> projected;
        for (std::size_t i = 0; i < lonlat.size(); ++i) {
            plain.push_back({i + 1, &lonlat[i], {{"nr", std::int64_t(i + 1)}}, nullptr});
            projected.push_back({i + 1, &lonlat[i], {{"nr", std::int64_t(i + 1)}}, &mercator[i]});
        }
        const auto a = tiles::build_tile(t, plain, {});
        const auto b = tiles::build_tile(t, projected, {});
        INFO(t.z);
        REQUIRE(a.has_value());
        CHECK(a == b);
    }
}
