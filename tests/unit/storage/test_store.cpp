#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <spatialite.h>

#include <lernorte/storage/detail/migrations.hpp>
#include <lernorte/storage/detail/wkb.hpp>
#include <lernorte/storage/store.hpp>

#include "temp_dir.hpp"

using namespace lernorte::storage;
using lernorte::geo::MultiPolygon;
using lernorte::geo::Point;
using lernorte::geo::Polygon;
using lernorte::test::TempDir;

namespace {

/// A second, plain connection to the file, as QGIS or the sqlite3 shell would open it.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
        m_db.reset(raw);
        if (rc != SQLITE_OK) throw std::runtime_error("RawDb: cannot open " + path);
        m_cache.reset(spatialite_alloc_connection());
        spatialite_init_ex(m_db.get(), m_cache.get(), 0);
    }
    /// The first column of the first row as text ("" for no row or NULL).
    std::string scalar(const std::string& sql) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(m_db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
            throw std::runtime_error("RawDb: " + std::string(sqlite3_errmsg(m_db.get())) + " in " + sql);
        }
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(raw, &sqlite3_finalize);
        const int rc = sqlite3_step(raw);
        if (rc == SQLITE_DONE) return {};
        if (rc != SQLITE_ROW) throw std::runtime_error("RawDb: " + std::string(sqlite3_errmsg(m_db.get())) + " in " + sql);
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
        return text != nullptr ? text : "";
    }
    void exec(const std::string& sql) {
        if (sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
            throw std::runtime_error("RawDb: " + std::string(sqlite3_errmsg(m_db.get())) + " in " + sql);
        }
    }

private:
    struct CacheCleanup {
        void operator()(void* c) const noexcept { spatialite_cleanup_ex(c); }
    };
    struct Close {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    std::unique_ptr<void, CacheCleanup> m_cache;  // cleaned up after the connection closes
    std::unique_ptr<sqlite3, Close> m_db;
};

Polygon square(double x0, double y0, double size) {
    return Polygon{{{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}}};
}

/// A place with every field set, and values that are hard to store.
Place full_place() {
    Place p;
    p.dataset = "afeefa-2017";
    p.source_id = "row-17";
    p.name = "'; DROP TABLE places; -- \"Bücherei\" am Fetscherplatz";
    p.description = "Lesecafé mit Übergängen,\nZeilenumbruch, Tab\t, Backslash \\ und 🌱; Бібліотека";
    p.category = "bibliothek";
    p.tags = {"lesen", "Café \"Kiez\"", "back\\slash", "ctrl\x01" "char", "", "Ελληνικά"};
    p.address = {"Pfotenhauerstraße 42", "01307", "Dresden"};
    p.website = "https://example.org/?a=1&b='2'";
    p.phone = "+49 351 1234567";
    p.email = "info@example.org";
    p.opening_hours = "Mo-Fr 10:00-19:00; Sa 10:00-14:00; PH off";
    p.target_groups = {"children", "families"};
    p.languages = {"de", "uk", "ar"};
    p.free = false;
    p.wheelchair = "limited";
    p.orte100 = 42;
    p.abc_letter = "Z";
    p.stadtraum = 2;
    p.source = "Landeshauptstadt Dresden";
    p.license = "dl-de/by-2-0";
    p.status = "published";
    p.position = {13.7672801234567891, 51.0524193847561234};
    return p;
}

Place simple_place(const std::string& name, const std::string& source_id = "") {
    Place p;
    p.dataset = source_id.empty() ? "" : "test";
    p.source_id = source_id;
    p.name = name;
    p.category = "kultur";
    p.position = {13.74, 51.05};
    return p;
}

std::unique_ptr<Store> store_with(const std::string& path, std::vector<Place> places) {
    auto store = open_spatialite(path);
    auto tx = store->begin();
    for (Place& p : places) tx->upsert_place(p);
    tx->commit();
    return store;
}

}  // namespace

TEST_CASE("a new file gets the current schema, WAL mode and three spatial indexes") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = open_spatialite(path);
    CHECK(store->schema_version() == current_schema_version());
    CHECK(current_schema_version() == 5);
    CHECK(store->data_version() == 0);
    CHECK(store->stadtraeume().empty());
    CHECK_FALSE(store->outline().has_value());
    CHECK(store->places(std::nullopt).empty());

    RawDb raw(path);
    CHECK(raw.scalar("PRAGMA journal_mode") == "wal");
    CHECK(raw.scalar("SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled = 1") == "3");
    CHECK(raw.scalar("SELECT group_concat(version) FROM (SELECT version FROM schema_version ORDER BY version)") == "1,2,3,4,5");
    CHECK(raw.scalar("PRAGMA page_size") == "16384");
    // The store's own queries need these indexes on places, no more (schema 5).
    CHECK(raw.scalar("SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND "
                     "tbl_name = 'places' ORDER BY name)") == "places_dataset_source_id,places_status,sqlite_autoindex_places_1");
    CHECK(raw.scalar("SELECT count(*) FROM spatial_ref_sys WHERE srid IN (4326, 25833)") == "2");
    for (const char* table : {"meta", "stadtraeume", "city_outline", "places", "places_fts", "users", "revisions",
                              "suggestions"}) {
        CHECK(raw.scalar(std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'") == "1");
    }
}

TEST_CASE("data survives closing and reopening") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    Place stored = simple_place("Stadtteilbibliothek Johannstadt", "1");
    {
        auto store = store_with(path, {stored});
        stored = store->places(std::nullopt).at(0);
    }
    auto store = open_spatialite(path);
    CHECK(store->schema_version() == current_schema_version());
    CHECK(store->data_version() == 1);
    REQUIRE(store->places(std::nullopt).size() == 1);
    CHECK(store->places(std::nullopt)[0] == stored);
    CHECK(store->search("Johannstadt") == std::vector<std::string>{stored.id});
}

TEST_CASE("a place with every field set round-trips unchanged") {
    TempDir dir;
    auto store = open_spatialite(dir.file("lernorte.sqlite"));
    Place input = full_place();
    {
        auto tx = store->begin();
        CHECK(tx->upsert_place(input) == UpsertOutcome::inserted);
        tx->commit();
    }
    CHECK(input.version == 1);
    CHECK(input.id.size() == 36);
    CHECK_FALSE(input.updated_at.empty());

    const auto loaded = store->place(input.id);
    REQUIRE(loaded.has_value());
    CHECK(*loaded == input);
    CHECK(loaded->position.x == input.position.x);  // bit-exact, not approximately
    CHECK(loaded->position.y == input.position.y);
    CHECK(loaded->tags == full_place().tags);

    // optional fields stay absent, empty lists stay empty
    Place sparse = simple_place("Nur ein Name");
    sparse.abc_letter = "";  // present but empty is not the same as absent
    {
        auto tx = store->begin();
        tx->upsert_place(sparse);
        tx->commit();
    }
    const auto sparse_loaded = store->place(sparse.id);
    REQUIRE(sparse_loaded.has_value());
    CHECK(*sparse_loaded == sparse);
    CHECK_FALSE(sparse_loaded->free.has_value());
    CHECK_FALSE(sparse_loaded->orte100.has_value());
    CHECK(sparse_loaded->abc_letter == std::optional<std::string>(""));

    CHECK_FALSE(store->place("no-such-id").has_value());
    CHECK(store->places(std::nullopt).size() == 2);  // the DROP TABLE in a name stayed a name
}

TEST_CASE("a place's point is stored byte for byte as SpatiaLite's MakePoint writes it") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = store_with(path, {full_place()});
    RawDb raw(path);
    CHECK(raw.scalar("SELECT hex(geom) = hex(MakePoint(ST_X(geom), ST_Y(geom), 4326)) AND IsValid(geom) AND "
                     "GeometryType(geom) = 'POINT' AND ST_Srid(geom) = 4326 FROM places") == "1");
    for (const Point p : {Point{13.7672801234567891, 51.0524193847561234}, Point{0.0, -0.5}, Point{-179.999999, -89.5},
                          Point{1e-300, 1e300}}) {
        const auto blob = detail::spatialite_point_blob(p, 4326);
        std::string hex;
        for (const unsigned char b : blob) {
            static constexpr char digits[] = "0123456789ABCDEF";
            hex += digits[b >> 4];
            hex += digits[b & 15];
        }
        char sql[256];
        std::snprintf(sql, sizeof sql, "SELECT hex(MakePoint(%.17g, %.17g, 4326))", p.x, p.y);
        INFO(sql);
        CHECK(hex == raw.scalar(sql));
    }
}

TEST_CASE("lists are stored as JSON arrays that SQL can read") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = store_with(path, {full_place()});
    RawDb raw(path);
    CHECK(raw.scalar("SELECT languages FROM places") == R"(["de","uk","ar"])");
    CHECK(raw.scalar("SELECT json_array_length(tags) FROM places") == "6");
    CHECK(raw.scalar("SELECT value FROM places, json_each(places.tags) WHERE json_each.key = 1") == "Café \"Kiez\"");
    CHECK(raw.scalar("SELECT count(*) FROM places WHERE description IS NOT NULL AND opening_hours LIKE 'Mo-Fr%'") == "1");
}

TEST_CASE("a Stadtraum multipolygon with a hole round-trips exactly and SpatiaLite can query it") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = open_spatialite(path);

    Stadtraum johannstadt;
    johannstadt.nr = 2;
    johannstadt.name = "Johannstadt";
    johannstadt.short_name = "Johannstadt";
    Polygon with_hole = square(13.7600000000000001, 51.0400000000000004, 0.1);
    with_hole.rings.push_back({{13.79, 51.07}, {13.80, 51.07}, {13.80, 51.08}, {13.79, 51.08}, {13.79, 51.07}});
    with_hole.rings[0][1].x = 0.1 + 13.76;  // a value with a long binary expansion
    johannstadt.geometry.polygons = {with_hole, square(14.0, 51.0, 0.01)};
    johannstadt.area_km2 = 8.123456789;
    johannstadt.population = 23456;
    johannstadt.foreign_pct = 12.3;
    johannstadt.single_parent_households = 1234;
    johannstadt.member_districts = {"06", "07"};
    johannstadt.source = "Kommunale Statistikstelle";
    johannstadt.license = "dl-de/by-2-0";

    Stadtraum gorbitz;
    gorbitz.nr = 16;
    gorbitz.name = "Gorbitz";
    gorbitz.geometry.polygons = {square(13.65, 51.03, 0.02)};

    const MultiPolygon outline{{square(13.5, 50.9, 0.5)}};
    {
        auto tx = store->begin();
        tx->replace_stadtraeume({gorbitz, johannstadt});
        tx->replace_outline(outline, "BKG", "dl-de/by-2-0");
        tx->commit();
    }
    const auto areas = store->stadtraeume();
    REQUIRE(areas.size() == 2);
    CHECK(areas[0].nr == 2);  // ordered by nr
    CHECK(areas[1].nr == 16);
    const Stadtraum& s = areas[0];
    CHECK(s.name == johannstadt.name);
    CHECK(s.short_name == johannstadt.short_name);
    CHECK(s.area_km2 == johannstadt.area_km2);
    CHECK(s.population == johannstadt.population);
    CHECK(s.foreign_pct == johannstadt.foreign_pct);
    CHECK(s.single_parent_households == johannstadt.single_parent_households);
    CHECK(s.member_districts == johannstadt.member_districts);
    CHECK(s.source == johannstadt.source);
    CHECK(s.license == johannstadt.license);
    REQUIRE(s.geometry.polygons.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(s.geometry.polygons[i].rings == johannstadt.geometry.polygons[i].rings);
    }
    REQUIRE(store->outline().has_value());
    CHECK(store->outline()->polygons.at(0).rings == outline.polygons[0].rings);

    RawDb raw(path);
    // inside the shell, inside the hole, in the second polygon
    CHECK(raw.scalar("SELECT nr FROM stadtraeume WHERE ST_Contains(geom, MakePoint(13.77, 51.05, 4326))") == "2");
    CHECK(raw.scalar("SELECT nr FROM stadtraeume WHERE ST_Contains(geom, MakePoint(13.795, 51.075, 4326))") == "");
    CHECK(raw.scalar("SELECT nr FROM stadtraeume WHERE ST_Contains(geom, MakePoint(14.005, 51.005, 4326))") == "2");
    // through the R*Tree, as other tools query it
    CHECK(raw.scalar("SELECT nr FROM stadtraeume WHERE ST_Contains(geom, MakePoint(13.66, 51.04, 4326)) AND "
                     "rowid IN (SELECT rowid FROM SpatialIndex WHERE f_table_name = 'stadtraeume' AND "
                     "search_frame = MakePoint(13.66, 51.04, 4326))") == "16");
    CHECK(raw.scalar("SELECT ST_SRID(geom) || ' ' || ST_GeometryType(geom) FROM stadtraeume WHERE nr = 2") ==
          "4326 MULTIPOLYGON");
    CHECK(raw.scalar("SELECT count(*) FROM city_outline WHERE ST_Contains(geom, MakePoint(13.74, 51.05, 4326))") ==
          "1");

    // replace means replace
    {
        auto tx = store->begin();
        tx->replace_stadtraeume({gorbitz});
        tx->replace_outline(MultiPolygon{{square(13.6, 50.95, 0.3)}}, "other", "");
        tx->commit();
    }
    CHECK(store->stadtraeume().size() == 1);
    CHECK(store->outline()->polygons.at(0).rings[0][0] == Point{13.6, 50.95});
    CHECK(raw.scalar("SELECT source FROM city_outline") == "other");
    CHECK(raw.scalar("SELECT count(*) FROM city_outline") == "1");
}

TEST_CASE("upsert by source_id inserts, then leaves an equal place alone, then updates") {
    TempDir dir;
    auto store = open_spatialite(dir.file("lernorte.sqlite"));
    Place first = full_place();
    {
        auto tx = store->begin();
        CHECK(tx->upsert_place(first) == UpsertOutcome::inserted);
        tx->commit();
    }
    CHECK(first.version == 1);

    Place again = full_place();  // a re-import: no id, same data
    {
        auto tx = store->begin();
        CHECK(tx->upsert_place(again) == UpsertOutcome::unchanged);
        tx->commit();
    }
    CHECK(again.id == first.id);
    CHECK(again.version == 1);
    CHECK(again.updated_at == first.updated_at);

    Place changed = full_place();
    changed.phone = "+49 351 7654321";
    changed.tags.pop_back();
    {
        auto tx = store->begin();
        CHECK(tx->upsert_place(changed) == UpsertOutcome::updated);
        tx->commit();
    }
    CHECK(changed.id == first.id);
    CHECK(changed.version == 2);
    const auto loaded = store->place(first.id);
    REQUIRE(loaded.has_value());
    CHECK(*loaded == changed);
    CHECK(store->places(std::nullopt).size() == 1);

    // the same source_id in another dataset is another place
    Place other = full_place();
    other.dataset = "other-dataset";
    {
        auto tx = store->begin();
        CHECK(tx->upsert_place(other) == UpsertOutcome::inserted);
        tx->commit();
    }
    CHECK(other.id != first.id);
    CHECK(store->places(std::nullopt).size() == 2);
}

TEST_CASE("upsert without source_id goes by id") {
    TempDir dir;
    auto store = open_spatialite(dir.file("lernorte.sqlite"));
    auto tx = store->begin();
    Place a = simple_place("Repair-Café Neustadt");
    CHECK(tx->upsert_place(a) == UpsertOutcome::inserted);
    CHECK_FALSE(a.id.empty());

    Place edit = a;
    edit.version = 99;  // the store manages version and updated_at
    edit.updated_at = "1999-01-01T00:00:00Z";
    CHECK(tx->upsert_place(edit) == UpsertOutcome::unchanged);
    CHECK(edit.version == 1);
    edit.position.x += 0.001;
    CHECK(tx->upsert_place(edit) == UpsertOutcome::updated);
    CHECK(edit.version == 2);

    Place chosen = simple_place("Mit eigener Id");
    chosen.id = "my-own-id";
    CHECK(tx->upsert_place(chosen) == UpsertOutcome::inserted);
    CHECK(chosen.id == "my-own-id");
    tx->commit();
    CHECK(store->place("my-own-id").has_value());
    CHECK(store->place(a.id)->position.x == edit.position.x);
}

TEST_CASE("a transaction destroyed without commit leaves nothing behind") {
    TempDir dir;
    auto store = open_spatialite(dir.file("lernorte.sqlite"));
    {
        auto tx = store->begin();
        Place p = simple_place("Verworfen", "x1");
        tx->upsert_place(p);
        Stadtraum s;
        s.nr = 1;
        s.name = "Altstadt";
        s.geometry.polygons = {square(13.7, 51.0, 0.1)};
        tx->replace_stadtraeume({s});
        // reads on the same thread see the open transaction's writes
        CHECK(store->places(std::nullopt).size() == 1);
        // transactions do not nest
        CHECK_THROWS_AS(store->begin(), StoreError);
        CHECK(store->places(std::nullopt).size() == 1);
    }
    CHECK(store->places(std::nullopt).empty());
    CHECK(store->stadtraeume().empty());
    CHECK(store->search("Verworfen").empty());
    CHECK(store->data_version() == 0);
}

TEST_CASE("every commit increments data_version") {
    TempDir dir;
    auto store = open_spatialite(dir.file("lernorte.sqlite"));
    CHECK(store->data_version() == 0);
    for (int i = 1; i <= 3; ++i) {
        auto tx = store->begin();
        Place p = simple_place("Ort " + std::to_string(i), std::to_string(i));
        tx->upsert_place(p);
        tx->commit();
        CHECK(store->data_version() == i);
    }
    auto tx = store->begin();
    tx->commit();
    CHECK(store->data_version() == 4);
    CHECK_THROWS_AS(tx->commit(), StoreError);  // a transaction commits once
}

TEST_CASE("bad input is refused with context and does not end the transaction") {
    TempDir dir;
    auto store = open_spatialite(dir.file("lernorte.sqlite"));
    auto tx = store->begin();
    Place good = simple_place("Gut", "g1");
    tx->upsert_place(good);
    Place bad = simple_place("Schlecht", "b1");
    bad.status = "deleted";
    CHECK_THROWS_WITH(tx->upsert_place(bad), Catch::Contains("'test'/'b1'") && Catch::Contains("CHECK constraint"));
    Place nameless = simple_place("", "b2");
    CHECK_THROWS_AS(tx->upsert_place(nameless), StoreError);
    tx->commit();
    const auto all = store->places(std::nullopt);
    REQUIRE(all.size() == 1);
    CHECK(all[0].name == "Gut");
}

TEST_CASE("a transaction keeps working after its store is gone") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = open_spatialite(path);
    auto tx = store->begin();
    store.reset();
    Place p = simple_place("Spät", "late");
    CHECK(tx->upsert_place(p) == UpsertOutcome::inserted);
    tx->commit();
    tx.reset();
    CHECK(open_spatialite(path)->places(std::nullopt).size() == 1);
}

TEST_CASE("places() filters by status in insertion order") {
    TempDir dir;
    Place a = simple_place("A", "a");
    Place b = simple_place("B", "b");
    b.status = "suggested";
    Place c = simple_place("C", "c");
    auto store = store_with(dir.file("lernorte.sqlite"), {a, b, c});
    const auto all = store->places(std::nullopt);
    REQUIRE(all.size() == 3);
    CHECK(all[0].name == "A");
    CHECK(all[1].name == "B");
    CHECK(all[2].name == "C");
    const auto published = store->places(std::string("published"));
    REQUIRE(published.size() == 2);
    CHECK(published[1].name == "C");
    CHECK(store->places(std::string("suggested")).at(0).name == "B");
    CHECK(store->places(std::string("archived")).empty());
}

TEST_CASE("search folds, stems and matches prefixes of every term") {
    TempDir dir;
    Place bib = simple_place("Bibliothek Johannstadt", "bib");
    bib.address = {"Pfotenhauerstraße 42", "01307", "Dresden"};
    Place cafe = simple_place("Sprachcafé International", "cafe");
    cafe.tags = {"Deutsch lernen", "Begegnung"};
    Place zentral = simple_place("Zentralbibliothek im Kulturpalast", "zb");
    Place garten = simple_place("Interkultureller Garten Johannstadt", "ig");
    auto store = store_with(dir.file("lernorte.sqlite"), {bib, cafe, zentral, garten});
    const auto ids = store->places(std::nullopt);
    const std::string bib_id = ids[0].id, cafe_id = ids[1].id, zentral_id = ids[2].id, garten_id = ids[3].id;

    using Ids = std::vector<std::string>;
    const auto found = [&](const std::string& q, const std::string& id) {
        const auto hits = store->search(q);
        return std::find(hits.begin(), hits.end(), id) != hits.end();
    };
    CHECK(found("Bibliotheken", bib_id));
    CHECK(found("bibliothek", zentral_id));  // "Zentralbibliothek" contributes the head term
    CHECK(found("strasse", bib_id));
    CHECK(found("Pfotenhauerstr", bib_id));
    CHECK(found("Sprachcafe", cafe_id));
    CHECK(found("SPRACHCAFÉ", cafe_id));
    CHECK(found("lernen", cafe_id));  // tags are indexed
    CHECK(found("01307", bib_id));    // postcode
    CHECK(store->search("Bibliothek Johannstadt") == Ids{bib_id});  // all terms must match
    CHECK(store->search("Johann").size() == 2);                      // prefixes
    CHECK(store->search("Kulturp") == Ids{zentral_id});
    CHECK(store->search("Museum").empty());
    CHECK(store->search("").empty());
    CHECK(store->search("  ?! ").empty());
}

TEST_CASE("search ranks better matches first and follows updates") {
    TempDir dir;
    Place weak = simple_place("Stadtteilhaus", "w");
    weak.description = "Auch ein Garten ist hier, neben vielen anderen Dingen, Räumen, Angeboten und Kursen.";
    Place strong = simple_place("Garten Garten", "s");
    auto store = store_with(dir.file("lernorte.sqlite"), {weak, strong});
    const auto hits = store->search("Garten");
    REQUIRE(hits.size() == 2);
    CHECK(hits[0] == store->places(std::nullopt)[1].id);

    auto tx = store->begin();
    Place renamed = simple_place("Werkstatt", "s");
    CHECK(tx->upsert_place(renamed) == UpsertOutcome::updated);
    tx->commit();
    CHECK(store->search("Garten").size() == 1);
    CHECK(store->search("Werkstatt") == std::vector<std::string>{renamed.id});
}

TEST_CASE("search never interprets FTS syntax") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = store_with(path, {simple_place("Bibliothek Johannstadt", "1"), simple_place("NEAR Garten", "2")});
    for (const char* hostile : {"\"", "*", "NEAR(", "'; DROP TABLE places; --", "a OR b", "bibliothek\" OR \"x",
                                "-bibliothek", "^", "NOT", "{id}: x", "col:bibliothek", ")(", "\xFF\xFE"}) {
        CHECK_NOTHROW(store->search(hostile));
    }
    CHECK(store->search("NEAR(") == std::vector<std::string>{store->places(std::nullopt)[1].id});
    CHECK(store->places(std::nullopt).size() == 2);
    RawDb raw(path);
    CHECK(raw.scalar("SELECT count(*) FROM places") == "2");
}

TEST_CASE("opening a version 1 file upgrades it and keeps its data") {
    TempDir dir;
    const std::string path = dir.file("old.sqlite");
    std::string id;
    {
        auto old = detail::open_spatialite_at_version(path, 1);
        CHECK(old->schema_version() == 1);
        auto tx = old->begin();
        Place p = full_place();
        tx->upsert_place(p);
        tx->commit();
        id = p.id;
    }
    {
        RawDb raw(path);
        CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'users'") == "0");
    }
    auto store = open_spatialite(path);
    CHECK(store->schema_version() == 5);
    CHECK(store->data_version() == 1);
    REQUIRE(store->place(id).has_value());
    CHECK(store->place(id)->name == full_place().name);
    RawDb raw(path);
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'revisions', 'suggestions')") == "3");
    CHECK(raw.scalar("SELECT count(*) FROM schema_version") == "5");
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sessions'") == "1");
}

TEST_CASE("schema 4: the search index keeps no documents, an upgraded file finds the same, edits forget old words") {
    TempDir dir;
    const std::string path = dir.file("old.sqlite");
    std::string library_id;
    {
        auto old = detail::open_spatialite_at_version(path, 3);
        auto tx = old->begin();
        Place library = simple_place("Stadtteilbibliothek Gorbitz", "1");
        library.description = "Lesecafé und Sprachkurse";
        Place workshop = simple_place("Werkstatt Prohlis", "2");
        tx->upsert_place(library);
        tx->upsert_place(workshop);
        tx->commit();
        library_id = library.id;
        RawDb raw(path);
        CHECK(raw.scalar("SELECT count(*) FROM places_fts_content") == "2");  // version 3 kept a copy
    }
    auto store = open_spatialite(path);
    CHECK(store->schema_version() == 5);
    RawDb raw(path);
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'places_fts_content'") == "0");
    raw.exec("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, places_fts, 'row')");
    const auto rows_with = [&](const std::string& prefix) {
        return raw.scalar("SELECT coalesce(sum(doc), 0) FROM temp.words WHERE term LIKE '" + prefix + "%'");
    };
    CHECK(store->search("Bibliotheken") == std::vector<std::string>{library_id});
    CHECK(store->search("Lesecafe") == std::vector<std::string>{library_id});
    CHECK(rows_with("lesecaf") == "1");

    {  // an edit: the old words leave the index, the new ones arrive
        auto tx = store->begin();
        Place renamed = simple_place("Werkstatt Gorbitz", "1");
        CHECK(tx->upsert_place(renamed) == UpsertOutcome::updated);
        tx->commit();
    }
    CHECK(store->search("Lesecafe").empty());
    CHECK(store->search("Bibliothek").empty());
    CHECK(store->search("Werkstatt").size() == 2);
    CHECK(rows_with("lesecaf") == "0");
    CHECK(rows_with("werkstatt") == "2");
    {  // the same place twice in one batch: inserted words, then replaced ones
        auto tx = store->begin();
        Place first = simple_place("Töpferei Gorbitz", "1");
        Place second = simple_place("Schmiede Gorbitz", "1");
        std::vector<Place> batch{first, second};
        const auto outcomes = tx->upsert_places(batch);
        CHECK(outcomes == std::vector<UpsertOutcome>{UpsertOutcome::updated, UpsertOutcome::updated});
        tx->commit();
    }
    CHECK(store->search("Töpferei").empty());
    CHECK(store->search("Schmiede") == std::vector<std::string>{library_id});
    CHECK(rows_with("topfer") == "0");
    CHECK(rows_with("werkstatt") == "1");
    raw.exec("INSERT INTO places_fts (places_fts) VALUES ('integrity-check')");
    CHECK(raw.scalar("PRAGMA integrity_check") == "ok");
}

TEST_CASE("schema 5 drops the indexes on category and Stadtraum; an existing file keeps its page size") {
    TempDir dir;
    const std::string path = dir.file("old.sqlite");
    {
        {  // a file made by an older lernorte, with SQLite's default pages
            sqlite3* db = nullptr;
            REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
            CHECK(sqlite3_exec(db, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) == SQLITE_OK);
            sqlite3_close(db);
        }
        auto old = detail::open_spatialite_at_version(path, 4);
        Place p = simple_place("Ort", "1");
        auto tx = old->begin();
        tx->upsert_place(p);
        tx->commit();
        RawDb raw(path);
        CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('places_category', 'places_stadtraum')") == "2");
    }
    auto store = open_spatialite(path);
    CHECK(store->schema_version() == 5);
    RawDb raw(path);
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('places_category', 'places_stadtraum')") == "0");
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'places_status'") == "1");
    CHECK(raw.scalar("PRAGMA page_size") == "4096");
    CHECK(store->places("published").size() == 1);
    CHECK(raw.scalar("PRAGMA integrity_check") == "ok");
}

TEST_CASE("a file from a newer lernorte is refused and left alone") {
    TempDir dir;
    const std::string path = dir.file("new.sqlite");
    (void)open_spatialite(path);
    {
        RawDb raw(path);
        raw.exec("INSERT INTO schema_version (version, applied_at) VALUES (6, '2030-01-01T00:00:00Z')");
    }
    CHECK_THROWS_AS(open_spatialite(path), SchemaTooNew);
    CHECK_THROWS_WITH(open_spatialite(path),
                      path + ": database schema version 6 is newer than this lernorte (supports up to 5); "
                             "upgrade lernorte");
    CHECK_THROWS_AS(detail::open_spatialite_at_version(path, 1), SchemaTooNew);
    RawDb raw(path);
    CHECK(raw.scalar("SELECT max(version) FROM schema_version") == "6");
}

TEST_CASE("a file that is not a SQLite database is an error naming the file") {
    TempDir dir;
    const std::string path = dir.file("notes.txt");
    const std::string content = "Dies ist keine Datenbank, sondern eine ganz normale Textdatei mit etwas Inhalt.\n";
    {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 100; ++i) out << content;
    }
    try {
        (void)open_spatialite(path);
        FAIL("opening a text file succeeded");
    } catch (const SchemaTooNew&) {
        FAIL("a text file is not a newer schema");
    } catch (const StoreError& e) {
        CHECK_THAT(e.what(), Catch::StartsWith(path));
    }
    std::ifstream in(path, std::ios::binary);
    const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(after.size() == content.size() * 100);
    CHECK_THROWS_AS(open_spatialite(dir.file("no-such-dir/x.sqlite")), StoreError);
}

TEST_CASE("a large import keeps SpatiaLite's spatial index and triggers intact") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = open_spatialite(path);
    RawDb raw(path);
    const std::string triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'places'";
    const std::string before = raw.scalar(triggers);
    CHECK(before == "8");
    constexpr int n = 1500;  // beyond the point where the store switches to bulk indexing
    const auto position = [](int i, double shift) {
        return Point{13.6 + (i % 50) * 0.01 + shift, 50.95 + (i / 50) * 0.005};
    };

    {  // rolled back: nothing stays, the triggers come back
        auto tx = store->begin();
        for (int i = 0; i < n; ++i) {
            Place p = simple_place("Ort " + std::to_string(i), std::to_string(i));
            tx->upsert_place(p);
        }
    }
    CHECK(raw.scalar(triggers) == before);
    CHECK(raw.scalar("SELECT count(*) FROM idx_places_geom") == "0");

    for (const double shift : {0.0, 0.001}) {  // insert, then move every place
        auto tx = store->begin();
        for (int i = 0; i < n; ++i) {
            Place p = simple_place("Ort " + std::to_string(i), std::to_string(i));
            p.position = position(i, shift);
            const UpsertOutcome outcome = tx->upsert_place(p);
            REQUIRE(outcome == (shift == 0.0 ? UpsertOutcome::inserted : UpsertOutcome::updated));
        }
        tx->commit();

        CHECK(raw.scalar(triggers) == before);
        CHECK(raw.scalar("SELECT count(*) FROM idx_places_geom") == std::to_string(n));
        CHECK(raw.scalar("SELECT CheckSpatialIndex('places', 'geom')") == "1");
        const Point p = position(777, shift);
        const std::string frame = "BuildMbr(" + std::to_string(p.x - 1e-6) + ", " + std::to_string(p.y - 1e-6) + ", " +
                                  std::to_string(p.x + 1e-6) + ", " + std::to_string(p.y + 1e-6) + ", 4326)";
        CHECK(raw.scalar("SELECT name FROM places WHERE rowid IN (SELECT rowid FROM SpatialIndex WHERE "
                         "f_table_name = 'places' AND search_frame = " + frame + ")") == "Ort 777");
    }
    CHECK(raw.scalar("SELECT last_insert > '2000' AND last_update > '2000' FROM geometry_columns_time "
                     "WHERE f_table_name = 'places'") == "1");
    CHECK(store->search("Ort").size() == static_cast<std::size_t>(n));

    // small edits after a bulk import still maintain the index through the triggers
    auto tx = store->begin();
    Place p = simple_place("Ort 5", "5");
    p.position = {14.5, 51.5};
    CHECK(tx->upsert_place(p) == UpsertOutcome::updated);
    tx->commit();
    CHECK(raw.scalar("SELECT CheckSpatialIndex('places', 'geom')") == "1");
    CHECK(raw.scalar("SELECT count(*) FROM SpatialIndex WHERE f_table_name = 'places' AND "
                     "search_frame = BuildMbr(14.4, 51.4, 14.6, 51.6, 4326)") == "1");
}

TEST_CASE("a bulk load into an empty table builds its spatial index aside, also with a place given twice") {
    // Into an empty table the R*Tree is built on a thread of its own and copied in at commit.
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = open_spatialite(path);
    RawDb raw(path);
    constexpr int n = 1500;
    const auto load = [&](double shift) {
        std::vector<Place> places;
        for (int i = 0; i < n; ++i) {
            Place p = simple_place("Ort " + std::to_string(i), std::to_string(i));
            p.position = {13.6 + (i % 50) * 0.01 + shift, 50.95 + (i / 50) * 0.005};
            places.push_back(p);
        }
        Place again = places[10];  // the same source id later in the file: an update in the same transaction
        again.position = {14.2 + shift, 51.2};
        places.push_back(again);
        auto tx = store->begin();
        const auto outcomes = tx->upsert_places(places);
        CHECK(outcomes.back() == UpsertOutcome::updated);
        tx->commit();
    };
    for (const double shift : {0.0, 0.002}) {
        load(shift);
        CHECK(raw.scalar("SELECT count(*) FROM idx_places_geom") == std::to_string(n));
        CHECK(raw.scalar("SELECT rtreecheck('idx_places_geom')") == "ok");
        CHECK(raw.scalar("SELECT CheckSpatialIndex('places', 'geom')") == "1");
        CHECK(raw.scalar("SELECT group_concat(name) FROM places WHERE rowid IN (SELECT rowid FROM SpatialIndex WHERE "
                         "f_table_name = 'places' AND search_frame = BuildMbr(14.1, 51.1, 14.3, 51.3, 4326))") == "Ort 10");
        CHECK(raw.scalar("SELECT count(*) FROM SpatialIndex WHERE f_table_name = 'places' AND "
                         "search_frame = BuildMbr(13.55, 50.9, 14.1, 51.1, 4326)") == std::to_string(n - 1));
        CHECK(raw.scalar("SELECT last_insert > '2000' AND last_update > '2000' FROM geometry_columns_time "
                         "WHERE f_table_name = 'places'") == "1");
        CHECK(raw.scalar("PRAGMA integrity_check") == "ok");
        // Empty the table behind the store's back: the second round loads into an empty table
        // again on the same connection (the first round's copy source is gone).
        raw.exec("DELETE FROM places; INSERT INTO places_fts (places_fts) VALUES ('delete-all')");
    }
}

TEST_CASE("upsert_places in bulk leaves the file as small transactions of upsert_place would") {
    // The bulk path (triggers and secondary indexes dropped, R*Tree entries added at commit, no
    // lookups in a new dataset, documents made on a second thread) against the plain one:
    // transactions below the bulk threshold, every row through SpatiaLite's triggers.
    TempDir dir;
    constexpr int n = 3000;
    std::vector<Place> input;
    std::uint32_t seed = 7;
    const auto next = [&seed] { return (seed = seed * 1664525u + 1013904223u) / 4294967296.0; };
    for (int i = 0; i < n; ++i) {
        Place p = simple_place("Ort " + std::to_string(i) + (i % 3 == 0 ? " Werkstatt" : " Garten"), std::to_string(i));
        p.description = i == 2024 ? "Töpferei am Elbufer" : "";
        p.tags = {i % 2 == 0 ? "gerade" : "ungerade"};
        p.position = {13.6 + 0.3 * next(), 50.95 + 0.15 * next()};
        input.push_back(p);
    }
    const std::string plain_path = dir.file("plain.sqlite");
    const std::string bulk_path = dir.file("bulk.sqlite");
    auto plain = open_spatialite(plain_path);
    for (int start = 0; start < n; start += 500) {
        auto tx = plain->begin();
        for (int i = start; i < start + 500; ++i) {
            Place p = input[static_cast<std::size_t>(i)];
            REQUIRE(tx->upsert_place(p) == UpsertOutcome::inserted);
        }
        tx->commit();
    }
    auto bulk = open_spatialite(bulk_path);
    {
        auto tx = bulk->begin();
        std::vector<Place> places = input;
        const auto outcomes = tx->upsert_places(places);
        REQUIRE(outcomes.size() == places.size());
        CHECK(std::all_of(outcomes.begin(), outcomes.end(), [](UpsertOutcome o) { return o == UpsertOutcome::inserted; }));
        CHECK(places[17].version == 1);
        CHECK(bulk->place(places[17].id)->name == places[17].name);  // ids filled in, visible in the transaction
        tx->commit();
    }

    RawDb a(plain_path);
    RawDb b(bulk_path);
    const auto same = [&](const std::string& sql) {
        const std::string expected = a.scalar(sql);
        CHECK(b.scalar(sql) == expected);
        return expected;
    };
    // rows in the same order with the same rowids, all fields but the generated ones
    same("SELECT count(*) FROM places");
    same("SELECT group_concat(rowid || dataset || source_id || name || coalesce(description, '') || tags || "
         "version || AsText(geom), '|') FROM (SELECT * FROM places ORDER BY rowid)");
    // the same R*Tree entries, each float-rounded exactly as the rtree module rounds
    CHECK(same("SELECT count(*) FROM idx_places_geom") == std::to_string(n));
    same("SELECT group_concat(pkid || ':' || xmin || ':' || xmax || ':' || ymin || ':' || ymax, ',') "
         "FROM (SELECT * FROM idx_places_geom ORDER BY pkid)");
    CHECK(b.scalar("SELECT rtreecheck('idx_places_geom')") == "ok");
    CHECK(b.scalar("SELECT CheckSpatialIndex('places', 'geom')") == "1");
    same("SELECT group_concat(rowid, ',') FROM (SELECT rowid FROM SpatialIndex WHERE f_table_name = 'places' AND "
         "search_frame = BuildMbr(13.7, 51.0, 13.75, 51.03, 4326) ORDER BY rowid)");
    // the same search documents under the same rowids, and the same schema
    // (places_fts keeps no documents; its vocabulary lists every indexed term with row and offset)
    for (RawDb* db : {&a, &b}) db->exec("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, places_fts, 'instance')");
    CHECK(same("SELECT count(*) FROM temp.terms") != "0");
    same("SELECT group_concat(term || doc || ':' || \"offset\", '|') FROM (SELECT * FROM temp.terms ORDER BY term, doc, \"offset\")");
    same("SELECT group_concat(type || name || coalesce(sql, ''), '|') FROM "
         "(SELECT * FROM sqlite_master WHERE tbl_name IN ('places', 'places_fts') ORDER BY name)");
    CHECK(b.scalar("PRAGMA integrity_check") == "ok");
    const auto names = [](Store& store, const std::string& query) {
        std::vector<std::string> out;
        for (const auto& id : store.search(query)) out.push_back(store.place(id)->name);
        return out;
    };
    for (const std::string query : {"Werkstatt", "ungerade", "Töpferei", "Ort 29"}) {
        CHECK(names(*bulk, query) == names(*plain, query));
    }
    CHECK(names(*bulk, "Töpferei") == std::vector<std::string>{"Ort 2024 Garten"});

    // again in bulk: nothing changes; then every place moves
    {
        auto tx = bulk->begin();
        std::vector<Place> places = input;
        const auto outcomes = tx->upsert_places(places);
        CHECK(std::all_of(outcomes.begin(), outcomes.end(), [](UpsertOutcome o) { return o == UpsertOutcome::unchanged; }));
        tx->commit();
    }
    {
        auto tx = bulk->begin();
        std::vector<Place> places = input;
        for (Place& p : places) p.position.x += 0.01;
        const auto outcomes = tx->upsert_places(places);
        CHECK(std::all_of(outcomes.begin(), outcomes.end(), [](UpsertOutcome o) { return o == UpsertOutcome::updated; }));
        tx->commit();
    }
    CHECK(b.scalar("SELECT count(*) FROM idx_places_geom") == std::to_string(n));
    CHECK(b.scalar("SELECT rtreecheck('idx_places_geom')") == "ok");
    CHECK(b.scalar("SELECT CheckSpatialIndex('places', 'geom')") == "1");
    CHECK(b.scalar("SELECT count(*) FROM places WHERE version = 2") == std::to_string(n));
}

TEST_CASE("a bulk load into an empty table builds its search index aside; the same connection searches and writes on") {
    // The importer's way: batches the store may keep (upsert_places with a vector it owns).
    // The first documents reach places_fts itself, the rest the search index builder; at
    // commit places_fts is made anew from the builder's tables.
    TempDir dir;
    constexpr int n = 2600;
    std::vector<Place> input;
    for (int i = 0; i < n; ++i) {
        Place p = simple_place("Ort " + std::to_string(i) + (i % 4 == 0 ? " Werkstatt" : " Garten"), std::to_string(i));
        p.description = i == 1777 ? "Töpferei am Elbufer" : (i == 3 ? "Lesecafé" : "");
        p.position = {13.6 + (i % 60) * 0.005, 50.95 + (i / 60) * 0.003};
        input.push_back(p);
    }
    input.push_back(input[2100]);  // given twice: an update within the same bulk load
    input.back().name = "Ort 2100 Schmiede";

    const std::string plain_path = dir.file("plain.sqlite");
    auto plain = open_spatialite(plain_path);
    for (std::size_t start = 0; start < input.size(); start += 500) {  // below the bulk threshold
        auto tx = plain->begin();
        for (std::size_t i = start; i < std::min(input.size(), start + 500); ++i) {
            Place p = input[i];
            tx->upsert_place(p);
        }
        tx->commit();
    }
    const std::string bulk_path = dir.file("bulk.sqlite");
    auto bulk = open_spatialite(bulk_path);
    {
        auto tx = bulk->begin();
        std::size_t updated = 0;
        for (std::size_t start = 0; start < input.size(); start += 500) {
            std::vector<Place> batch(input.begin() + static_cast<std::ptrdiff_t>(start),
                                     input.begin() + static_cast<std::ptrdiff_t>(std::min(input.size(), start + 500)));
            for (const UpsertOutcome o : tx->upsert_places(std::move(batch))) updated += o == UpsertOutcome::updated;
        }
        CHECK(updated == 1);
        tx->commit();
    }

    RawDb a(plain_path);
    RawDb b(bulk_path);
    for (RawDb* db : {&a, &b}) db->exec("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, places_fts, 'instance')");
    const std::string vocabulary =
        "SELECT group_concat(term || doc || ':' || \"offset\", '|') FROM (SELECT * FROM temp.terms ORDER BY term, doc, \"offset\")";
    CHECK(b.scalar(vocabulary) == a.scalar(vocabulary));
    CHECK(b.scalar("SELECT count(*) FROM places_fts_docsize") == std::to_string(n));
    b.exec("INSERT INTO places_fts (places_fts) VALUES ('integrity-check')");
    CHECK(b.scalar("PRAGMA integrity_check") == "ok");
    CHECK(b.scalar("SELECT count(*) FROM places_fts_config WHERE k = 'hashsize'") == "0");  // the builder's own setting
    CHECK(b.scalar("SELECT count(*) FROM idx_places_geom") == std::to_string(n));
    CHECK(b.scalar("SELECT rtreecheck('idx_places_geom')") == "ok");

    const auto names = [](Store& store, const std::string& query) {
        std::vector<std::string> out;
        for (const auto& id : store.search(query)) out.push_back(store.place(id)->name);
        std::sort(out.begin(), out.end());
        return out;
    };
    // The same connection that replaced places_fts: documents from before and after the
    // builder started, and the update within the load.
    CHECK(names(*bulk, "Lesecafe") == std::vector<std::string>{"Ort 3 Garten"});
    CHECK(names(*bulk, "Töpferei") == std::vector<std::string>{"Ort 1777 Garten"});
    CHECK(names(*bulk, "Schmiede") == std::vector<std::string>{"Ort 2100 Schmiede"});
    CHECK(bulk->search("Werkstatt").size() == plain->search("Werkstatt").size());

    {  // and writes on: an edit and a new place through the same connection
        auto tx = bulk->begin();
        Place edited = input[1777];
        edited.description = "Druckwerkstatt";
        CHECK(tx->upsert_place(edited) == UpsertOutcome::updated);
        Place fresh = simple_place("Neuer Ort Leseclub", "new-1");
        CHECK(tx->upsert_place(fresh) == UpsertOutcome::inserted);
        tx->commit();
    }
    CHECK(bulk->search("Töpferei").empty());
    CHECK(names(*bulk, "Druckwerkstatt") == std::vector<std::string>{"Ort 1777 Garten"});
    CHECK(names(*bulk, "Leseclub") == std::vector<std::string>{"Neuer Ort Leseclub"});
    CHECK(names(*bulk, "Lesecafe") == std::vector<std::string>{"Ort 3 Garten"});
    {  // a second bulk load, into the full table: every place renamed
        auto tx = bulk->begin();
        std::vector<Place> renamed = input;
        renamed.pop_back();
        for (Place& p : renamed) p.name += " Umbenannt";
        const auto outcomes = tx->upsert_places(std::move(renamed));
        CHECK(std::count(outcomes.begin(), outcomes.end(), UpsertOutcome::updated) == n);
        tx->commit();
    }
    CHECK(bulk->search("Umbenannt").size() == static_cast<std::size_t>(n));
    CHECK(bulk->search("Leseclub").size() == 1);
    b.exec("INSERT INTO places_fts (places_fts) VALUES ('integrity-check')");
    CHECK(b.scalar("PRAGMA integrity_check") == "ok");
}

TEST_CASE("the search index's settings and a user's index survive a bulk load; a rolled-back one changes nothing") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto store = open_spatialite(path);
    RawDb raw(path);
    raw.exec("INSERT INTO places_fts (places_fts, rank) VALUES ('automerge', 2)");
    raw.exec("INSERT INTO places_fts (places_fts, rank) VALUES ('pgsz', 2000)");
    // A ranking of its own: highlight() has no text to work on in a contentless index, so every
    // match ranks alike and they come in rowid order, where bm25() would put the places naming
    // "Garten" three times first. It shows whether the store's own connection ranks with the
    // restored setting right after the load.
    raw.exec("INSERT INTO places_fts (places_fts, rank) VALUES ('rank', 'highlight(0, ''['', '']'')')");
    raw.exec("CREATE INDEX my_places_category ON places (category)");  // a SQL user's own index
    const auto name_of = [](int i) { return i % 100 == 50 ? std::string("Ort Garten Garten Garten") : std::string("Ort Garten"); };
    const auto load = [&](bool commit) {
        auto tx = store->begin();
        for (int start = 0; start < 2000; start += 500) {
            std::vector<Place> batch;
            for (int i = start; i < start + 500; ++i) batch.push_back(simple_place(name_of(i), std::to_string(i)));
            tx->upsert_places(std::move(batch));
        }
        if (commit) tx->commit();
    };
    load(false);
    CHECK(store->search("Ort").empty());
    CHECK(raw.scalar("SELECT count(*) FROM places_fts_docsize") == "0");
    load(true);
    const auto found = store->search("Garten");  // the first search on the loading connection
    REQUIRE(found.size() == 2000);
    const auto again = open_spatialite(path)->search("Garten");  // a connection that read the settings anew
    CHECK(found == again);
    CHECK(store->place(again.front())->source_id == "0");  // the setting's order, not bm25's
    CHECK(store->place(again.front())->name == "Ort Garten");
    CHECK(raw.scalar("SELECT group_concat(k || '=' || v) FROM (SELECT * FROM places_fts_config ORDER BY k)") ==
          "automerge=2,pgsz=2000,rank=highlight(0, '[', ']'),version=4");
    CHECK(raw.scalar("SELECT typeof(v) FROM places_fts_config WHERE k = 'pgsz'") == "integer");
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'my_places_category'") == "1");
    CHECK(raw.scalar("SELECT count(*) FROM places INDEXED BY my_places_category WHERE category = 'kultur'") == "2000");
    raw.exec("INSERT INTO places_fts (places_fts) VALUES ('integrity-check')");
}

TEST_CASE("a failed replace_stadtraeume changes nothing") {
    TempDir dir;
    auto store = open_spatialite(dir.file("lernorte.sqlite"));
    Stadtraum a;
    a.nr = 1;
    a.name = "Altstadt";
    a.geometry.polygons = {square(13.7, 51.0, 0.1)};
    {
        auto tx = store->begin();
        tx->replace_stadtraeume({a});
        tx->commit();
    }
    Stadtraum b = a;
    b.name = "Neustadt";
    Stadtraum duplicate = a;  // the same nr twice
    auto tx = store->begin();
    CHECK_THROWS_WITH(tx->replace_stadtraeume({b, duplicate}), Catch::Contains("Stadtraum 1") && Catch::Contains("UNIQUE"));
    Stadtraum invalid = a;
    invalid.nr = 0;
    CHECK_THROWS_AS(tx->replace_stadtraeume({invalid}), StoreError);
    tx->commit();
    const auto areas = store->stadtraeume();
    REQUIRE(areas.size() == 1);
    CHECK(areas[0].name == "Altstadt");
}

TEST_CASE("a second connection reads the last commit while a write is open") {
    TempDir dir;
    const std::string path = dir.file("lernorte.sqlite");
    auto writer = store_with(path, {simple_place("Erster Ort", "1")});
    auto reader = open_spatialite(path);
    auto tx = writer->begin();
    Place p = simple_place("Zweiter Ort", "2");
    tx->upsert_place(p);
    CHECK(reader->places(std::nullopt).size() == 1);  // WAL: readers never wait for the writer
    CHECK(reader->search("Zweiter").empty());
    tx->commit();
    CHECK(reader->places(std::nullopt).size() == 2);
    CHECK(reader->data_version() == 2);
}

TEST_CASE("a place whose source_id changed is still found by its id") {
    TempDir dir;
    Place p = simple_place("Umbenannt", "old-key");
    auto store = store_with(dir.file("lernorte.sqlite"), {p});
    Place edited = store->places(std::nullopt).at(0);
    edited.source_id = "new-key";
    auto tx = store->begin();
    CHECK(tx->upsert_place(edited) == UpsertOutcome::updated);
    tx->commit();
    REQUIRE(store->places(std::nullopt).size() == 1);
    CHECK(store->places(std::nullopt)[0].source_id == "new-key");
}
