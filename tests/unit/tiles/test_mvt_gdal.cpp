// A real client reads what we write: GDAL's MVT driver via `ogrinfo`. A single tile file carries no
// z/x/y, so the driver gets them as open options (-oo Z= -oo X= -oo Y=) to georeference it;
// -oo CLIP=NO keeps the features in the buffer, which GDAL would otherwise cut at the tile edge.

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/tiles/mvt.hpp>

#include "temp_dir.hpp"
#include "tile_space.hpp"

using namespace lernorte;

namespace {

std::string run(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) FAIL("popen failed: " << command);
    std::string out;
    std::array<char, 4096> buf{};
    while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get())) out.append(buf.data(), n);
    return out;
}

std::string ogrinfo(const std::string& path, tiles::TileId t) {
    return run("ogrinfo -ro -al -oo Z=" + std::to_string(t.z) + " -oo X=" + std::to_string(t.x) +
               " -oo Y=" + std::to_string(t.y) + " -oo CLIP=NO '" + path + "' 2>&1");
}

/// The part of ogrinfo's output that describes one layer.
std::string layer_section(const std::string& out, const std::string& name) {
    const auto begin = out.find("Layer name: " + name + "\n");
    if (begin == std::string::npos) return {};
    const auto end = out.find("Layer name: ", begin + 1);
    return out.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("GDAL's MVT driver reads a z14 tile with both layers", "[tiles][mvt][gdal]") {
    REQUIRE(run("command -v ogrinfo") != "");
    const tiles::TileId t{14, 8817, 5481};
    const geo::MultiPolygon johannstadt{{geo::Polygon{{
        test::ring_at(t, {{1000, 300}, {5000, 300}, {5000, 2500}, {1000, 2500}}),
        test::ring_at(t, {{1500, 1000}, {2500, 1000}, {2500, 1800}, {1500, 1800}}),
    }}}};
    const std::vector<tiles::AreaFeature> areas{
        {2, &johannstadt, {{"nr", std::int64_t{2}}, {"name", std::string("Johannstadt")}, {"foreign_pct", 14.5}}}};
    const std::vector<tiles::PointFeature> points{
        {101, test::lonlat_at(t, 1200, 2000), "bibliothek", {{"name", std::string("Städtische Bibliothek Johannstadt")}}},
        {102, test::lonlat_at(t, 2000, 1400), "garten", {{"name", std::string("Gemeinschaftsgarten")}, {"free", true}}},
        {103, test::lonlat_at(t, -40, 3500), "werkstatt", {{"name", std::string("Repair-Café am Rand")}}},
    };
    const auto tile = tiles::build_tile(t, areas, points);
    REQUIRE(tile.has_value());
    test::TempDir dir;
    const std::string out = ogrinfo(dir.write("tile.mvt", *tile), t);
    INFO(out);

    CHECK(out.find("using driver `MVT' successful") != std::string::npos);
    CHECK(out.find("ERROR") == std::string::npos);
    const std::string areas_out = layer_section(out, "stadtraeume");
    const std::string places_out = layer_section(out, "places");
    CHECK(areas_out.find("Feature Count: 1") != std::string::npos);
    CHECK(areas_out.find("name (String) = Johannstadt") != std::string::npos);
    CHECK(areas_out.find("foreign_pct (Real) = 14.5") != std::string::npos);
    CHECK(areas_out.find("MULTIPOLYGON (((") != std::string::npos);
    CHECK(count(areas_out, "),(") == 1);  // the hole survives as an interior ring
    CHECK(places_out.find("Feature Count: 3") != std::string::npos);
    CHECK(count(places_out, "OGRFeature(places):") == 3);
    CHECK(places_out.find("mvt_id (Integer64) = 101") != std::string::npos);
    CHECK(places_out.find("name (String) = Städtische Bibliothek Johannstadt") != std::string::npos);
    CHECK(places_out.find("category (String) = garten") != std::string::npos);
}

TEST_CASE("GDAL's MVT driver reads cluster properties at a cluster zoom", "[tiles][mvt][gdal]") {
    REQUIRE(run("command -v ogrinfo") != "");
    const tiles::TileId t = tiles::tile_for({13.7417, 51.0519}, 12);
    const std::vector<tiles::PointFeature> points{
        {1, test::lonlat_at(t, 10, 20), "bibliothek", {}},
        {2, test::lonlat_at(t, 60, 90), "bibliothek", {}},
        {3, test::lonlat_at(t, 200, 200), "museum", {}},
        {4, test::lonlat_at(t, 3000, 3000), "sport", {}},
    };
    const auto tile = tiles::build_tile(t, {}, points);
    REQUIRE(tile.has_value());
    test::TempDir dir;
    const std::string out = ogrinfo(dir.write("tile.pbf", *tile), t);
    INFO(out);

    CHECK(layer_section(out, "stadtraeume").empty());
    const std::string places_out = layer_section(out, "places");
    CHECK(places_out.find("Feature Count: 2") != std::string::npos);
    CHECK(places_out.find("point_count (Integer) = 3") != std::string::npos);
    CHECK(places_out.find("count_bibliothek (Integer) = 2") != std::string::npos);
    CHECK(places_out.find("mvt_id (Integer64) = 4") != std::string::npos);
}
