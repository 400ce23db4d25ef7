// detail::RtreeBuilder (storage/src): the R*Tree of a bulk load, written packed on a thread of
// its own; and detail::MemoryDbWorker, the thread with a private database it runs on.

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "memory_db_worker.hpp"
#include "rtree_builder.hpp"
#include "sqlite_handles.hpp"

using lernorte::storage::detail::DatabaseImage;
using lernorte::storage::detail::DbPtr;
using lernorte::storage::detail::MemoryDbWorker;
using lernorte::storage::detail::RtreeBuilder;

namespace {

/// The image opened as a database of its own.
class ImageDb {
public:
    explicit ImageDb(DatabaseImage image) {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
        m_db.reset(raw);
        REQUIRE(sqlite3_deserialize(m_db.get(), "main", image.data.release(), image.size, image.size,
                                    SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) == SQLITE_OK);
    }
    /// The first column of the first row as text ("" for none).
    std::string ask(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(m_db.get(), sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
        return out;
    }
    sqlite3* db() { return m_db.get(); }

private:
    DbPtr m_db;
};

double twice(double v) { return 2 * v; }

}  // namespace

TEST_CASE("RtreeBuilder builds the tree it is told, replacements and alignment included", "[storage][rtree]") {
    RtreeBuilder builder("idx_test", 1228, &twice);
    constexpr int n = 10000;  // several batches for the thread, a tree three levels deep
    for (int i = 1; i <= n; ++i) {
        const double x = 13.6 + (i % 100) * 0.003;
        const double y = 50.95 + (i / 100) * 0.002;
        builder.add({i, x, x, y, y, false, false});
    }
    builder.add({7, 1.0, 1.0, 2.0, 2.0, true, true});  // replaces entry 7, bounds doubled on the thread
    builder.add({n + 5, 3.0, 3.0, 4.0, 4.0, true, false});  // a replacement of nothing is an insert
    ImageDb image(builder.finish());
    CHECK(image.ask("SELECT count(*) || ' ' || (SELECT rtreecheck('idx_test')) || ' ' || "
                    "(SELECT xmin || ',' || ymax FROM idx_test WHERE pkid = 7) FROM idx_test") ==
          std::to_string(n + 1) + " ok 2.0,4.0");
    CHECK(image.ask("SELECT pkid FROM idx_test WHERE xmin >= 2.9 AND xmax <= 3.1") == std::to_string(n + 5));
    // Packed: every node but the root at least half full, so fewer nodes than grown one by one.
    const int leaves = std::stoi(image.ask("SELECT count(DISTINCT nodeno) FROM idx_test_rowid"));
    CHECK(leaves <= (n + 1) / 25 + 1);
    CHECK(image.ask("SELECT length(data) FROM idx_test_node WHERE nodeno = 1") == "1228");
}

TEST_CASE("a packed tree answers every window query as one grown by the rtree module", "[storage][rtree]") {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> lon(13.58, 13.97);
    std::uniform_real_distribution<double> lat(50.97, 51.18);
    std::uniform_real_distribution<double> size(0.0, 0.002);
    RtreeBuilder builder("idx_test", 1228);
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
    DbPtr grown(raw);
    REQUIRE(sqlite3_exec(grown.get(), "CREATE VIRTUAL TABLE idx_test USING rtree(pkid, xmin, xmax, ymin, ymax); BEGIN",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    REQUIRE(sqlite3_prepare_v2(grown.get(), "INSERT INTO idx_test VALUES (?1, ?2, ?3, ?4, ?5)", -1, &insert, nullptr) ==
            SQLITE_OK);
    constexpr int n = 20000;
    for (int i = 1; i <= n; ++i) {
        // Points, boxes, a few far away and a few negative ids (rowids may be negative).
        const double x = i % 997 == 0 ? -170.0 + i * 1e-3 : lon(rng);
        const double y = lat(rng);
        const double w = i % 3 == 0 ? size(rng) : 0.0;
        const std::int64_t id = i % 1000 == 0 ? -i : i;
        builder.add({id, x, x + w, y, y + w, false, false});
        sqlite3_bind_int64(insert, 1, id);
        sqlite3_bind_double(insert, 2, x);
        sqlite3_bind_double(insert, 3, x + w);
        sqlite3_bind_double(insert, 4, y);
        sqlite3_bind_double(insert, 5, y + w);
        REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    REQUIRE(sqlite3_exec(grown.get(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    ImageDb packed(builder.finish());
    CHECK(packed.ask("SELECT rtreecheck('idx_test')") == "ok");

    const auto answer = [](sqlite3* db, const std::string& where) {
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, ("SELECT group_concat(pkid || ':' || xmin || ':' || xmax || ':' || ymin || ':' || "
                                        "ymax) FROM (SELECT * FROM idx_test WHERE " + where + " ORDER BY pkid)").c_str(),
                                   -1, &st, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        std::string out = text != nullptr ? text : "";
        sqlite3_finalize(st);
        return out;
    };
    std::uniform_real_distribution<double> span(0.001, 0.1);
    for (int q = 0; q < 50; ++q) {
        const double x0 = lon(rng), y0 = lat(rng), w = span(rng), h = span(rng);
        const std::string where = "xmax >= " + std::to_string(x0) + " AND xmin <= " + std::to_string(x0 + w) +
                                  " AND ymax >= " + std::to_string(y0) + " AND ymin <= " + std::to_string(y0 + h);
        INFO(where);
        CHECK(answer(packed.db(), where) == answer(grown.get(), where));
    }
    CHECK(answer(packed.db(), "xmin < 0") == answer(grown.get(), "xmin < 0"));
    CHECK(answer(packed.db(), "1") == answer(grown.get(), "1"));  // the same entries, bit for bit
}

TEST_CASE("an empty RtreeBuilder gives an empty, sound tree", "[storage][rtree]") {
    RtreeBuilder builder("idx_test", 1228);
    ImageDb image(builder.finish());
    CHECK(image.ask("SELECT count(*) || ' ' || rtreecheck('idx_test') FROM idx_test") == "0 ok");
}

TEST_CASE("RtreeBuilder reports refused entries at finish, and can be dropped unfinished", "[storage][rtree]") {
    SECTION("bounds out of order") {
        RtreeBuilder builder("idx_test", 1228);
        builder.add({1, 13.7, 13.7, 51.0, 51.0, false, false});
        builder.add({2, 14.0, 13.0, 51.0, 51.0, false, false});
        CHECK_THROWS_WITH(builder.finish(), Catch::Contains("spatial index build") && Catch::Contains("entry 2"));
    }
    SECTION("bounds that are not numbers") {
        RtreeBuilder builder("idx_test", 1228);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        builder.add({3, nan, nan, 51.0, 51.0, false, false});
        CHECK_THROWS_WITH(builder.finish(), Catch::Contains("not numbers"));
    }
    SECTION("an id twice without replace, as the module's INSERT refuses it") {
        RtreeBuilder builder("idx_test", 1228);
        builder.add({5, 13.7, 13.7, 51.0, 51.0, false, false});
        builder.add({5, 13.8, 13.8, 51.0, 51.0, false, false});
        CHECK_THROWS_WITH(builder.finish(), Catch::Contains("entry 5 given twice"));
    }
    SECTION("a node size the module would not make") {
        RtreeBuilder builder("idx_test", 1000);
        builder.add({1, 13.7, 13.7, 51.0, 51.0, false, false});
        CHECK_THROWS_WITH(builder.finish(), Catch::Contains("nodes of 1000 bytes"));
    }
    SECTION("dropped unfinished") {
        {
            RtreeBuilder unfinished("idx_test", 1228);
            for (int i = 1; i <= 10000; ++i) unfinished.add({i, 13.7, 13.7, 51.0, 51.0, false, false});
        }  // the destructor stops the thread without the tree
        SUCCEED("no hang");
    }
}

TEST_CASE("smaller pages give smaller nodes, and the builder follows", "[storage][rtree]") {
    // A file with 1 KiB pages has 960-byte nodes: 39 cells.
    RtreeBuilder builder("idx_test", 960);
    for (int i = 1; i <= 500; ++i) builder.add({i, 13.0 + i * 1e-3, 13.0 + i * 1e-3, 51.0, 51.0, false, false});
    ImageDb image(builder.finish());
    CHECK(image.ask("SELECT rtreecheck('idx_test')") == "ok");
    CHECK(image.ask("SELECT min(length(data)) || ' ' || max(length(data)) FROM idx_test_node") == "960 960");
}

TEST_CASE("the module's float rounding: stored bounds never shrink the box", "[storage][rtree]") {
    using lernorte::storage::detail::rtree_round_down;
    using lernorte::storage::detail::rtree_round_up;
    for (const double v : {13.7372841234567, -13.7372841234567, 51.05, 0.1, -0.1, 0.0, 1e-30, 180.0}) {
        CHECK(static_cast<double>(rtree_round_down(v)) <= v);
        CHECK(static_cast<double>(rtree_round_up(v)) >= v);
    }
    CHECK(rtree_round_down(0.5) == 0.5f);  // exact in float32: unchanged
    CHECK(rtree_round_up(0.5) == 0.5f);
}

TEST_CASE("MemoryDbWorker runs tasks in order on one database and reports the first failure", "[storage][worker]") {
    SECTION("in order, into one database, serialized at the end") {
        MemoryDbWorker worker("test build");
        worker.post([](sqlite3* db) { MemoryDbWorker::exec(db, "CREATE TABLE t (v)"); });
        for (int i = 0; i < 100; ++i) {
            worker.post([i](sqlite3* db) { MemoryDbWorker::exec(db, "INSERT INTO t VALUES (" + std::to_string(i) + ")"); });
        }
        ImageDb image(worker.finish());
        CHECK(image.ask("SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY rowid) WHERE v IN (0, 1, 99)") == "0,1,99");
        CHECK(image.ask("SELECT count(*) FROM t") == "100");
    }
    SECTION("a failed task: the rest is skipped, finish names the work and says why") {
        MemoryDbWorker worker("test build");
        bool ran_after = false;
        worker.post([](sqlite3* db) { MemoryDbWorker::exec(db, "INSERT INTO missing VALUES (1)"); });
        worker.post([&ran_after](sqlite3*) { ran_after = true; });
        CHECK_THROWS_WITH(worker.finish(), Catch::Contains("test build") && Catch::Contains("no such table: missing"));
        CHECK_FALSE(ran_after);
    }
    SECTION("an SQL identifier quoted") {
        CHECK(MemoryDbWorker::quoted("a\"b") == "\"a\"\"b\"");
    }
    SECTION("dropped with tasks queued") {
        {
            MemoryDbWorker worker("test build");
            for (int i = 0; i < 1000; ++i) worker.post([](sqlite3* db) { MemoryDbWorker::exec(db, "SELECT 1"); });
        }
        SUCCEED("no hang");
    }
}
