// Editors' writes and citizens' suggestions through the engine, over a private copy of the
// seeded Dresden store per test: every write is in the read model at once, with a revision.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/engine/editor.hpp>

#include "write_support.hpp"

using namespace lernorte;
using engine::Editor;

namespace {

/// A new place in Johannstadt (Stadtraum 2), near the Fetscherplatz.
storage::Place lerncafe() {
    storage::Place p;
    p.name = "Lerncafé Johannstadt";
    p.description = "Hausaufgabenhilfe und Sprachcafé";
    p.category = "sprache";
    p.tags = {"hausaufgaben", "sprachcafé"};
    p.address = {"Pfotenhauerstraße 1", "01307", "Dresden"};
    p.website = "https://lerncafe.example.org";
    p.opening_hours = "Mo-Fr 14:00-18:00";
    p.target_groups = {"children", "youth"};
    p.languages = {"de", "ar", "uk"};
    p.free = true;
    p.wheelchair = "limited";
    p.position = {13.76, 51.05};
    return p;
}

bool in_catalogue(const engine::Engine& e, const std::string& id) { return e.catalogue()->place(id).has_value(); }

std::vector<std::string> text_hits(const engine::Engine& e, const std::string& text) {
    const auto c = e.catalogue();
    engine::PlaceQuery q;
    q.text = text;
    std::vector<std::string> ids;
    for (const auto& h : c->query(q).hits) ids.emplace_back(c->id(h.index));
    return ids;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

storage::Suggestion garden_suggestion(const std::string& name = "Gemeinschaftsgarten Hechtviertel") {
    storage::Suggestion s;
    s.name = name;
    s.category = "garten";
    s.description = "Jeden Samstag gemeinsames Gärtnern";
    s.website = "https://garten.example.org";
    s.position = {13.7600, 51.0700};
    s.contact_email = "anwohnerin@example.org";
    return s;
}

}  // namespace

TEST_CASE("a created place is published, located and in the read model at once", "[engine][editor]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    const auto before = f.engine.catalogue();
    const auto created = editor.create(lerncafe(), "anna");
    CHECK_FALSE(created.id.empty());
    CHECK(created.version == 1);
    CHECK(created.status == "published");
    CHECK(created.stadtraum == 2);  // Johannstadt, computed from the point
    CHECK_FALSE(created.updated_at.empty());

    const auto now = f.engine.catalogue();
    CHECK(now->version() > before->version());
    REQUIRE(now->place(created.id).has_value());
    CHECK(now->place(created.id)->name == "Lerncafé Johannstadt");
    CHECK(now->size() == before->size() + 1);
    CHECK(contains(text_hits(f.engine, "lerncafe"), created.id));
    CHECK(!before->place(created.id));  // an old snapshot stays as it was

    const auto history = editor.history(created.id);
    REQUIRE(history.size() == 1);
    CHECK(history[0].action == "create");
    CHECK(history[0].author == "anna");
    CHECK(history[0].version == 1);
    CHECK_FALSE(history[0].previous.has_value());
    REQUIRE(history[0].state.has_value());
    CHECK(history[0].state->name == "Lerncafé Johannstadt");

    SECTION("what the editor sends for id, dataset, stadtraum is not taken") {
        auto input = lerncafe();
        input.id = created.id;
        input.dataset = "afeefa-2017";
        input.source_id = "x";
        input.stadtraum = 17;
        input.status = "";
        const auto other = editor.create(input, "anna");
        CHECK(other.id != created.id);
        CHECK(other.dataset.empty());
        CHECK(other.source_id.empty());
        CHECK(other.stadtraum == 2);
        CHECK(other.status == "published");
    }
    SECTION("invalid input is refused with every problem and nothing is written") {
        auto input = lerncafe();
        input.name = "";
        input.position = {13.40, 52.52};
        try {
            editor.create(input, "anna");
            FAIL("created an invalid place");
        } catch (const engine::ValidationError& e) {
            REQUIRE(e.errors.size() == 2);
            CHECK(e.errors[0].field == "name");
            CHECK(e.errors[1].field == "geometry");
        }
        CHECK(f.engine.catalogue()->size() == now->size());
    }
}

TEST_CASE("update, version conflicts, archive, restore and history", "[engine][editor]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    const auto v1 = editor.create(lerncafe(), "anna");

    auto input = lerncafe();
    input.name = "Lerncafé Johannstadt e.V.";
    input.opening_hours = "Mo-Fr 15:00-19:00";
    input.free.reset();
    const auto v2 = editor.update(v1.id, input, 1, "ben");
    CHECK(v2.version == 2);
    CHECK(v2.id == v1.id);
    CHECK(v2.name == "Lerncafé Johannstadt e.V.");
    CHECK(f.engine.catalogue()->place(v1.id)->name == "Lerncafé Johannstadt e.V.");
    CHECK(f.engine.store().place(v1.id)->version == 2);

    auto history = editor.history(v1.id);
    REQUIRE(history.size() == 2);
    CHECK(history[1].action == "update");
    CHECK(history[1].author == "ben");
    CHECK(history[1].version == 2);
    REQUIRE(history[1].previous.has_value());
    REQUIRE(history[1].state.has_value());
    CHECK(history[1].previous->version == 1);
    CHECK(history[1].previous->name == "Lerncafé Johannstadt");
    CHECK(history[1].previous->free == true);
    CHECK(history[1].state->name == "Lerncafé Johannstadt e.V.");
    CHECK_FALSE(history[1].state->free.has_value());

    // A second editor who read version 1 saves too late.
    auto late = lerncafe();
    late.name = "Überschrieben?";
    try {
        editor.update(v1.id, late, 1, "carl");
        FAIL("a stale version was saved");
    } catch (const engine::VersionConflict& e) {
        CHECK(e.current_version == 2);
    }
    CHECK(f.engine.store().place(v1.id)->name == "Lerncafé Johannstadt e.V.");
    CHECK_THROWS_AS(editor.update("00000000-0000-4000-8000-000000000000", late, 1, "carl"), engine::NotFoundError);
    CHECK_THROWS_AS(editor.archive(v1.id, 1, "carl"), engine::VersionConflict);

    // Archive: gone from the map, history kept.
    const auto archived = editor.archive(v1.id, 2, "anna", "geschlossen");
    CHECK(archived.status == "archived");
    CHECK(archived.version == 3);
    CHECK_FALSE(in_catalogue(f.engine, v1.id));
    CHECK_FALSE(contains(text_hits(f.engine, "lerncafe"), v1.id));
    REQUIRE(editor.place(v1.id).has_value());  // editors still see it
    history = editor.history(v1.id);
    REQUIRE(history.size() == 3);
    CHECK(history[2].action == "archive");
    CHECK(history[2].note == "geschlossen");

    // Restore version 1: its fields come back as a new revision.
    const auto restored = editor.restore(v1.id, 1, 3, "anna");
    CHECK(restored.version == 4);
    CHECK(restored.status == "published");
    CHECK(restored.name == v1.name);
    CHECK(restored.opening_hours == v1.opening_hours);
    CHECK(restored.free == v1.free);
    CHECK(restored.tags == v1.tags);
    CHECK(restored.languages == v1.languages);
    CHECK(restored.position == v1.position);
    CHECK(restored.stadtraum == 2);
    auto expected = v1;  // everything but what a new version changes
    expected.version = restored.version;
    expected.updated_at = restored.updated_at;
    CHECK(restored == expected);
    CHECK(in_catalogue(f.engine, v1.id));
    history = editor.history(v1.id);
    REQUIRE(history.size() == 4);
    CHECK(history[3].action == "restore");
    CHECK(history[3].note == "restored version 1");
    REQUIRE(history[3].previous.has_value());
    CHECK(history[3].previous->status == "archived");

    CHECK_THROWS_AS(editor.restore(v1.id, 99, 4, "anna"), engine::NotFoundError);
    CHECK_THROWS_AS(editor.restore(v1.id, 2, 3, "anna"), engine::VersionConflict);
    CHECK_THROWS_AS(editor.history("00000000-0000-4000-8000-000000000000"), engine::NotFoundError);
    CHECK_THROWS_AS(editor.history("'; DROP TABLE places; --"), engine::NotFoundError);
}

TEST_CASE("text that looks like SQL is stored as text", "[engine][editor]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    const std::string sql = "'; DROP TABLE places; --";
    auto input = lerncafe();
    input.name = sql;
    input.description = "Robert'); DROP TABLE revisions;-- \" OR 1=1";
    input.tags = {sql, "x' OR '1'='1"};
    input.address.street = sql;
    input.address.city = "\" OR \"\"=\"";
    const auto created = editor.create(input, "anna'--");
    const auto stored = f.engine.store().place(created.id);
    REQUIRE(stored.has_value());
    CHECK(stored->name == sql);
    CHECK(stored->description == input.description);
    CHECK(stored->tags == input.tags);
    CHECK(stored->address.street == sql);
    CHECK(stored->address.city == input.address.city);
    CHECK(editor.history(created.id)[0].author == "anna'--");
    CHECK(f.engine.store().places(std::nullopt).size() > 300);  // the table is still there
    CHECK(contains(text_hits(f.engine, "drop table"), created.id));
}

TEST_CASE("suggestions are pending and limited per address", "[engine][editor][suggestions]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    editor.set_suggestion_policy({2, std::chrono::hours(1)});
    const auto version = f.engine.catalogue()->version();

    const auto first = editor.suggest(garden_suggestion("Garten eins"), "192.0.2.1");
    CHECK_FALSE(first.id.empty());
    CHECK(first.status == "pending");
    CHECK_FALSE(first.created_at.empty());
    const auto stored = editor.suggestion(first.id);
    REQUIRE(stored.has_value());
    CHECK(stored->name == "Garten eins");
    CHECK(stored->contact_email == "anwohnerin@example.org");
    CHECK(f.engine.catalogue()->version() == version);  // no place changed
    CHECK(f.engine.store().data_version() == version);

    editor.suggest(garden_suggestion("Garten zwei"), "192.0.2.1");
    try {
        editor.suggest(garden_suggestion("Garten drei"), "192.0.2.1");
        FAIL("a third suggestion from one address was taken");
    } catch (const engine::RateLimited& e) {
        CHECK(e.retry_after > 0);
        CHECK(e.retry_after <= 3600);
    }
    CHECK(editor.suggest(garden_suggestion("Garten vier"), "192.0.2.2").status == "pending");
    CHECK(f.engine.store().suggestions(std::nullopt).size() == 3);

    SECTION("a suggestion is validated like a place, location included") {
        auto bad = garden_suggestion();
        bad.category = "kneipe";
        bad.position = {13.40, 52.52};
        bad.contact_email = "kein-at";
        try {
            editor.suggest(bad, "192.0.2.3");
            FAIL("an invalid suggestion was taken");
        } catch (const engine::ValidationError& e) {
            std::vector<std::string> fields;
            for (const auto& fe : e.errors) fields.push_back(fe.field);
            CHECK(contains(fields, "category"));
            CHECK(contains(fields, "geometry"));
            CHECK(contains(fields, "contact_email"));
        }
    }
}

TEST_CASE("the queue holds suggestions and the 191 candidate places, oldest first", "[engine][editor][suggestions]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    CHECK(f.engine.store().places("suggested").size() == 191);
    const auto s1 = editor.suggest(garden_suggestion("Erster Vorschlag"), "192.0.2.1");
    const auto s2 = editor.suggest(garden_suggestion("Zweiter Vorschlag"), "192.0.2.1");

    const auto queue = editor.queue("pending");
    REQUIRE(queue.size() == 191 + 2);
    std::size_t candidates = 0;
    std::vector<std::string> suggestion_ids;
    for (const auto& e : queue) {
        if (e.kind == "candidate") {
            REQUIRE(e.candidate.has_value());
            CHECK(e.candidate->status == "suggested");
            ++candidates;
        } else {
            REQUIRE(e.kind == "suggestion");
            REQUIRE(e.suggestion.has_value());
            suggestion_ids.push_back(e.suggestion->id);
        }
    }
    CHECK(candidates == 191);
    CHECK(suggestion_ids == std::vector<std::string>{s1.id, s2.id});
    CHECK(std::is_sorted(queue.begin(), queue.end(),
                         [](const auto& a, const auto& b) { return a.created_at < b.created_at; }));
    CHECK(editor.queue("accepted").empty());
    CHECK(editor.queue("all").size() == 193);
}

TEST_CASE("accepting a suggestion publishes a place and closes the suggestion", "[engine][editor][suggestions]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    const auto s = editor.suggest(garden_suggestion(), "192.0.2.1");

    const auto place = editor.accept(s.id, std::nullopt, "anna");
    CHECK(place.status == "published");
    CHECK(place.name == "Gemeinschaftsgarten Hechtviertel");
    CHECK(place.category == "garten");
    CHECK(place.stadtraum.has_value());
    CHECK(in_catalogue(f.engine, place.id));
    const auto history = editor.history(place.id);
    REQUIRE(history.size() == 1);
    CHECK(history[0].action == "create");
    CHECK(history[0].author == "anna");
    CHECK(history[0].note == "from suggestion " + s.id);

    const auto decided = editor.suggestion(s.id);
    REQUIRE(decided.has_value());
    CHECK(decided->status == "accepted");
    CHECK(decided->place_id == place.id);
    CHECK(decided->decided_by == "anna");
    CHECK_FALSE(decided->decided_at.empty());
    CHECK(decided->contact_email.empty());
    CHECK(editor.queue("accepted").size() == 1);
    CHECK(editor.queue("pending").size() == 191);

    CHECK_THROWS_AS(editor.accept(s.id, std::nullopt, "ben"), engine::ConflictError);
    CHECK_THROWS_AS(editor.reject(s.id, "zu spät", "ben"), engine::ConflictError);
    CHECK_THROWS_AS(editor.accept("no-such-id", std::nullopt, "ben"), engine::NotFoundError);

    SECTION("with the editor's completion") {
        const auto s2 = editor.suggest(garden_suggestion("Garten am Alaunpark"), "192.0.2.1");
        storage::Place completed;
        completed.name = "Gemeinschaftsgarten am Alaunpark";
        completed.category = "garten";
        completed.opening_hours = "Sa 10:00-14:00";
        completed.position = s2.position;
        const auto p = editor.accept(s2.id, completed, "anna");
        CHECK(p.name == "Gemeinschaftsgarten am Alaunpark");
        CHECK(p.opening_hours == "Sa 10:00-14:00");
        CHECK_FALSE(p.source.empty());
    }
}

TEST_CASE("rejecting a suggestion needs a reason and forgets the contact address", "[engine][editor][suggestions]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    const auto s = editor.suggest(garden_suggestion(), "192.0.2.1");
    CHECK_THROWS_AS(editor.reject(s.id, "", "anna"), engine::ValidationError);
    CHECK_THROWS_AS(editor.reject(s.id, " \n\t", "anna"), engine::ValidationError);
    CHECK_THROWS_AS(editor.reject(s.id, std::string(1001, 'x'), "anna"), engine::ValidationError);
    CHECK(editor.suggestion(s.id)->status == "pending");

    editor.reject(s.id, "Den Garten gibt es schon (Eintrag 42).", "anna");
    const auto decided = editor.suggestion(s.id);
    REQUIRE(decided.has_value());
    CHECK(decided->status == "rejected");
    CHECK(decided->reason == "Den Garten gibt es schon (Eintrag 42).");
    CHECK(decided->contact_email.empty());
    CHECK(decided->decided_by == "anna");
    CHECK(decided->place_id.empty());
    CHECK_THROWS_AS(editor.accept(s.id, std::nullopt, "anna"), engine::ConflictError);
    CHECK(editor.queue("rejected").size() == 1);
}

TEST_CASE("a candidate place is published when accepted and archived when rejected", "[engine][editor][suggestions]") {
    test::SeededEngine f;
    Editor editor(f.engine);
    const auto candidates = f.engine.store().places("suggested");
    REQUIRE(candidates.size() >= 2);
    const auto& first = candidates[0];
    const auto& second = candidates[1];
    CHECK_FALSE(in_catalogue(f.engine, first.id));

    const auto published = editor.accept(first.id, std::nullopt, "anna");
    CHECK(published.id == first.id);
    CHECK(published.status == "published");
    CHECK(published.version == first.version + 1);
    CHECK(in_catalogue(f.engine, first.id));
    auto history = editor.history(first.id);
    REQUIRE_FALSE(history.empty());
    CHECK(history.back().action == "publish");
    CHECK_THROWS_AS(editor.accept(first.id, std::nullopt, "anna"), engine::ConflictError);

    editor.reject(second.id, "Existiert nicht mehr", "anna");
    const auto archived = editor.place(second.id);
    REQUIRE(archived.has_value());
    CHECK(archived->status == "archived");
    CHECK_FALSE(in_catalogue(f.engine, second.id));
    history = editor.history(second.id);
    REQUIRE_FALSE(history.empty());
    CHECK(history.back().action == "archive");
    CHECK(history.back().note == "rejected: Existiert nicht mehr");
    CHECK(editor.queue("pending").size() == 189);
}
