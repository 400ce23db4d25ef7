// Files written by the sink open in GDAL's own tools (ogrinfo) and read back through our Source.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/geo/ogr_sink.hpp>
#include <lernorte/geo/ogr_source.hpp>

#include "geo_test_support.hpp"

using namespace lernorte::geo;
using lernorte::geo::test::read_all;
using lernorte::geo::test::rect_mp;
using lernorte::geo::test::TempDir;

namespace {

std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    while (const auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    pclose(pipe);
    return out;
}

std::vector<SinkLayer> two_layers() {
    SinkLayer areas{"stadtraeume",
                    {{"nr", SinkField::Type::integer}, {"name", SinkField::Type::string}},
                    {{rect_mp(13.70, 51.00, 13.72, 51.02), {std::int64_t{11}, std::string("Prohlis, Reick")}},
                     {rect_mp(13.72, 51.00, 13.74, 51.02), {std::int64_t{12}, std::string("Strehlen & Söhne <ok>")}}}};
    SinkLayer circles{"circles",
                      {{"radius_m", SinkField::Type::real}, {"index", SinkField::Type::integer}},
                      {{rect_mp(13.705, 51.005, 13.715, 51.015), {1000.0, std::int64_t{1}}},
                       {rect_mp(13.725, 51.005, 13.735, 51.015), {1000.0, std::int64_t{2}}},
                       {rect_mp(13.715, 51.005, 13.725, 51.015), {std::monostate{}, std::int64_t{3}}}}};
    return {areas, circles};
}

std::string write_file(const TempDir& dir, const std::string& name, const std::string& bytes) {
    std::ofstream(dir.file(name), std::ios::binary) << bytes;
    return dir.file(name);
}

}  // namespace

TEST_CASE("a GeoPackage with two layers opens in ogrinfo", "[ogr_sink]") {
    const TempDir dir;
    const auto bytes = write_layers(SinkFormat::gpkg, two_layers());
    REQUIRE(bytes.substr(0, 15) == "SQLite format 3");
    const auto path = write_file(dir, "t.gpkg", bytes);
    const auto info = run("ogrinfo -ro -so -al " + path + " 2>&1");
    INFO(info);
    CHECK_THAT(info, Catch::Contains("Layer name: stadtraeume"));
    CHECK_THAT(info, Catch::Contains("Layer name: circles"));
    CHECK_THAT(info, Catch::Contains("Feature Count: 2"));
    CHECK_THAT(info, Catch::Contains("Feature Count: 3"));
    CHECK_THAT(info, Catch::Contains("Multi Polygon"));
    CHECK_THAT(info, Catch::Contains("radius_m: Real"));

    SourceOptions options;
    options.layer = "stadtraeume";
    const auto back = read_all(path, options);
    REQUIRE(back.size() == 2);
    CHECK(back[1].fields.at("name") == "Strehlen & Söhne <ok>");
    CHECK(back[0].fields.at("nr") == "11");
}

TEST_CASE("a KML with two folders opens in ogrinfo", "[ogr_sink]") {
    const TempDir dir;
    const auto bytes = write_layers(SinkFormat::kml, two_layers());
    CHECK_THAT(bytes, Catch::Contains("<kml"));
    CHECK_THAT(bytes, Catch::Contains("Strehlen &amp; Söhne &lt;ok&gt;"));
    const auto path = write_file(dir, "t.kml", bytes);
    const auto info = run("ogrinfo -ro -so -al " + path + " 2>&1");
    INFO(info);
    CHECK_THAT(info, Catch::Contains("Layer name: stadtraeume"));
    CHECK_THAT(info, Catch::Contains("Layer name: circles"));
    CHECK_THAT(info, Catch::Contains("Feature Count: 3"));
}

TEST_CASE("a GeoJSON holds one layer and opens in ogrinfo", "[ogr_sink]") {
    const TempDir dir;
    auto layers = two_layers();
    CHECK_THROWS_AS(write_layers(SinkFormat::geojson, layers), SinkError);
    const auto bytes = write_layers(SinkFormat::geojson, {layers[1]});
    CHECK_THAT(bytes, Catch::Contains("\"FeatureCollection\""));
    CHECK_THAT(bytes, Catch::Contains("\"radius_m\": null"));
    const auto path = write_file(dir, "t.geojson", bytes);
    const auto info = run("ogrinfo -ro -so -al " + path + " 2>&1");
    INFO(info);
    CHECK_THAT(info, Catch::Contains("Feature Count: 3"));
    const auto back = read_all(path);
    REQUIRE(back.size() == 3);
    CHECK(back[2].fields.at("index") == "3");
}

TEST_CASE("the sink refuses what does not fit", "[ogr_sink]") {
    CHECK_THROWS_WITH(write_layers(SinkFormat::gpkg, {}), Catch::Contains("no layers"));
    SinkLayer bad{"bad", {{"nr", SinkField::Type::integer}}, {{rect_mp(0, 0, 1, 1), {std::string("eleven")}}}};
    CHECK_THROWS_WITH(write_layers(SinkFormat::gpkg, {bad}), Catch::Contains("does not match"));
    SinkLayer too_many{"x", {{"nr", SinkField::Type::integer}}, {{rect_mp(0, 0, 1, 1), {std::int64_t{1}, 2.0}}}};
    CHECK_THROWS_WITH(write_layers(SinkFormat::kml, {too_many}), Catch::Contains("more values than fields"));
}

TEST_CASE("an empty layer still makes a valid file", "[ogr_sink]") {
    const TempDir dir;
    const auto bytes = write_layers(SinkFormat::gpkg, {SinkLayer{"circles", {{"radius_m", SinkField::Type::real}}, {}}});
    const auto path = write_file(dir, "e.gpkg", bytes);
    const auto info = run("ogrinfo -ro -so " + path + " circles 2>&1");
    INFO(info);
    CHECK_THAT(info, Catch::Contains("Feature Count: 0"));
}
