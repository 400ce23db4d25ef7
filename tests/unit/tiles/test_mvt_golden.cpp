// Golden tiles (as tippecanoe and martin keep them): each case is built from a small synthetic fixture
// drawn here in tile coordinates and compared with tests/fixtures/tiles/<case>.mvt (the exact bytes) and
// <case>.txt (the same tile decoded to text, so a change shows as a readable diff).
//
// To accept an intended change of the encoder, rebuild and run the tests with LERNORTE_UPDATE_GOLDEN=1:
//   LERNORTE_UPDATE_GOLDEN=1 build/tiles/tests/unit/tiles/test_tiles "[golden]"
// which rewrites both files of every case; review the .txt diff before committing.

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/tiles/mvt.hpp>

#include "mvt_decoder.hpp"
#include "tile_space.hpp"

using namespace lernorte;

namespace {

std::string fixture_path(const std::string& name) { return std::string(LERNORTE_FIXTURES_DIR) + "/tiles/" + name; }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) FAIL("cannot write " << path);
}

bool update_golden() {
    const char* v = std::getenv("LERNORTE_UPDATE_GOLDEN");
    return v != nullptr && std::string(v) == "1";
}

void check_golden(const std::string& name, const std::optional<std::string>& tile) {
    REQUIRE(tile.has_value());
    const std::string text = test::mvt::to_text(test::mvt::decode(*tile));
    const std::string mvt_path = fixture_path(name + ".mvt");
    const std::string txt_path = fixture_path(name + ".txt");
    if (update_golden()) {
        write_file(mvt_path, *tile);
        write_file(txt_path, text);
        WARN("rewrote " << mvt_path << " and " << txt_path);
    }
    CHECK(read_file(txt_path) == text);  // first: a readable diff
    CHECK(read_file(mvt_path) == *tile);
}

geo::Point at(tiles::TileId t, double x, double y) { return test::lonlat_at(t, x, y); }

}  // namespace

TEST_CASE("golden tile: a Stadtraum with a hole and places at z14", "[tiles][mvt][golden]") {
    const tiles::TileId t{14, 8817, 5481};
    // The exterior leaves the tile on the right and is cut at the buffer edge (x = 4160); its top edge
    // wiggles by 0.4 units, which Douglas-Peucker removes; the hole runs the same way as the exterior
    // and comes out reversed.
    const geo::MultiPolygon johannstadt{{geo::Polygon{{
        test::ring_at(t, {{1000, 300}, {2000, 300.4}, {3000, 300}, {5000, 300}, {5000, 2500}, {1000, 2500}}),
        test::ring_at(t, {{1500, 1000}, {2500, 1000}, {2500, 1800}, {1500, 1800}}),
    }}}};
    const geo::MultiPolygon neighbour{{geo::Polygon{{test::ring_at(t, {{200, 3000}, {900, 3000}, {600, 3900}})}}}};
    const std::vector<tiles::AreaFeature> areas{
        {2, &johannstadt, {{"nr", std::int64_t{2}}, {"name", std::string("Johannstadt")}, {"foreign_pct", 14.5}}},
        {3, &neighbour, {{"nr", std::int64_t{3}}, {"name", std::string("Blasewitz")}, {"foreign_pct", 6.25}}},
    };
    const std::vector<tiles::PointFeature> points{
        {101, at(t, 1200.25, 2000.25), "bibliothek",
         {{"name", std::string("Städtische Bibliothek Johannstadt")}, {"free", true}, {"orte100", std::int64_t{17}}}},
        {102, at(t, 2000.25, 1400.25), "garten", {{"name", std::string("Gemeinschaftsgarten im Hof")}, {"free", true}}},
        {103, at(t, -40.25, 3500.25), "werkstatt", {{"name", std::string("Repair-Café am Rand")}, {"free", false}}},
    };
    check_golden("z14_area_with_hole", tiles::build_tile(t, areas, points));
}

TEST_CASE("golden tile: clustered places at z12", "[tiles][mvt][golden]") {
    const tiles::TileId t = tiles::tile_for({13.7417, 51.0519}, 12);
    // A Stadtraum covering the whole tile becomes the buffered square.
    const geo::MultiPolygon cover{{geo::Polygon{{test::ring_at(t, {{-1000, -1000}, {5000, -1000}, {5000, 5000}, {-1000, 5000}})}}}};
    const std::vector<tiles::AreaFeature> areas{{11, &cover, {{"nr", std::int64_t{11}}, {"name", std::string("Prohlis/Reick")}}}};
    const std::vector<tiles::PointFeature> points{
        // cell 0: a cluster of three in two categories
        {1, at(t, 10.25, 20.25), "bibliothek", {{"name", std::string("A")}}},
        {2, at(t, 60.25, 90.25), "bibliothek", {{"name", std::string("B")}}},
        {3, at(t, 200.25, 200.25), "museum", {{"name", std::string("C")}}},
        // cell 17 (row 1, column 1): a single place keeps its id and properties
        {4, at(t, 300.25, 300.25), "sport", {{"name", std::string("D")}}},
        // cell 255 (the last): two places
        {5, at(t, 3900.25, 3900.25), "schule", {{"name", std::string("E")}}},
        {6, at(t, 4000.25, 4050.25), "jugend", {{"name", std::string("F")}}},
        // in the buffer only: not written at a cluster zoom
        {7, at(t, -20.25, 100.25), "kultur", {{"name", std::string("G")}}},
    };
    check_golden("z12_clusters", tiles::build_tile(t, areas, points));
}
