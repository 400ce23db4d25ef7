// Owners of SQLite's C handles, shared by the store and the R*Tree builder (storage/src only).
#pragma once

#include <memory>

#include <sqlite3.h>

namespace lernorte::storage::detail {

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

}  // namespace lernorte::storage::detail
