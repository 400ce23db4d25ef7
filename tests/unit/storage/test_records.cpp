// Accounts, sessions, revisions and suggestions in a real SpatiaLite file, and the migration
// that brought sessions (schema 2 -> 3).
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <lernorte/storage/detail/migrations.hpp>
#include <lernorte/storage/store.hpp>

#include "temp_dir.hpp"

using namespace lernorte::storage;
using lernorte::test::TempDir;

namespace {

/// A plain SQLite connection (no SpatiaLite: these tables need none), as the sqlite3 shell.
class PlainDb {
public:
    explicit PlainDb(const std::string& path) {
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
        m_db.reset(raw);
        if (rc != SQLITE_OK) throw std::runtime_error("PlainDb: cannot open " + path);
    }
    /// The first column of the first row as text ("" for no row or NULL).
    std::string scalar(const std::string& sql) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(m_db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
            throw std::runtime_error("PlainDb: " + std::string(sqlite3_errmsg(m_db.get())) + " in " + sql);
        }
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(raw, &sqlite3_finalize);
        if (sqlite3_step(raw) != SQLITE_ROW) return {};
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
        return text != nullptr ? text : "";
    }

private:
    struct Close {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> m_db;
};

Place johannstadt_place(const std::string& name) {
    Place p;
    p.name = name;
    p.category = "kultur";
    p.position = {13.76, 51.05};
    return p;
}

/// Every field set, optional ones included, with text that is hard to store.
Place full_place() {
    Place p;
    p.id = "7d1f2a9e-4b3c-4d5e-8f60-123456789abc";
    p.dataset = "afeefa-2017";
    p.source_id = "row-17";
    p.name = "Lesecafé \"Kiez\" — '; DROP TABLE revisions; --";
    p.description = "Zeile 1\nZeile 2\tTab, Backslash \\ und 🌱; Бібліотека; مكتبة";
    p.category = "bibliothek";
    p.tags = {"lesen", "Café", "Ελληνικά"};
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
    p.version = 3;
    p.updated_at = "2026-03-01T12:00:00Z";
    p.position = {13.7672801234567891, 51.0524193847561234};
    return p;
}

User user_named(const std::string& name, const std::string& role = "editor") {
    User u;
    u.username = name;
    u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$not-a-real-hash";
    u.role = role;
    return u;
}

Suggestion suggestion_at(const std::string& id, const std::string& created_at, const std::string& status = "pending") {
    Suggestion s;
    s.id = id;
    s.status = status;
    s.name = "Vorschlag " + id;
    s.category = "garten";
    s.description = "Gemeinschaftsgarten hinterm Haus, „mit Beeten“";
    s.website = "https://garten.example.org";
    s.position = {13.7512345678, 51.0498765432};
    s.contact_email = "buerger@example.org";
    s.created_at = created_at;
    return s;
}

}  // namespace

TEST_CASE("a schema 2 file upgrades to the current schema: data stays, sessions arrive", "[storage][records][migration]") {
    TempDir dir;
    const std::string path = dir.file("v2.sqlite");
    std::string place_id;
    std::int64_t user_id = 0;
    {
        auto old = detail::open_spatialite_at_version(path, 2);
        REQUIRE(old->schema_version() == 2);
        auto tx = old->begin();
        Place p = full_place();
        tx->upsert_place(p);
        User u = user_named("anna");
        tx->add_user(u);
        tx->commit();
        place_id = p.id;
        user_id = u.id;
    }
    {
        PlainDb raw(path);
        CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sessions'") == "0");
        CHECK(raw.scalar("SELECT count(*) FROM schema_version") == "2");
    }
    auto store = open_spatialite(path);
    CHECK(store->schema_version() == 5);
    CHECK(current_schema_version() == 5);
    REQUIRE(store->place(place_id).has_value());
    CHECK(store->place(place_id)->name == full_place().name);
    REQUIRE(store->user("anna").has_value());
    CHECK(store->user("anna")->id == user_id);
    {
        PlainDb raw(path);
        CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sessions'") == "1");
        CHECK(raw.scalar("SELECT count(*) FROM pragma_table_info('revisions') WHERE name IN ('action', 'state')") == "2");
        CHECK(raw.scalar("SELECT count(*) FROM pragma_table_info('suggestions') WHERE name = 'place_id'") == "1");
        CHECK(raw.scalar("SELECT count(*) FROM schema_version") == "5");
    }
    // The new table works on the upgraded file.
    auto tx = store->begin();
    tx->add_session({"hash-after-upgrade", user_id, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z"});
    tx->commit();
    CHECK(store->session("hash-after-upgrade").has_value());
    // Opening again changes nothing.
    store.reset();
    CHECK(open_spatialite(path)->schema_version() == 5);
}

TEST_CASE("users: add, unique names, update, disable", "[storage][records][users]") {
    TempDir dir;
    auto store = open_spatialite(dir.file("users.sqlite"));
    User anna = user_named("anna", "admin");
    User ben = user_named("ben", "planner");
    {
        auto tx = store->begin();
        tx->add_user(ben);
        tx->add_user(anna);
        tx->commit();
    }
    CHECK(anna.id > 0);
    CHECK(ben.id > 0);
    CHECK(anna.id != ben.id);
    CHECK_FALSE(anna.created_at.empty());

    const auto stored = store->user("anna");
    REQUIRE(stored.has_value());
    CHECK(stored->id == anna.id);
    CHECK(stored->password_hash == anna.password_hash);
    CHECK(stored->role == "admin");
    CHECK_FALSE(stored->disabled);
    CHECK_FALSE(store->user("Anna").has_value());  // names are exact
    CHECK_FALSE(store->user("nobody").has_value());

    const auto all = store->users();
    REQUIRE(all.size() == 2);
    CHECK(all[0].username == "anna");  // ordered by name
    CHECK(all[1].username == "ben");

    SECTION("a taken name is refused and the transaction goes on") {
        auto tx = store->begin();
        User again = user_named("anna");
        CHECK_THROWS_AS(tx->add_user(again), StoreError);
        User carl = user_named("carl");
        tx->add_user(carl);
        tx->commit();
        CHECK(store->users().size() == 3);
        CHECK(store->user("anna")->role == "admin");
    }
    SECTION("an unknown role is refused by the schema") {
        auto tx = store->begin();
        User bad = user_named("dora", "superuser");
        CHECK_THROWS_AS(tx->add_user(bad), StoreError);
    }
    SECTION("update changes hash, role and the disabled flag") {
        User changed = *store->user("ben");
        changed.password_hash = "$argon2id$new";
        changed.role = "editor";
        changed.disabled = true;
        auto tx = store->begin();
        tx->update_user(changed);
        tx->commit();
        const auto after = store->user("ben");
        REQUIRE(after.has_value());
        CHECK(after->password_hash == "$argon2id$new");
        CHECK(after->role == "editor");
        CHECK(after->disabled);
        CHECK(after->id == ben.id);
        CHECK_FALSE(store->user("anna")->disabled);  // only that user
    }
}

TEST_CASE("sessions: add, look up with their user, delete, end all of a user, expire", "[storage][records][sessions]") {
    TempDir dir;
    auto store = open_spatialite(dir.file("sessions.sqlite"));
    User anna = user_named("anna");
    User ben = user_named("ben", "planner");
    {
        auto tx = store->begin();
        tx->add_user(anna);
        tx->add_user(ben);
        tx->add_session({"a1", anna.id, "2026-01-01T08:00:00Z", "2026-01-01T16:00:00Z"});
        tx->add_session({"a2", anna.id, "2026-01-02T08:00:00Z", "2099-01-02T16:00:00Z"});
        tx->add_session({"b1", ben.id, "2026-01-01T09:00:00Z", "2099-01-01T17:00:00Z"});
        tx->commit();
    }
    const auto found = store->session("a2");
    REQUIRE(found.has_value());
    CHECK(found->first.token_hash == "a2");
    CHECK(found->first.user_id == anna.id);
    CHECK(found->first.created_at == "2026-01-02T08:00:00Z");
    CHECK(found->first.expires_at == "2099-01-02T16:00:00Z");
    CHECK(found->second.username == "anna");
    CHECK(found->second.role == "editor");
    CHECK(store->session("b1")->second.username == "ben");
    CHECK_FALSE(store->session("nope").has_value());
    CHECK(store->session("a1").has_value());  // expired ones too: the caller checks

    SECTION("delete one") {
        auto tx = store->begin();
        tx->delete_session("a2");
        tx->commit();
        CHECK_FALSE(store->session("a2").has_value());
        CHECK(store->session("a1").has_value());
    }
    SECTION("delete all of a user") {
        auto tx = store->begin();
        tx->delete_sessions_of(anna.id);
        tx->commit();
        CHECK_FALSE(store->session("a1").has_value());
        CHECK_FALSE(store->session("a2").has_value());
        CHECK(store->session("b1").has_value());
    }
    SECTION("delete the expired ones") {
        auto tx = store->begin();
        tx->delete_expired_sessions("2026-06-01T00:00:00Z");
        tx->commit();
        CHECK_FALSE(store->session("a1").has_value());
        CHECK(store->session("a2").has_value());
        CHECK(store->session("b1").has_value());
    }
    SECTION("a session needs a user") {
        auto tx = store->begin();
        CHECK_THROWS_AS(tx->add_session({"orphan", 9999, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z"}), StoreError);
        CHECK_THROWS_AS(tx->add_session({"a1", anna.id, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z"}), StoreError);
    }
}

TEST_CASE("revisions keep the full state before and after, unicode and optional fields included", "[storage][records][revisions]") {
    TempDir dir;
    auto store = open_spatialite(dir.file("revisions.sqlite"));
    Place stored = full_place();
    {
        auto tx = store->begin();
        tx->upsert_place(stored);
        tx->commit();
    }
    Place before = full_place();
    Place after = full_place();
    after.name = "Neuer Name 🌍 «Ü»";
    after.free = true;
    after.orte100.reset();
    after.abc_letter.reset();
    after.stadtraum.reset();
    after.tags.clear();
    after.version = 4;

    Revision created;
    created.place_id = stored.id;
    created.version = 1;
    created.author = "anna";
    created.action = "create";
    created.state = before;
    Revision changed;
    changed.place_id = stored.id;
    changed.version = 4;
    changed.author = "björn";
    changed.created_at = "2026-04-01T10:00:00Z";
    changed.action = "update";
    changed.note = "from suggestion 1234 — ‚quoted‘";
    changed.previous = before;
    changed.state = after;
    {
        auto tx = store->begin();
        tx->add_revision(created);
        tx->add_revision(changed);
        tx->commit();
    }
    CHECK(created.id > 0);
    CHECK(changed.id > created.id);
    CHECK_FALSE(created.created_at.empty());
    CHECK(changed.created_at == "2026-04-01T10:00:00Z");  // a given time is kept

    const auto revisions = store->revisions(stored.id);
    REQUIRE(revisions.size() == 2);
    const Revision& first = revisions[0];
    CHECK(first.id == created.id);
    CHECK(first.action == "create");
    CHECK(first.author == "anna");
    CHECK(first.note.empty());
    CHECK_FALSE(first.previous.has_value());
    REQUIRE(first.state.has_value());
    CHECK(*first.state == before);

    const Revision& second = revisions[1];
    CHECK(second.version == 4);
    CHECK(second.author == "björn");
    CHECK(second.action == "update");
    CHECK(second.note == "from suggestion 1234 — ‚quoted‘");
    REQUIRE(second.previous.has_value());
    REQUIRE(second.state.has_value());
    CHECK(*second.previous == before);
    CHECK(*second.state == after);
    CHECK(second.state->position.x == before.position.x);  // bit for bit
    CHECK(second.state->position.y == before.position.y);
    CHECK_FALSE(second.state->orte100.has_value());
    CHECK(second.previous->orte100 == 42);
    CHECK(second.state->free == true);

    CHECK(store->revisions("no-such-place").empty());
}

TEST_CASE("suggestions: put, get, replace, list by status oldest first", "[storage][records][suggestions]") {
    TempDir dir;
    auto store = open_spatialite(dir.file("suggestions.sqlite"));
    {
        auto tx = store->begin();
        // Written out of order on purpose.
        tx->put_suggestion(suggestion_at("s3", "2026-03-01T00:00:00Z"));
        tx->put_suggestion(suggestion_at("s1", "2026-01-01T00:00:00Z"));
        tx->put_suggestion(suggestion_at("s2", "2026-02-01T00:00:00Z", "rejected"));
        tx->put_suggestion(suggestion_at("s0", "2025-12-01T00:00:00Z"));
        tx->commit();
    }
    const auto s1 = store->suggestion("s1");
    REQUIRE(s1.has_value());
    const Suggestion expected = suggestion_at("s1", "2026-01-01T00:00:00Z");
    CHECK(s1->status == "pending");
    CHECK(s1->name == expected.name);
    CHECK(s1->category == "garten");
    CHECK(s1->description == expected.description);
    CHECK(s1->website == expected.website);
    CHECK(s1->position.x == expected.position.x);
    CHECK(s1->position.y == expected.position.y);
    CHECK(s1->contact_email == "buerger@example.org");
    CHECK(s1->created_at == "2026-01-01T00:00:00Z");
    CHECK(s1->decided_at.empty());
    CHECK(s1->place_id.empty());
    CHECK_FALSE(store->suggestion("nope").has_value());

    const auto ids = [](const std::vector<Suggestion>& list) {
        std::vector<std::string> out;
        for (const auto& s : list) out.push_back(s.id);
        return out;
    };
    CHECK(ids(store->suggestions(std::nullopt)) == std::vector<std::string>{"s0", "s1", "s2", "s3"});
    CHECK(ids(store->suggestions(std::string("pending"))) == std::vector<std::string>{"s0", "s1", "s3"});
    CHECK(ids(store->suggestions(std::string("rejected"))) == std::vector<std::string>{"s2"});
    CHECK(store->suggestions(std::string("accepted")).empty());

    // Deciding replaces the row by id.
    Suggestion decided = *s1;
    decided.status = "accepted";
    decided.decided_at = "2026-01-05T00:00:00Z";
    decided.decided_by = "anna";
    decided.place_id = "some-place";
    decided.contact_email.clear();
    {
        auto tx = store->begin();
        tx->put_suggestion(decided);
        tx->commit();
    }
    const auto after = store->suggestion("s1");
    REQUIRE(after.has_value());
    CHECK(after->status == "accepted");
    CHECK(after->decided_by == "anna");
    CHECK(after->decided_at == "2026-01-05T00:00:00Z");
    CHECK(after->place_id == "some-place");
    CHECK(after->contact_email.empty());
    CHECK(after->name == expected.name);
    CHECK(store->suggestions(std::nullopt).size() == 4);
    CHECK(ids(store->suggestions(std::string("pending"))) == std::vector<std::string>{"s0", "s3"});
    CHECK(ids(store->suggestions(std::string("accepted"))) == std::vector<std::string>{"s1"});
}

TEST_CASE("only catalogue writes change data_version; accounts, history and suggestions do not",
          "[storage][records][version]") {
    TempDir dir;
    auto store = open_spatialite(dir.file("version.sqlite"));
    const auto v0 = store->data_version();
    User anna = user_named("anna");
    {
        auto tx = store->begin();
        tx->add_user(anna);
        CHECK_THROWS_AS(tx->add_session({"t1", 0, "", ""}), StoreError);  // no user 0; the transaction goes on
    }
    CHECK(store->data_version() == v0);  // rolled back
    {
        auto tx = store->begin();
        tx->add_user(anna);
        tx->add_session({"t1", anna.id, "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z"});
        tx->delete_expired_sessions("2026-01-01T00:00:00Z");
        tx->put_suggestion(suggestion_at("s1", "2026-01-01T00:00:00Z"));
        tx->commit();
    }
    CHECK(store->data_version() == v0);
    {
        auto tx = store->begin();
        tx->delete_session("t1");
        tx->update_user(anna);
        tx->commit();
    }
    CHECK(store->data_version() == v0);

    Place p = johannstadt_place("Stadtteilhaus");
    {
        auto tx = store->begin();
        tx->upsert_place(p);
        tx->commit();
    }
    const auto v1 = store->data_version();
    CHECK(v1 == v0 + 1);
    {
        // A place write together with its revision: the catalogue changed.
        auto tx = store->begin();
        p.name = "Stadtteilhaus Johannstadt";
        tx->upsert_place(p);
        Revision r;
        r.place_id = p.id;
        r.version = p.version;
        r.action = "update";
        r.state = p;
        tx->add_revision(r);
        tx->commit();
    }
    CHECK(store->data_version() == v1 + 1);
    {
        auto tx = store->begin();
        Revision r;
        r.place_id = p.id;
        r.version = p.version;
        r.action = "import";
        tx->add_revision(r);
        tx->commit();
    }
    CHECK(store->data_version() == v1 + 1);
}
