// The compact read model (PlaceTable) and its snapshot file: every field survives, a snapshot
// answers exactly like the catalogue it was written from, a stale or damaged file is refused
// with a reason (never read out of bounds), and the engine starts from it only when it names
// the store's current state. Places are SYNTHETIC.
#include <filesystem>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>

#include <lernorte/engine/editor.hpp>
#include <lernorte/engine/engine.hpp>
#include <lernorte/engine/snapshot.hpp>

#include "temp_dir.hpp"
#include "write_support.hpp"

using namespace lernorte;

namespace {

storage::Place full_place() {
    storage::Place p;
    p.id = "0b7d3c1e-1111-4222-8333-944455556666";
    p.dataset = "bibliotheken";
    p.source_id = "B-17";
    p.name = "Städtische Bibliothek Johannstadt";
    p.description = "Bücher, Medien und ein Lerncafé; SYNTHETIC test place";
    p.category = "bibliothek";
    p.tags = {"lesen", "medien", "lesen-lernen"};
    p.address = {"Pfotenhauerstraße 66", "01307", "Dresden"};
    p.website = "https://example.org/johannstadt";
    p.phone = "+49 351 1234567";
    p.email = "johannstadt@example.org";
    p.opening_hours = "Mo-Fr 10:00-19:00; Sa 10:00-14:00";
    p.target_groups = {"children", "families"};
    p.languages = {"de", "uk", "ar"};
    p.free = true;
    p.wheelchair = "limited";
    p.orte100 = 42;
    p.abc_letter = "J";
    p.stadtraum = 2;
    p.source = "Landeshauptstadt Dresden";
    p.license = "dl-de/by-2-0";
    p.status = "published";
    p.version = 7;
    p.updated_at = "2026-11-24T10:00:00Z";
    p.position = {13.7642, 51.0543};
    return p;
}

storage::Place sparse_place() {
    storage::Place p;
    p.id = "sparse";
    p.name = "Nur ein Name";
    p.category = "sonstiges";
    p.free = false;
    p.abc_letter = "";  // present but empty stays present
    p.status = "published";
    p.updated_at = "2026-11-24T09:00:00Z";
    p.position = {13.70, 51.03};
    return p;
}

// SYNTHETIC places around Dresden with varied fields.
std::vector<storage::Place> synthetic(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> lon(13.60, 13.90);
    std::uniform_real_distribution<double> lat(50.98, 51.12);
    const std::vector<std::string> cats{"bibliothek", "schule", "sprache", "werkstatt", "kultur"};
    const std::vector<std::string> words{"Sprachcafé", "Werkstatt", "Bibliothek", "Garten", "Computer", "Nähen"};
    const std::vector<std::string> groups{"children", "youth", "families", "seniors"};
    const std::vector<std::string> langs{"de", "en", "uk", "ar", "vi"};
    std::vector<storage::Place> out;
    for (std::size_t i = 0; i < n; ++i) {
        storage::Place p;
        p.id = "syn-" + std::to_string(seed) + "-" + std::to_string(i);
        p.name = words[rng() % words.size()] + " " + std::to_string(i);
        p.description = "SYNTHETIC " + words[rng() % words.size()] + " " + words[rng() % words.size()];
        p.category = cats[rng() % cats.size()];
        p.tags = {words[rng() % words.size()]};
        p.address = {"Straße " + std::to_string(i % 50), "01" + std::to_string(100 + i % 300), i % 7 == 0 ? "" : "Dresden"};
        p.target_groups = {groups[rng() % groups.size()]};
        p.languages = {langs[rng() % langs.size()], langs[rng() % langs.size()]};
        if (i % 3 != 0) p.free = i % 3 == 1;
        p.wheelchair = i % 2 == 0 ? "yes" : "unknown";
        if (i % 11 == 0) p.orte100 = static_cast<int>(i % 100) + 1;
        if (i % 13 == 0) p.abc_letter = std::string(1, static_cast<char>('A' + i % 26));
        p.stadtraum = static_cast<int>(i % 17) + 1;
        p.status = i % 10 == 9 ? "suggested" : "published";
        p.version = static_cast<std::int64_t>(i % 5) + 1;
        p.updated_at = "2026-11-" + std::to_string(10 + i % 15) + "T08:00:00Z";
        p.position = {lon(rng), lat(rng)};
        out.push_back(std::move(p));
    }
    return out;
}

std::shared_ptr<const engine::Boundaries> no_boundaries() { return engine::Boundaries::build({}, std::nullopt); }

engine::SnapshotKey key_for(std::int64_t version) { return {version, "token-" + std::to_string(version), 1, 3}; }

std::vector<std::string> ids_of(const engine::Catalogue& c, const engine::PlaceQuery& q) {
    std::vector<std::string> out;
    for (const auto& h : c.query(q).hits) out.emplace_back(c.id(h.index));
    return out;
}

std::vector<engine::PlaceQuery> sample_queries() {
    std::vector<engine::PlaceQuery> qs(9);
    qs[0].limit = 10000;
    qs[1].bbox = geo::BBox{13.70, 51.00, 13.80, 51.08};
    qs[1].limit = 10000;
    qs[2].categories = {"sprache", "kultur"};
    qs[2].free = true;
    qs[3].text = "sprachcafe";
    qs[4].near = engine::PlaceQuery::Near{{13.74, 51.05}, 2500.0};
    qs[4].languages = {"uk"};
    qs[5].target_groups = {"seniors"};
    qs[5].wheelchair = {"yes"};
    qs[5].offset = 3;
    qs[6].in_orte100 = true;
    qs[6].abc = "N";
    qs[7].updated_from = "2026-11-20T00:00:00Z";
    qs[7].stadtraeume = {3, 4};
    qs[8].categories = {"not-a-category"};
    return qs;
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("the compact table gives back every field of a place", "[engine][snapshot]") {
    engine::PlaceTable t;
    t.append(full_place());
    t.append(sparse_place());
    REQUIRE(t.size() == 2);
    CHECK(t.materialize(0, full_place().position) == full_place());
    CHECK(t.materialize(1, sparse_place().position) == sparse_place());
    CHECK(t.text(0, engine::PlaceText::name) == "Städtische Bibliothek Johannstadt");
    CHECK(t.text(0, engine::PlaceText::updated_at) == "2026-11-24T10:00:00Z");
    CHECK(t.list(0, engine::PlaceList::languages).size() == 3);
    CHECK(t.list(1, engine::PlaceList::tags).empty());
    // Repeated values are stored once.
    engine::PlaceTable many;
    for (const auto& p : synthetic(500, 1)) many.append(p);
    CHECK(many.pool().size() < 60);
}

TEST_CASE("a long text and a long list survive the compact table", "[engine][snapshot]") {
    storage::Place p = full_place();
    p.description.assign(100000, 'x');  // a length of three varint bytes
    for (int i = 0; i < 300; ++i) p.tags.push_back("tag" + std::to_string(i));
    engine::PlaceTable t;
    t.append(p);
    CHECK(t.materialize(0, p.position) == p);
}

TEST_CASE("a snapshot answers exactly like the catalogue it was written from", "[engine][snapshot]") {
    const test::TempDir dir;
    const std::string path = dir.file("c.readmodel");
    auto places = synthetic(3000, 7);
    places.push_back(full_place());
    places.push_back(sparse_place());
    const auto built = engine::Catalogue::build(places, no_boundaries(), 12);
    engine::write_snapshot(*built, key_for(12), path);
    const auto read = engine::read_snapshot(path, key_for(12), no_boundaries());

    REQUIRE(read->size() == built->size());
    CHECK(read->version() == 12);
    for (std::uint32_t i = 0; i < built->size(); ++i) {
        REQUIRE(read->place_at(i) == built->place_at(i));
        CHECK(read->position(i) == built->position(i));
    }
    for (const auto& q : sample_queries()) {
        CHECK(ids_of(*read, q) == ids_of(*built, q));
        CHECK(read->query(q).number_matched == built->query(q).number_matched);
    }
    CHECK(!ids_of(*built, sample_queries()[3]).empty());  // the text query finds something
    REQUIRE(read->place(full_place().id));
    CHECK(*read->place(full_place().id) == full_place());
    CHECK(!read->place("syn-7-9"));  // suggested: not in the read model
    CHECK(read->place("syn-7-8"));
    CHECK(read->last_updated() == built->last_updated());
    CHECK(read->places_extent() == built->places_extent());
    CHECK(read->category_count("sprache") == built->category_count("sprache"));
    CHECK(read->stats().total.places == built->stats().total.places);
}

TEST_CASE("an empty catalogue makes a snapshot too", "[engine][snapshot]") {
    const test::TempDir dir;
    const std::string path = dir.file("empty.readmodel");
    engine::write_snapshot(*engine::Catalogue::build(std::vector<storage::Place>{}, no_boundaries(), 1), key_for(1), path);
    const auto read = engine::read_snapshot(path, key_for(1), no_boundaries());
    CHECK(read->size() == 0);
    CHECK(read->query(sample_queries()[3]).hits.empty());
}

TEST_CASE("a snapshot of another store state, a missing, foreign or damaged file is refused", "[engine][snapshot]") {
    const test::TempDir dir;
    const std::string path = dir.file("c.readmodel");
    const auto built = engine::Catalogue::build(synthetic(400, 3), no_boundaries(), 5);
    engine::write_snapshot(*built, key_for(5), path);
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

    SECTION("another version, token, boundaries or schema") {
        std::vector<engine::SnapshotKey> others(4, key_for(5));
        others[0] = key_for(6);
        others[1].catalogue_token = "copied-file";
        others[2].boundaries_version = 2;
        others[3].schema_version = 4;
        for (const engine::SnapshotKey& other : others) {
            CHECK_THROWS_WITH(engine::read_snapshot(path, other, no_boundaries()),
                              Catch::Contains("the store has changed since"));
        }
    }
    SECTION("missing") {
        CHECK_THROWS_WITH(engine::read_snapshot(dir.file("none.readmodel"), key_for(5), no_boundaries()),
                          Catch::Contains("no snapshot file"));
    }
    SECTION("not a snapshot") {
        write_bytes(path, "{\"type\": \"FeatureCollection\"}");
        CHECK_THROWS_AS(engine::read_snapshot(path, key_for(5), no_boundaries()), engine::SnapshotError);
        write_bytes(path, "");
        CHECK_THROWS_AS(engine::read_snapshot(path, key_for(5), no_boundaries()), engine::SnapshotError);
    }
    SECTION("truncated anywhere") {
        const std::string bytes = read_bytes(path);
        for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 7) {
            write_bytes(path, bytes.substr(0, cut));
            CHECK_THROWS_AS(engine::read_snapshot(path, key_for(5), no_boundaries()), engine::SnapshotError);
        }
    }
    SECTION("bytes changed anywhere: refused, or read without leaving the file's bounds") {
        const std::string bytes = read_bytes(path);
        std::mt19937 rng(11);
        int refused = 0;
        int read = 0;
        for (int round = 0; round < 300; ++round) {
            std::string broken = bytes;
            const std::size_t at = rng() % broken.size();
            broken[at] = static_cast<char>(broken[at] ^ static_cast<char>(1 + rng() % 255));
            write_bytes(path, broken);
            try {
                const auto c = engine::read_snapshot(path, key_for(5), no_boundaries());
                // A changed text byte can pass every check; reading every place must still be safe.
                for (std::uint32_t i = 0; i < c->size(); ++i) (void)c->place_at(i);
                for (const auto& q : sample_queries()) (void)c->query(q);
                ++read;
            } catch (const engine::SnapshotError&) {
                ++refused;
            }
        }
        CHECK(refused + read == 300);
        CHECK(refused > 0);
    }
}

TEST_CASE("the engine starts from the snapshot only while it names the store's state", "[engine][snapshot]") {
    const test::TempDir dir;
    const std::string db = test::seeded_copy(dir);
    const std::string path = engine::default_snapshot_path(db);
    CHECK(path == db + ".readmodel");
    std::size_t published = 0;
    {
        engine::Engine first(storage::open_spatialite(db), engine::LoadMode::full, path);
        CHECK_FALSE(first.loaded_from_snapshot());
        CHECK_THAT(first.snapshot_skipped_because(), Catch::Contains("no snapshot file"));
        first.wait_for_snapshot_write();
        CHECK(first.snapshot_write_error().empty());
        CHECK(std::filesystem::exists(path));
        CHECK_FALSE(first.save_snapshot());  // the file holds this state already
        published = first.catalogue()->size();
        CHECK(published == 37 + 163);
    }
    {
        engine::Engine second(storage::open_spatialite(db), engine::LoadMode::full, path);
        CHECK(second.loaded_from_snapshot());
        CHECK(second.snapshot_skipped_because().empty());
        const auto c = second.catalogue();
        CHECK(c->size() == published);
        engine::PlaceQuery q;
        q.text = "Zentralbibliothek";
        REQUIRE_FALSE(c->query(q).hits.empty());
        CHECK(c->stats().total.population == 571510);
        CHECK(c->stadtraeume().size() == 17);

        // A write makes the file stale; saving at shutdown brings it up to date.
        engine::Editor editor(second);
        storage::Place p;
        p.name = "Lerncafé im Snapshot-Test";
        p.category = "sprache";
        p.position = {13.7642, 51.0543};
        (void)editor.create(p, "test");
        CHECK(second.catalogue()->size() == published + 1);
        CHECK(second.save_snapshot());
    }
    {
        engine::Engine third(storage::open_spatialite(db), engine::LoadMode::full, path);
        CHECK(third.loaded_from_snapshot());
        CHECK(third.catalogue()->size() == published + 1);
    }
    {
        // A write by another process (here: a store of its own) while no server runs.
        engine::Engine writer(storage::open_spatialite(db), engine::LoadMode::boundaries_only, path);
        engine::Editor editor(writer);
        storage::Place p;
        p.name = "Noch ein Lerncafé";
        p.category = "sprache";
        p.position = {13.70, 51.03};
        (void)editor.create(p, "test");
    }
    engine::Engine fourth(storage::open_spatialite(db), engine::LoadMode::full, path);
    CHECK_FALSE(fourth.loaded_from_snapshot());
    CHECK_THAT(fourth.snapshot_skipped_because(), Catch::Contains("the store has changed since"));
    CHECK(fourth.catalogue()->size() == published + 2);
}

TEST_CASE("a store copied from another with the same number of writes is not mistaken for it", "[engine][snapshot]") {
    const test::TempDir dir;
    const std::string a = test::seeded_copy(dir, "a.sqlite");
    const std::string b = test::seeded_copy(dir, "b.sqlite");
    const std::string path = dir.file("shared.readmodel");
    const auto write_one = [](const std::string& db, const std::string& name) {
        engine::Engine e(storage::open_spatialite(db), engine::LoadMode::boundaries_only);
        engine::Editor editor(e);
        storage::Place p;
        p.name = name;
        p.category = "sprache";
        p.position = {13.70, 51.03};
        (void)editor.create(p, "test");
    };
    write_one(a, "Nur in A");
    write_one(b, "Nur in B");
    {
        engine::Engine e(storage::open_spatialite(a), engine::LoadMode::full, path);
        e.wait_for_snapshot_write();
    }
    engine::Engine e(storage::open_spatialite(b), engine::LoadMode::full, path);
    CHECK(e.store().data_version() == engine::Engine(storage::open_spatialite(a), engine::LoadMode::boundaries_only)
                                          .store()
                                          .data_version());
    CHECK_FALSE(e.loaded_from_snapshot());
    engine::PlaceQuery q;
    q.text = "Nur in B";
    CHECK(e.catalogue()->query(q).number_matched == 1);
}
