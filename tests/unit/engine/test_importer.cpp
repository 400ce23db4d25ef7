// Imports into a real SpatiaLite file in a temporary directory, from real and hand-made files.
#include <algorithm>
#include <array>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <lernorte/engine/importer.hpp>
#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/ogr_source.hpp>
#include <lernorte/storage/store.hpp>

#include "temp_dir.hpp"

using namespace lernorte;
using test::data_file;
using test::TempDir;

namespace {

/// A store with the bundled Stadträume and city outline, as every places import needs.
struct Fixture {
    TempDir dir;
    engine::Engine engine{storage::open_spatialite(dir.file("test.sqlite"))};

    Fixture() {
        engine::ImportOptions o;
        o.mapping = engine::load_mapping_file(data_file("mappings/stadtraeume.json"));
        REQUIRE(engine::import_stadtraeume(engine, data_file("boundaries/stadtraeume_17.geojson"), o).committed);
        engine::ImportOptions outline;
        REQUIRE(engine::import_outline(engine, data_file("boundaries/stadtgrenze_aus_stadtteilen.geojson"), outline).committed);
    }

    engine::ImportReport places(const std::string& path, const std::string& map = "", bool strict = false) {
        engine::ImportOptions o;
        o.mapping = engine::parse_field_map(map);
        o.strict = strict;
        return engine::import_places(engine, path, o);
    }
};

/// Names of the places whose R*Tree entry overlaps the window, read with plain SQL as any
/// SQLite client would (the rtree module is part of SQLite).
std::set<std::string> rtree_names(const std::string& db_path, double x0, double y0, double x1, double y1) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, &sqlite3_close_v2);
    sqlite3_stmt* st = nullptr;
    const std::string sql =
        "SELECT name FROM places WHERE rowid IN (SELECT pkid FROM idx_places_geom WHERE xmax >= ?1 AND xmin <= ?2 "
        "AND ymax >= ?3 AND ymin <= ?4)";
    REQUIRE(sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> owned(st, &sqlite3_finalize);
    sqlite3_bind_double(st, 1, x0);
    sqlite3_bind_double(st, 2, x1);
    sqlite3_bind_double(st, 3, y0);
    sqlite3_bind_double(st, 4, y1);
    std::set<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW) out.emplace(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    return out;
}

std::string csv_point_rows(const std::vector<std::string>& rows) {
    std::string out = "name,category,lon,lat\n";
    for (const auto& r : rows) out += r + "\n";
    return out;
}

}  // namespace

TEST_CASE("the 17 Stadträume import with their figures", "[engine][import]") {
    Fixture f;
    const auto areas = f.engine.store().stadtraeume();
    REQUIRE(areas.size() == 17);
    const auto& johannstadt = areas[1];
    CHECK(johannstadt.nr == 2);
    CHECK(johannstadt.name == "Johannstadt");
    CHECK(johannstadt.population == 26129);
    CHECK(johannstadt.foreign_pct == Approx(20.4));
    CHECK(johannstadt.single_parent_households == 539);
    CHECK(johannstadt.member_districts == std::vector<std::string>{"06", "07"});
    CHECK(johannstadt.area_km2 == Approx(3.456).epsilon(0.005));
    CHECK(johannstadt.license == "dl-de/by-2-0");
    CHECK(areas[10].short_name == "Prohlis, Reick");
    CHECK(f.engine.store().outline().has_value());
}

TEST_CASE("libraries import into the Stadtraum the source's own join says, and re-import is idempotent",
          "[engine][import]") {
    Fixture f;
    engine::ImportOptions o;
    o.mapping = engine::load_mapping_file(data_file("mappings/bibliotheken.json"));
    const auto first = engine::import_places(f.engine, data_file("places/bibliotheken_dresden_saebig_2020.geojson"), o);
    CHECK(first.read == 37);
    CHECK(first.inserted == 37);
    CHECK(first.rejections.empty());

    const auto places = f.engine.store().places(std::nullopt);
    REQUIRE(places.size() == 37);
    for (const auto& p : places) {
        CHECK(p.category == "bibliothek");
        CHECK(p.status == "published");
        CHECK(p.stadtraum.has_value());
        const bool typed = std::find(p.tags.begin(), p.tags.end(), "Städtische Bibliotheken Dresden") != p.tags.end() ||
                           std::find(p.tags.begin(), p.tags.end(), "wissenschaftliche/Spezialbibliothek") != p.tags.end();
        CHECK(typed);
    }
    // The source file carries its own point-in-polygon join (stadtraum_nr); ours must agree.
    geo::Source source(data_file("places/bibliotheken_dresden_saebig_2020.geojson"), {});
    int compared = 0;
    while (auto feature = source.next()) {
        const auto match = std::find_if(places.begin(), places.end(),
                                        [&](const auto& p) { return p.source_id == feature->fields.at("name"); });
        REQUIRE(match != places.end());
        CHECK(match->stadtraum == std::stoi(feature->fields.at("stadtraum_nr")));
        ++compared;
    }
    CHECK(compared == 37);
    const auto slub = std::find_if(places.begin(), places.end(), [](const auto& p) {
        return p.name == "Sächsische Landesbibliothek - Staats- und Universitätsbibliothek";
    });
    REQUIRE(slub != places.end());
    CHECK(slub->stadtraum == 13);
    CHECK(slub->address.street == "Zellescher Weg 18");
    CHECK(slub->website == "https://www.slub-dresden.de");

    const auto again = engine::import_places(f.engine, data_file("places/bibliotheken_dresden_saebig_2020.geojson"), o);
    CHECK(again.inserted == 0);
    CHECK(again.updated == 0);
    CHECK(again.unchanged == 37);
    CHECK(f.engine.store().places(std::nullopt).size() == 37);
    CHECK(f.engine.catalogue()->size() == 37);
}

TEST_CASE("an EPSG:25833 file lands on the right spot to within 1 cm", "[engine][import]") {
    Fixture f;
    // Frauenkirche, given in UTM 33N metres as a surveyor's file would have it.
    const geo::Point frauenkirche{13.741722, 51.051861};
    const geo::Transformer to_utm(geo::wgs84, geo::utm33);
    const geo::Point utm = to_utm.forward(frauenkirche);
    std::ostringstream csv;
    csv << std::setprecision(12) << "name,category,x,y\nFrauenkirche,kultur," << utm.x << "," << utm.y << "\n";
    const auto path = f.dir.write("utm.csv", csv.str());

    engine::ImportOptions no_crs;
    CHECK_THROWS_WITH(engine::import_places(f.engine, path, no_crs), Catch::Contains("--s-srs"));
    CHECK(f.engine.store().places(std::nullopt).empty());

    engine::ImportOptions o;
    o.mapping.s_srs = "EPSG:25833";
    const auto r = engine::import_places(f.engine, path, o);
    REQUIRE(r.inserted == 1);
    const auto p = f.engine.store().places(std::nullopt).at(0);
    CHECK(geo::haversine_m(p.position, frauenkirche) < 0.01);
    CHECK(p.stadtraum == 1);
}

TEST_CASE("a field mapping renames source columns", "[engine][import]") {
    Fixture f;
    const auto path = f.dir.write("mapped.csv",
                                  "Bezeichnung,typ,Strasse,lon,lat\n"
                                  "Stadtteilbibliothek Gorbitz,bibliothek,Merianplatz 4,13.669006,51.045083\n");
    const auto r = f.places(path, "name=Bezeichnung,category=typ,street=Strasse");
    REQUIRE(r.inserted == 1);
    const auto p = f.engine.store().places(std::nullopt).at(0);
    CHECK(p.name == "Stadtteilbibliothek Gorbitz");
    CHECK(p.address.street == "Merianplatz 4");
    CHECK(p.stadtraum == 16);
}

TEST_CASE("each rejected feature is reported with its number and reason", "[engine][import]") {
    Fixture f;
    const auto path = f.dir.write("mixed.csv", csv_point_rows({
                                                   "Gute Bibliothek,bibliothek,13.74,51.05",
                                                   ",bibliothek,13.74,51.05",
                                                   "Berlin,bibliothek,13.40,52.52",
                                                   "Unbekannt,zirkus,13.74,51.05",
                                               }));
    const auto r = f.places(path);
    CHECK(r.read == 4);
    CHECK(r.inserted == 1);
    REQUIRE(r.rejections.size() == 3);
    CHECK(r.rejections[0].feature == 2);
    CHECK_THAT(r.rejections[0].reason, Catch::Contains("name"));
    CHECK(r.rejections[1].feature == 3);
    CHECK_THAT(r.rejections[1].reason, Catch::Contains("outside the city"));
    CHECK(r.rejections[2].feature == 4);
    CHECK_THAT(r.rejections[2].reason, Catch::Contains("unknown category 'zirkus'"));
}

TEST_CASE("--strict leaves the store unchanged when anything is rejected", "[engine][import]") {
    Fixture f;
    const auto version = f.engine.store().data_version();
    const auto path = f.dir.write("strict.csv", csv_point_rows({"Gut,bibliothek,13.74,51.05", "Berlin,bibliothek,13.40,52.52"}));
    const auto r = f.places(path, "", true);
    CHECK_FALSE(r.committed);
    CHECK(r.rejections.size() == 1);
    CHECK(f.engine.store().places(std::nullopt).empty());
    CHECK(f.engine.store().data_version() == version);
}

TEST_CASE("duplicate source ids within a file are rejected", "[engine][import]") {
    Fixture f;
    const auto path = f.dir.write("dups.csv",
                                  "id,name,category,lon,lat\n"
                                  "7,Eins,bibliothek,13.74,51.05\n"
                                  "7,Zwei,bibliothek,13.75,51.05\n");
    const auto r = f.places(path, "source_id=id");
    CHECK(r.inserted == 1);
    REQUIRE(r.rejections.size() == 1);
    CHECK(r.rejections[0].feature == 2);
    CHECK_THAT(r.rejections[0].reason, Catch::Contains("duplicate source id"));
}

TEST_CASE("files that cannot be imported fail as a whole with a clear message", "[engine][import]") {
    Fixture f;
    const auto version = f.engine.store().data_version();
    SECTION("truncated GeoJSON") {
        const auto path = f.dir.write("cut.geojson",
                                      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A","category":"bibliothek"},"geometry":{"type":"Point","coordinates":[13.74,)");
        CHECK_THROWS_AS(f.places(path), engine::ImportError);
    }
    SECTION("CSV without coordinates") {
        const auto path = f.dir.write("nocoords.csv", "name,category\nA,bibliothek\n");
        CHECK_THROWS_WITH(f.places(path), Catch::Contains("nocoords.csv"));
    }
    SECTION("empty file") {
        const auto path = f.dir.write("empty.geojson", "");
        CHECK_THROWS_AS(f.places(path), engine::ImportError);
    }
    SECTION("GeoJSON without features") {
        const auto path = f.dir.write("none.geojson", R"({"type":"FeatureCollection","features":[]})");
        CHECK_THROWS_WITH(f.places(path), Catch::Contains("no features"));
    }
    SECTION("file that does not exist") {
        CHECK_THROWS_AS(f.places(f.dir.file("missing.geojson")), engine::ImportError);
    }
    SECTION("bad mapping") {
        CHECK_THROWS_AS(engine::parse_field_map("name"), engine::ImportError);
        const auto mapping = f.dir.write("bad.json", R"({"fields": {"name": 3}})");
        CHECK_THROWS_WITH(engine::load_mapping_file(mapping), Catch::Contains("fields.name"));
    }
    CHECK(f.engine.store().places(std::nullopt).empty());
    CHECK(f.engine.store().data_version() == version);
}

TEST_CASE("places need the Stadträume first", "[engine][import]") {
    TempDir dir;
    engine::Engine engine(storage::open_spatialite(dir.file("empty.sqlite")));
    const auto path = dir.write("one.csv", csv_point_rows({"A,bibliothek,13.74,51.05"}));
    CHECK_THROWS_WITH(engine::import_places(engine, path, {}), Catch::Contains("import stadtraeume"));
}

TEST_CASE("the bundled Dresden data seeds a new store", "[engine][import][seed]") {
    TempDir dir;
    engine::Engine engine(storage::open_spatialite(dir.file("seed.sqlite")));
    const auto log = engine::seed_bundled(engine, LERNORTE_TEST_DATA_DIR);
    CHECK(log.size() == 5);
    const auto c = engine.catalogue();
    CHECK(c->stadtraeume().size() == 17);
    CHECK(c->size() == 37 + 163);  // libraries and school sites are published
    CHECK(engine.store().places("suggested").size() == 191);  // Afeefa candidates wait for editors
    std::map<std::string, int> by_category;
    for (std::uint32_t i = 0; i < c->size(); ++i) ++by_category[std::string(c->category(i))];
    CHECK(by_category["bibliothek"] == 37);
    CHECK(by_category["schule"] == 163);
    CHECK(c->stats().total.population == 571510);
    for (std::uint32_t i = 0; i < c->size(); ++i) CHECK(c->place_at(i).stadtraum.has_value());
}

TEST_CASE("invalid Stadtraum polygons are repaired with the reason, or rejected", "[engine][import]") {
    TempDir dir;
    engine::Engine engine(storage::open_spatialite(dir.file("areas.sqlite")));
    // Feature 1: a bow-tie (self-intersecting) ring, repairable into two triangles.
    // Feature 2: a ring of three points, which no repair can give an area.
    const auto path = dir.write("areas.geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"nr":1,"name":"Schleife","population":100},
       "geometry":{"type":"Polygon","coordinates":[[[13.70,51.00],[13.80,51.10],[13.80,51.00],[13.70,51.10],[13.70,51.00]]]}},
      {"type":"Feature","properties":{"nr":2,"name":"Strich","population":100},
       "geometry":{"type":"Polygon","coordinates":[[[13.70,51.00],[13.80,51.00],[13.70,51.00]]]}}]})");
    engine::ImportOptions o;
    const auto r = engine::import_stadtraeume(engine, path, o);
    REQUIRE(r.notes.size() == 1);
    CHECK_THAT(r.notes[0], Catch::Contains("feature 1") && Catch::Contains("repaired"));
    REQUIRE(r.rejections.size() == 1);
    CHECK(r.rejections[0].feature == 2);
    CHECK_THAT(r.rejections[0].reason, Catch::Contains("invalid polygon"));
    // The Stadträume are a whole: with one rejected, none is replaced.
    CHECK_FALSE(r.committed);
    CHECK(engine.store().stadtraeume().empty());

    const auto repaired_only = dir.write("repaired.geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"nr":1,"name":"Schleife","population":100},
       "geometry":{"type":"Polygon","coordinates":[[[13.70,51.00],[13.80,51.10],[13.80,51.00],[13.70,51.10],[13.70,51.00]]]}}]})");
    const auto ok = engine::import_stadtraeume(engine, repaired_only, o);
    CHECK(ok.committed);
    const auto areas = engine.store().stadtraeume();
    REQUIRE(areas.size() == 1);
    CHECK(areas[0].geometry.polygons.size() == 2);
    CHECK(areas[0].area_km2 > 10.0);
}

TEST_CASE("lists exported by GDAL as (N:a,b) import as lists", "[engine][import]") {
    Fixture f;
    const auto path = f.dir.write("lists.csv",
                                  "name,category,target_groups,languages,lon,lat\n"
                                  "Sprachcafé,sprache,\"(2:newcomers,adults)\",\"(3:de,ar,uk)\",13.74,51.05\n");
    REQUIRE(f.places(path).inserted == 1);
    const auto p = f.engine.store().places(std::nullopt).at(0);
    CHECK(p.target_groups == std::vector<std::string>{"newcomers", "adults"});
    CHECK(p.languages == std::vector<std::string>{"de", "ar", "uk"});
}

TEST_CASE("without a source id, name and position identify a place across re-imports", "[engine][import]") {
    Fixture f;
    const auto first = f.dir.write("a.csv", csv_point_rows({"Eins,bibliothek,13.74,51.05", "Zwei,schule,13.75,51.05"}));
    REQUIRE(f.places(first).inserted == 2);
    // The same places in another order, one with a changed category.
    const auto second = f.dir.write("a2.csv", csv_point_rows({"Zwei,kultur,13.75,51.05", "Eins,bibliothek,13.74,51.05"}));
    engine::ImportOptions o;
    o.mapping.dataset = "a";  // the same dataset as the first file
    const auto r = engine::import_places(f.engine, second, o);
    CHECK(r.inserted == 0);
    CHECK(r.updated == 1);
    CHECK(r.unchanged == 1);
    CHECK(f.engine.store().places(std::nullopt).size() == 2);
}

TEST_CASE("a large import leaves the store as place-by-place writes would", "[engine][import]") {
    // Beyond the store's bulk threshold and several of the importer's batches: the rows, the
    // search documents and the R*Tree are written in bulk, and reading runs on its own thread.
    Fixture f;
    constexpr int n = 2600;
    std::ostringstream csv;
    csv << "id,name,category,description,street,postcode,city,tags,lon,lat\n";
    std::map<std::string, geo::Point> expected;  // name -> position
    std::uint32_t seed = 42;
    const auto next = [&seed] { return (seed = seed * 1664525u + 1013904223u) / 4294967296.0; };
    const auto text = [](double v) {
        std::ostringstream out;
        out << std::setprecision(10) << v;
        return out.str();
    };
    for (int i = 0; i < n; ++i) {
        const std::string name = "Lernort " + std::to_string(i);
        const std::string x = text(13.70 + 0.10 * next());  // the inner city
        const std::string y = text(51.03 + 0.05 * next());
        expected[name] = geo::Point{std::stod(x), std::stod(y)};
        csv << "row-" << i << ',' << name << ",kultur," << (i == 1234 ? "Zauberwürfel " : "") << "Kurs,"
            << "Hauptstraße " << i << ",01067,Dresden," << (i % 2 == 0 ? "gerade" : "ungerade") << ',' << x << ','
            << y << '\n';
    }
    const auto path = f.dir.write("gross.csv", csv.str());
    const auto db_path = f.dir.file("test.sqlite");
    auto& store = f.engine.store();
    const auto version = store.data_version();

    const auto r = f.places(path, "source_id=id");
    REQUIRE(r.committed);
    CHECK(r.read == n);
    CHECK(r.inserted == n);
    for (const auto& rejection : r.rejections) FAIL_CHECK(rejection.reason);  // none
    CHECK(store.data_version() == version + 1);

    const auto places = store.places(std::nullopt);
    REQUIRE(places.size() == static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < places.size(); ++i) {  // in file order, each once, as written
        const auto& p = places[i];
        CHECK(p.name == "Lernort " + std::to_string(i));
        CHECK(p.source_id == "row-" + std::to_string(i));
        CHECK(p.dataset == "gross");
        CHECK(p.version == 1);
        CHECK(p.stadtraum.has_value());
        CHECK(p.position.x == expected[p.name].x);
        CHECK(p.position.y == expected[p.name].y);
    }

    // search: every document is there, and words are found where they are
    CHECK(store.search("Lernort").size() == static_cast<std::size_t>(n));
    CHECK(store.search("ungerade").size() == static_cast<std::size_t>(n / 2));
    const auto rare = store.search("zauberwurfel");
    REQUIRE(rare.size() == 1);
    CHECK(store.place(rare[0])->name == "Lernort 1234");
    CHECK(store.search("Hauptstraße 2599").size() == 1);

    // the spatial index: windows find exactly the places inside them
    const auto inside = [&](double x0, double y0, double x1, double y1) {
        std::set<std::string> out;
        for (const auto& [name, p] : expected) {
            if (p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1) out.insert(name);
        }
        return out;
    };
    for (const auto& w : std::vector<std::array<double, 4>>{
             {13.71, 51.04, 13.73, 51.05}, {13.75, 51.05, 13.8, 51.08}, {13.0, 50.0, 14.0, 52.0}}) {
        std::set<std::string> found;
        for (const auto& name : rtree_names(db_path, w[0], w[1], w[2], w[3])) {
            const auto& p = expected[name];
            if (p.x >= w[0] && p.x <= w[2] && p.y >= w[1] && p.y <= w[3]) found.insert(name);
        }
        CHECK(found == inside(w[0], w[1], w[2], w[3]));
    }
    for (const int i : {0, 999, 1000, 2599}) {
        const auto& p = expected["Lernort " + std::to_string(i)];
        CHECK(rtree_names(db_path, p.x, p.y, p.x, p.y).count("Lernort " + std::to_string(i)) == 1);
    }

    // again: nothing changes but the version
    const auto again = f.places(path, "source_id=id");
    CHECK(again.unchanged == n);
    CHECK(again.inserted + again.updated == 0);
    CHECK(store.places(std::nullopt) == places);
    CHECK(store.data_version() == version + 2);

    // --strict with the bad row last: the batches before it were written, and rolled back
    std::string bad = csv.str();
    for (auto at = bad.find("Lernort"); at != std::string::npos; at = bad.find("Lernort", at)) bad.replace(at, 7, "Neuort");
    bad += "row-x,Irgendwo,unbekannt,,,,,,13.74,51.05\n";
    const auto strict_path = f.dir.write("gross_neu.csv", bad);
    const auto strict = f.places(strict_path, "source_id=id", true);
    CHECK_FALSE(strict.committed);
    CHECK(strict.read == n + 1);
    REQUIRE(strict.rejections.size() == 1);
    CHECK(strict.rejections[0].feature == n + 1);
    CHECK(store.places(std::nullopt) == places);
    CHECK(store.search("Neuort").empty());
    CHECK(rtree_names(db_path, 13.0, 50.0, 14.0, 52.0).size() == static_cast<std::size_t>(n));
    CHECK(store.data_version() == version + 2);
}
