// detail::RtreeBuilder (storage/src): the R*Tree of a bulk load built on a thread of its own.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "rtree_builder.hpp"
#include "sqlite_handles.hpp"

using lernorte::storage::detail::DatabaseImage;
using lernorte::storage::detail::DbPtr;
using lernorte::storage::detail::RtreeBuilder;

namespace {

// Opens the image as a database of its own and answers one query with one value.
std::string ask(DatabaseImage& image, const std::string& sql) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
    DbPtr db(raw);
    REQUIRE(sqlite3_deserialize(db.get(), "main", image.data.release(), image.size, image.size,
                                SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
}

double twice(double v) { return 2 * v; }

}  // namespace

TEST_CASE("RtreeBuilder builds the tree it is told, replacements and alignment included", "[storage][rtree]") {
    RtreeBuilder builder("idx_test", &twice);
    constexpr int n = 10000;  // several batches for the thread
    for (int i = 1; i <= n; ++i) {
        const double x = 13.6 + (i % 100) * 0.003;
        const double y = 50.95 + (i / 100) * 0.002;
        builder.add({i, x, x, y, y, false, false});
    }
    builder.add({7, 1.0, 1.0, 2.0, 2.0, true, true});  // replaces entry 7, bounds doubled on the thread
    DatabaseImage image = builder.finish();
    REQUIRE(image.data != nullptr);
    CHECK(ask(image, "SELECT count(*) || ' ' || (SELECT rtreecheck('idx_test')) || ' ' || "
                     "(SELECT xmin || ',' || ymax FROM idx_test WHERE pkid = 7) FROM idx_test") ==
          std::to_string(n) + " ok 2.0,4.0");
}

TEST_CASE("RtreeBuilder reports a refused entry at finish, and can be dropped unfinished", "[storage][rtree]") {
    {
        RtreeBuilder builder("idx_test");
        builder.add({1, 13.7, 13.7, 51.0, 51.0, false, false});
        builder.add({2, 14.0, 13.0, 51.0, 51.0, false, false});  // xmin > xmax: the module refuses it
        CHECK_THROWS_WITH(builder.finish(), Catch::Contains("spatial index build"));
    }
    {
        RtreeBuilder unfinished("idx_test");
        unfinished.add({1, 13.7, 13.7, 51.0, 51.0, false, false});
    }  // the destructor stops the thread without waiting for more entries
    SUCCEED("no hang");
}
