#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/ogr_source.hpp>

#include "geo_test_support.hpp"

using namespace lernorte::geo;
using lernorte::geo::test::data_path;
using lernorte::geo::test::fixture_path;
using lernorte::geo::test::read_all;
using lernorte::geo::test::TempDir;

namespace {

const std::string libraries_geojson = data_path("places/bibliotheken_dresden_saebig_2020.geojson");
const std::string libraries_csv = data_path("places/bibliotheken_dresden_saebig_2020.csv");
const std::string stadtraeume_geojson = data_path("boundaries/stadtraeume_17.geojson");

// The Frauenkirche, in lon/lat and in EPSG:25833 (PROJ cs2cs; test_crs checks PROJ's UTM
// against an independent formula).
const Point frauenkirche{13.7414, 51.0519};
const Point frauenkirche_utm{411784.5873, 5656349.9742};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes a test file with GDAL's own converter; its chatter (e.g. the Shapefile's field
// name laundering) is shown only if it fails.
void ogr2ogr(const TempDir& dir, const std::string& arguments) {
    const std::string log = dir.file("ogr2ogr.log");
    const std::string command = "ogr2ogr -q " + arguments + " 2>" + log;
    const int rc = std::system(command.c_str());
    INFO(command << "\n" << read_file(log));
    REQUIRE(rc == 0);
}

// Same points in the same order, each within `metres`.
void check_same_points(const std::vector<SourceFeature>& a, const std::vector<SourceFeature>& b, double metres) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("feature " << a[i].number);
        REQUIRE(std::holds_alternative<Point>(a[i].geometry));
        REQUIRE(std::holds_alternative<Point>(b[i].geometry));
        CHECK(haversine_m(std::get<Point>(a[i].geometry), std::get<Point>(b[i].geometry)) <= metres);
    }
}

}  // namespace

TEST_CASE("the Dresden libraries GeoJSON: 37 points with their attributes", "[ogr][dresden]") {
    Source source(libraries_geojson, {});
    CHECK(source.layer_name() == "bibliotheken_dresden_saebig_2020");
    CHECK(source.feature_count() == 37);
    const auto names = source.field_names();
    CHECK(names.front() == "name");
    CHECK(std::find(names.begin(), names.end(), "stadtraum_nr") != names.end());

    const auto features = read_all(source);
    REQUIRE(features.size() == 37);
    CHECK(features.front().number == 1);
    CHECK(features.back().number == 37);
    const auto& slub = features.front();
    CHECK(slub.fields.at("name") == "Sächsische Landesbibliothek - Staats- und Universitätsbibliothek");
    CHECK(slub.fields.at("plz") == "01069");  // text stays text: no lost leading zero
    CHECK(slub.fields.at("stadtraum_nr") == "13");
    CHECK(slub.geometry_error.empty());
    CHECK(std::get<Point>(slub.geometry) == Point{13.736606, 51.028201});
    CHECK_FALSE(source.next());  // and stays at the end
}

TEST_CASE("the Dresden libraries CSV gives the same places as the GeoJSON", "[ogr][dresden][csv]") {
    Source csv(libraries_csv, {});
    const auto names = csv.field_names();
    // lon/lat became the geometry and are not repeated as attributes.
    CHECK(std::find(names.begin(), names.end(), "lon") == names.end());
    CHECK(std::find(names.begin(), names.end(), "lat") == names.end());
    const auto from_csv = read_all(csv);
    const auto from_geojson = read_all(libraries_geojson);
    check_same_points(from_csv, from_geojson, 0.0);
    for (std::size_t i = 0; i < from_csv.size(); ++i) {
        CHECK(from_csv[i].fields.at("name") == from_geojson[i].fields.at("name"));
        CHECK(from_csv[i].fields.at("stadtraum_nr") == from_geojson[i].fields.at("stadtraum_nr"));
    }
}

TEST_CASE("a CSV with a WKT column in UTM and --s-srs", "[ogr][csv]") {
    TempDir dir;
    const auto path = dir.write("orte.csv",
                                "name,WKT\n"
                                "Frauenkirche,\"POINT (411784.5873 5656349.9742)\"\n"
                                "Platz,\"POLYGON ((411700 5656300,411800 5656300,411800 5656400,411700 5656300))\"\n"
                                "ohne Ort,\n"
                                "kaputt,\"POINT (411784.5873\"\n");
    SourceOptions options;
    options.s_srs = "EPSG:25833";
    const auto features = read_all(path, options);
    REQUIRE(features.size() == 4);
    CHECK(haversine_m(std::get<Point>(features[0].geometry), frauenkirche) < 0.01);
    CHECK(features[0].fields.count("WKT") == 0);
    const auto& square = std::get<MultiPolygon>(features[1].geometry);
    CHECK(square.bbox().min_x == Approx(13.74).margin(0.01));
    CHECK(std::holds_alternative<std::monostate>(features[2].geometry));
    CHECK(features[2].geometry_error.empty());  // an empty cell is "no location", not an error
    CHECK(std::holds_alternative<std::monostate>(features[3].geometry));
    CHECK_THAT(features[3].geometry_error, Catch::Contains("WKT") && Catch::Contains("POINT (411784.5873"));

    // Without --s-srs nobody can know these are UTM metres.
    CHECK_THROWS_WITH(Source(path, {}), Catch::Contains("--s-srs") && Catch::Contains("orte.csv"));
}

TEST_CASE("a CSV with Rechtswert/Hochwert in EPSG:25833", "[ogr][csv]") {
    TempDir dir;
    // German spreadsheet export: semicolons and decimal commas.
    const auto path = dir.write("orte.csv",
                                "name;Rechtswert;Hochwert\n"
                                "Frauenkirche;411784,5873;5656349,9742\n"
                                "Tippfehler;41178x;5656349\n"
                                "halb;41178x;\n"
                                "ohne;;\n");
    SourceOptions options;
    options.s_srs = "EPSG:25833";
    const auto features = read_all(path, options);
    REQUIRE(features.size() == 4);
    CHECK(haversine_m(std::get<Point>(features[0].geometry), frauenkirche) < 0.01);
    CHECK(features[0].fields.at("name") == "Frauenkirche");
    CHECK(features[0].fields.size() == 1);
    // A typo in a coordinate is reported, not turned into a place without location silently.
    CHECK(std::holds_alternative<std::monostate>(features[1].geometry));
    CHECK(features[1].geometry_error == "column Rechtswert = '41178x' is not a number");
    CHECK(features[2].geometry_error == "column Rechtswert = '41178x' is not a number; column Hochwert is empty");
    CHECK(std::holds_alternative<std::monostate>(features[3].geometry));
    CHECK(features[3].geometry_error.empty());
}

TEST_CASE("CSV coordinate columns: lon/lat names mean WGS84, x/y need --s-srs", "[ogr][csv]") {
    TempDir dir;
    const auto lonlat = dir.write("lonlat.csv", "Name,Longitude,Latitude\nFrauenkirche,13.7414,51.0519\n");
    CHECK(std::get<Point>(read_all(lonlat).at(0).geometry) == frauenkirche);

    const auto xy = dir.write("xy.csv", "name,x,y\nFrauenkirche,411784.5873,5656349.9742\n");
    CHECK_THROWS_WITH(Source(xy, {}), Catch::Contains("has no coordinate reference system") &&
                                          Catch::Contains("--s-srs EPSG:25833"));
    SourceOptions options;
    options.s_srs = "EPSG:25833";
    CHECK(haversine_m(std::get<Point>(read_all(xy, options).at(0).geometry), frauenkirche) < 0.01);

    // --s-srs is for files without a CRS; it does not override lon/lat names either way.
    options.s_srs = "EPSG:4326";
    CHECK(std::get<Point>(read_all(lonlat, options).at(0).geometry) == frauenkirche);

    options.s_srs = "EPSG:no-such-code";
    CHECK_THROWS_AS(Source(xy, options), SourceError);
}

TEST_CASE("a CSV without coordinates says which columns it looked for", "[ogr][csv]") {
    TempDir dir;
    const auto path = dir.write("adressen.csv", "name,strasse\nZentralbibliothek,Schloßstraße 2\n");
    CHECK_THROWS_WITH(Source(path, {}), Catch::Contains("adressen.csv") && Catch::Contains("wkt") &&
                                            Catch::Contains("longitude") && Catch::Contains("latitude"));
    SourceOptions only_hochwert;
    only_hochwert.y_columns = {"hochwert"};
    const auto half = dir.write("halb.csv", "name,lon,hochwert\na,13.7,\n");
    CHECK_THROWS_AS(Source(half, only_hochwert), SourceError);
}

TEST_CASE("GeoPackage and Shapefile in UTM read back as the same places", "[ogr][gpkg][shp]") {
    TempDir dir;
    const auto gpkg = dir.file("bibliotheken.gpkg");
    const auto shp = dir.file("bibliotheken.shp");
    ogr2ogr(dir, "-f GPKG -t_srs EPSG:25833 -nln bibliotheken " + gpkg + " " + libraries_geojson);
    ogr2ogr(dir, "-f \"ESRI Shapefile\" -t_srs EPSG:25833 " + shp + " " + libraries_geojson);

    const auto reference = read_all(libraries_geojson);
    for (const auto& path : {gpkg, shp}) {
        INFO(path);
        Source source(path, {});
        const auto features = read_all(source);
        check_same_points(features, reference, 0.001);
        CHECK(features[5].fields.at("name") == reference[5].fields.at("name"));
    }
    // A Shapefile cuts field names to 10 characters; the values are still there.
    CHECK(read_all(shp, {}).at(0).fields.at("saebig_sta") == "0");
}

TEST_CASE("Stadträume through a GeoPackage keep their shape and area", "[ogr][gpkg][dresden]") {
    TempDir dir;
    const auto gpkg = dir.file("stadtraeume.gpkg");
    ogr2ogr(dir, "-f GPKG -t_srs EPSG:25833 " + gpkg + " " + stadtraeume_geojson);
    const auto original = read_all(stadtraeume_geojson);
    const auto through_gpkg = read_all(gpkg, {});
    REQUIRE(through_gpkg.size() == 17);
    for (std::size_t i = 0; i < original.size(); ++i) {
        const auto& a = std::get<MultiPolygon>(original[i].geometry);
        const auto& b = std::get<MultiPolygon>(through_gpkg[i].geometry);
        INFO("Stadtraum " << original[i].fields.at("stadtraum_nr"));
        CHECK(area_km2_wgs84(b) == Approx(area_km2_wgs84(a)).epsilon(1e-9));
        CHECK(b.bbox().min_x == Approx(a.bbox().min_x).margin(1e-9));
    }
}

TEST_CASE("a GeoPackage layer is chosen by name; an unknown one lists the layers", "[ogr][gpkg]") {
    TempDir dir;
    const auto gpkg = dir.file("zwei.gpkg");
    ogr2ogr(dir, "-f GPKG -nln bibliotheken " + gpkg + " " + libraries_geojson);
    ogr2ogr(dir, "-update -f GPKG -nln stadtraeume " + gpkg + " " + stadtraeume_geojson);

    SourceOptions options;
    options.layer = "stadtraeume";
    Source source(gpkg, options);
    CHECK(source.layer_name() == "stadtraeume");
    CHECK(read_all(source).size() == 17);

    options.layer = "schulen";
    CHECK_THROWS_WITH(Source(gpkg, options), Catch::Contains("schulen") && Catch::Contains("bibliotheken") &&
                                                 Catch::Contains("stadtraeume"));
}

TEST_CASE("a Shapefile without .prj needs --s-srs", "[ogr][shp]") {
    TempDir dir;
    const auto shp = dir.file("ohne_prj.shp");
    ogr2ogr(dir, "-f \"ESRI Shapefile\" -t_srs EPSG:25833 " + shp + " " + libraries_geojson);
    std::filesystem::remove(dir.file("ohne_prj.prj"));

    CHECK_THROWS_WITH(Source(shp, {}), Catch::Contains("ohne_prj.shp") && Catch::Contains("--s-srs"));
    SourceOptions options;
    options.s_srs = "EPSG:25833";
    check_same_points(read_all(shp, options), read_all(libraries_geojson), 0.001);
}

TEST_CASE("KML placemarks: points and polygons, Z dropped", "[ogr][kml]") {
    const auto features = read_all(fixture_path("lernorte.kml"));
    REQUIRE(features.size() == 2);
    CHECK(std::get<Point>(features[0].geometry) == Point{13.7381, 51.0512});
    CHECK(features[0].fields.at("Name") == "Zentralbibliothek im Kulturpalast");
    const auto& garten = std::get<MultiPolygon>(features[1].geometry);
    CHECK(garten.polygons.at(0).rings.at(0).size() == 5);
    CHECK(garten.bbox() == BBox{13.755, 51.035, 13.780, 51.045});
}

TEST_CASE("geometry types: points and polygons are read, the rest explained", "[ogr]") {
    const auto f = read_all(fixture_path("mixed_geometries.geojson"));
    REQUIRE(f.size() == 7);
    CHECK(std::get<Point>(f[0].geometry) == Point{13.7395, 51.0494});
    CHECK(std::get<Point>(f[1].geometry) == Point{13.7381, 51.0512});  // a MultiPoint of one
    CHECK(std::holds_alternative<std::monostate>(f[2].geometry));
    CHECK(f[2].geometry_error == "unsupported geometry type MultiPoint with 2 points");
    CHECK(std::holds_alternative<std::monostate>(f[3].geometry));
    CHECK(f[3].geometry_error == "unsupported geometry type LineString");
    const auto& garten = std::get<MultiPolygon>(f[4].geometry);  // 3-d, flattened
    CHECK(garten.polygons.at(0).rings.at(0).at(1) == Point{13.780, 51.035});
    CHECK(std::get<MultiPolygon>(f[5].geometry).polygons.size() == 2);
    CHECK(std::holds_alternative<std::monostate>(f[6].geometry));
    CHECK(f[6].geometry_error.empty());
    CHECK(f[6].fields.count("note") == 0);  // null fields are absent
    CHECK(f[6].number == 7);
}

TEST_CASE("reading into one reused feature gives what reading fresh ones gives", "[ogr]") {
    // Null fields, geometry errors and geometries of the feature before must not stay.
    for (const std::string& path : {fixture_path("mixed_geometries.geojson"), libraries_csv, libraries_geojson}) {
        INFO(path);
        const auto fresh = read_all(path);
        Source source(path, {});
        SourceFeature reused;
        std::size_t i = 0;
        while (source.next(reused)) {
            REQUIRE(i < fresh.size());
            CHECK(reused.number == fresh[i].number);
            CHECK(reused.fields == fresh[i].fields);
            REQUIRE(reused.geometry.index() == fresh[i].geometry.index());
            if (const auto* p = std::get_if<Point>(&reused.geometry)) CHECK(*p == std::get<Point>(fresh[i].geometry));
            if (const auto* mp = std::get_if<MultiPolygon>(&reused.geometry)) {
                const auto& other = std::get<MultiPolygon>(fresh[i].geometry);
                REQUIRE(mp->polygons.size() == other.polygons.size());
                for (std::size_t k = 0; k < mp->polygons.size(); ++k) CHECK(mp->polygons[k].rings == other.polygons[k].rings);
            }
            CHECK(reused.geometry_error == fresh[i].geometry_error);
            ++i;
        }
        CHECK(i == fresh.size());
    }
    // A feature last filled from a layer with other fields.
    Source stadtraeume(stadtraeume_geojson, {});
    SourceFeature reused;
    REQUIRE(stadtraeume.next(reused));
    Source libraries(libraries_csv, {});
    REQUIRE(libraries.next(reused));
    CHECK(reused.fields == read_all(libraries_csv).at(0).fields);
}

TEST_CASE("a column name given twice: the first column of that name counts", "[ogr]") {
    TempDir dir;
    const auto csv = dir.write("doppelt.csv", "name,lon,lat,name\nErster,13.74,51.05,Zweiter\n");
    const auto f = read_all(csv);
    REQUIRE(f.size() == 1);
    CHECK(f[0].fields.at("name") == "Erster");
}

TEST_CASE("files that are not there or not readable give a SourceError", "[ogr][errors]") {
    TempDir dir;
    const auto missing = dir.file("gibt_es_nicht.geojson");
    CHECK_THROWS_WITH(Source(missing, {}), missing + ": no such file");

    const auto empty = dir.write("leer.geojson", "");
    CHECK_THROWS_AS(Source(empty, {}), SourceError);
    CHECK_THROWS_WITH(Source(empty, {}), Catch::StartsWith(empty + ": "));

    std::mt19937 rng(99);
    std::string noise(4096, '\0');
    for (auto& c : noise) c = static_cast<char>(rng() & 0xff);
    const auto garbage = dir.write("rauschen.gpkg", noise);
    CHECK_THROWS_WITH(Source(garbage, {}), Catch::StartsWith(garbage + ": "));
}

TEST_CASE("a truncated GeoJSON is an error, never a short read", "[ogr][errors]") {
    TempDir dir;
    const std::string whole = read_file(libraries_geojson);
    for (const double fraction : {0.1, 0.5, 0.95}) {
        const auto path = dir.write("abgeschnitten.geojson", whole.substr(0, static_cast<std::size_t>(whole.size() * fraction)));
        INFO("cut at " << fraction);
        CHECK_THROWS_AS(read_all(path), SourceError);
    }
}

TEST_CASE("a source can be moved while reading", "[ogr]") {
    Source first(libraries_geojson, {});
    REQUIRE(first.next()->number == 1);
    Source moved(std::move(first));
    CHECK(moved.next()->number == 2);
}

TEST_CASE("counting features never rewinds a source that is being read", "[geo][ogr]") {
    // GDAL's CSV driver counts by scanning and rewinding; asked mid-read, that used to make
    // an import read the first rows twice.
    TempDir dir;
    std::string csv = "id,name,lon,lat\n";
    for (int i = 0; i < 1200; ++i) csv += std::to_string(i) + ",Ort " + std::to_string(i) + ",13.7,51.05\n";
    const std::string path = dir.write("rows.csv", csv);
    {
        lernorte::geo::Source counted(path, {});
        CHECK(counted.feature_count() == 1200);
        int n = 0;
        while (counted.next()) ++n;
        CHECK(n == 1200);
        CHECK(counted.feature_count() == 1200);
    }
    lernorte::geo::Source reading(path, {});
    int n = 0;
    while (auto f = reading.next()) {
        ++n;
        if (n == 600) CHECK_FALSE(reading.feature_count().has_value());
        CHECK(f->fields.at("id") == std::to_string(n - 1));
    }
    CHECK(n == 1200);
}
