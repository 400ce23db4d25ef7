// detail::SearchIndexBuilder (storage/src): the FTS5 index of a bulk load, built on a thread
// of its own from the same statements the store runs.

#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <lernorte/storage/model.hpp>

#include "search_index_builder.hpp"
#include "sqlite_handles.hpp"

using lernorte::storage::Place;
using lernorte::storage::detail::DatabaseImage;
using lernorte::storage::detail::DbPtr;
using lernorte::storage::detail::SearchIndexBuilder;

namespace {

const std::string create_sql =
    "CREATE VIRTUAL TABLE places_fts USING fts5(document, content = '', tokenize = 'unicode61 remove_diacritics 2')";

class Db {
public:
    Db() {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
        m_db.reset(raw);
    }
    explicit Db(DatabaseImage image) : Db() {
        REQUIRE(sqlite3_deserialize(m_db.get(), "main", image.data.release(), image.size, image.size,
                                    SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) == SQLITE_OK);
    }
    void exec(const std::string& sql) {
        INFO(sql);
        REQUIRE(sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    /// Every row, columns joined with ':', rows with '|'.
    std::string rows(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        INFO(sql);
        REQUIRE(sqlite3_prepare_v2(m_db.get(), sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
        std::string out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (!out.empty()) out += '|';
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                if (c > 0) out += ':';
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
                out += text != nullptr ? text : "NULL";
            }
        }
        sqlite3_finalize(st);
        return out;
    }
    /// Every indexed term with its document and position.
    std::string vocabulary() {
        exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, places_fts, 'instance')");
        return rows("SELECT term, doc, \"offset\" FROM temp.terms ORDER BY term, doc, \"offset\"");
    }

private:
    DbPtr m_db;
};

std::string document_of(const Place& p) { return p.name + " " + p.description; }

}  // namespace

TEST_CASE("SearchIndexBuilder indexes what the same statements index in the real table", "[storage][fts]") {
    SearchIndexBuilder builder("places_fts", create_sql, {}, &document_of);
    Db direct;
    direct.exec(create_sql);
    const auto both = [&](std::int64_t rowid, const std::string& document, const std::string* old_document) {
        builder.add({rowid, document, old_document ? std::optional<std::string>(*old_document) : std::nullopt});
        if (old_document) {
            direct.exec("INSERT INTO places_fts (places_fts, rowid, document) VALUES ('delete', " + std::to_string(rowid) +
                        ", '" + *old_document + "')");
        }
        direct.exec("INSERT INTO places_fts (rowid, document) VALUES (" + std::to_string(rowid) + ", '" + document + "')");
    };
    for (int i = 1; i <= 5000; ++i) {  // several batches for the thread
        both(i, "ort " + std::to_string(i) + (i % 2 == 0 ? " werkstatt garten" : " bibliothek"), nullptr);
    }
    const std::string old_text = "ort 7 bibliothek";
    both(7, "ort 7 toepferei", &old_text);  // an update: the old words leave

    Db built(builder.finish());
    CHECK(built.vocabulary() == direct.vocabulary());
    CHECK(built.rows("SELECT count(*) FROM places_fts_docsize") == "5000");
    CHECK(built.rows("SELECT rowid FROM places_fts WHERE places_fts MATCH 'toepferei'") == "7");
    CHECK(built.rows("SELECT count(*) FROM places_fts WHERE places_fts MATCH 'bibliothek'") == "2499");
    built.exec("INSERT INTO places_fts (places_fts) VALUES ('integrity-check')");
}

TEST_CASE("SearchIndexBuilder makes documents of written places on its thread, in order", "[storage][fts]") {
    static std::thread::id made_on;
    const auto document = [](const Place& p) {
        made_on = std::this_thread::get_id();
        return p.name;
    };
    SearchIndexBuilder builder("places_fts", create_sql, {}, +document);
    builder.add({1, "erster ort", std::nullopt});
    std::vector<Place> places(3);
    places[0].name = "zweiter ort";
    places[1].name = "nicht geschrieben";  // unchanged rows have no entry in `written`
    places[2].name = "erster platz";      // replaces rowid 1's document
    builder.add_places(std::move(places), {{0, 2, std::nullopt}, {2, 1, std::string("erster ort")}});
    builder.add({3, "dritter ort", std::nullopt});  // after the places, as given
    Db built(builder.finish());
    CHECK(made_on != std::this_thread::get_id());
    CHECK(built.rows("SELECT rowid FROM places_fts WHERE places_fts MATCH 'ort' ORDER BY rowid") == "2|3");
    CHECK(built.rows("SELECT rowid FROM places_fts WHERE places_fts MATCH 'platz'") == "1");
    CHECK(built.rows("SELECT count(*) FROM places_fts WHERE places_fts MATCH 'geschrieben'") == "0");
}

TEST_CASE("SearchIndexBuilder applies the real index's settings and keeps its own out of them", "[storage][fts]") {
    SECTION("the caller's settings; a large memory budget of its own") {
        SearchIndexBuilder builder("places_fts", create_sql, {{"pgsz", "1000"}, {"automerge", "2"}}, &document_of);
        for (int i = 1; i <= 3000; ++i) builder.add({i, "wort" + std::to_string(i) + " gemeinsam", std::nullopt});
        Db built(builder.finish());
        CHECK(built.rows("SELECT k, v FROM places_fts_config ORDER BY k") ==
              "automerge:2|hashsize:67108864|pgsz:1000|version:4");
        // Everything in one segment: nothing was written out before the end.
        CHECK(built.rows("SELECT count(DISTINCT segid) FROM places_fts_idx") == "1");
        CHECK(built.rows("SELECT max(length(block)) <= 1100 FROM places_fts_data WHERE id > 10") == "1");
    }
    SECTION("a memory budget the real index sets is kept") {
        SearchIndexBuilder builder("places_fts", create_sql, {{"hashsize", "1000"}}, &document_of);
        for (int i = 1; i <= 3000; ++i) builder.add({i, "wort" + std::to_string(i), std::nullopt});
        Db built(builder.finish());
        CHECK(built.rows("SELECT v FROM places_fts_config WHERE k = 'hashsize'") == "1000");
        CHECK(std::stoi(built.rows("SELECT count(DISTINCT segid) FROM places_fts_idx")) > 1);
    }
}

TEST_CASE("SearchIndexBuilder reports what SQLite refused, and can be dropped unfinished", "[storage][fts]") {
    SECTION("a statement SQLite refuses") {
        SearchIndexBuilder builder("places_fts", "CREATE VIRTUAL TABLE places_fts USING fts5(document, tokenize = 'nonesuch')",
                                   {}, &document_of);
        builder.add({1, "ort", std::nullopt});
        CHECK_THROWS_WITH(builder.finish(), Catch::Contains("search index build"));
    }
    SECTION("a setting FTS5 does not know") {
        SearchIndexBuilder builder("places_fts", create_sql, {{"no-such-setting", "1"}}, &document_of);
        CHECK_THROWS_WITH(builder.finish(), Catch::Contains("setting no-such-setting"));
    }
    SECTION("dropped unfinished") {
        {
            SearchIndexBuilder builder("places_fts", create_sql, {}, &document_of);
            for (int i = 1; i <= 5000; ++i) builder.add({i, "ort", std::nullopt});
        }
        SUCCEED("no hang");
    }
}
