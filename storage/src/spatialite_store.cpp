// The SpatiaLite implementation of Store: one SQLite connection per store, SpatiaLite loaded
// through its C API, schema managed by numbered migrations.

#include <lernorte/storage/store.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <future>
#include <mutex>
#include <span>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

// spatialite.h uses sqlite3 types without including sqlite3.h.
#include <sqlite3.h>
#include <spatialite.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <lernorte/storage/detail/json_array.hpp>
#include <lernorte/storage/detail/migrations.hpp>
#include <lernorte/storage/detail/place_json.hpp>
#include <lernorte/storage/detail/wkb.hpp>
#include <lernorte/storage/text.hpp>

#include "rtree_builder.hpp"
#include "search_index_builder.hpp"
#include "sqlite_handles.hpp"

namespace lernorte::storage {
namespace {

constexpr int schema_version_current = 5;

// ---------------------------------------------------------------------------------------------
// Owned C handles. Destruction order matters: statements, then the connection, then the
// SpatiaLite cache (spatialite_cleanup_ex must run after sqlite3_close).

using detail::DbPtr;
using detail::StmtPtr;
struct SpatialiteCacheCleanup {
    void operator()(void* cache) const noexcept { spatialite_cleanup_ex(cache); }
};
using SpatialiteCachePtr = std::unique_ptr<void, SpatialiteCacheCleanup>;

// SQLite counts every allocation under a global mutex unless told not to, before it is
// initialised; nothing here reads those counts. Runs at load time, before main() and so
// before GDAL or PROJ open a database (once SQLite is initialised, sqlite3_config refuses,
// harmlessly).
const bool sqlite_configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
}();

void spatialite_global_init() {
    // The library wants this once per process before any connection is initialised.
    static const bool done = [] {
        spatialite_initialize();
        return true;
    }();
    (void)done;
}

/// One SQLite connection with SpatiaLite, its statement cache and the lock that serialises
/// every use of it. Shared by the store and its open transaction, so a transaction that
/// outlives its store still talks to a live connection.
class Connection {
public:
    explicit Connection(std::string path) : m_path(std::move(path)) {
        spatialite_global_init();
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(m_path.c_str(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                       nullptr);
        m_db.reset(raw);  // sqlite3_open_v2 hands out a handle even on failure
        if (rc != SQLITE_OK) {
            throw StoreError(m_path + ": cannot open SQLite database: " +
                             (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
        }
        sqlite3_extended_result_codes(m_db.get(), 1);
        m_cache.reset(spatialite_alloc_connection());
        if (!m_cache) throw StoreError(m_path + ": cannot allocate a SpatiaLite connection cache");
        spatialite_init_ex(m_db.get(), m_cache.get(), 0);
        sqlite3_busy_timeout(m_db.get(), 5000);

        // For a new file only (an existing one keeps its page size): 16 KiB pages. An import
        // writes every page twice (to the WAL, then into the file): four times fewer pages
        // mean four times fewer writes, each of them larger, and a read model loaded from
        // fewer, fuller pages.
        exec("PRAGMA page_size=16384");
        // The first statement that reads the file tells whether it is a database at all.
        try {
            exec("PRAGMA journal_mode=WAL");
        } catch (const StoreError&) {
            throw StoreError(m_path + ": not a usable SQLite database: " + sqlite3_errmsg(m_db.get()));
        }
        exec("PRAGMA foreign_keys=ON");
        // FULL: a commit is on disk before it is acknowledged, even if the machine loses
        // power (NORMAL in WAL mode keeps it only across a crash of this process).
        exec("PRAGMA synchronous=FULL");
        // An import touches far more pages than the 2 MB default cache; spilling them to the
        // WAL in the middle of the transaction costs writes that the commit repeats.
        exec("PRAGMA cache_size=-65536");
    }

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    [[nodiscard]] sqlite3* db() const noexcept { return m_db.get(); }
    [[nodiscard]] const std::string& path() const noexcept { return m_path; }
    [[nodiscard]] std::recursive_mutex& mutex() noexcept { return m_mutex; }

    /// Runs SQL without results (may be several statements).
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err != nullptr ? err : sqlite3_errmsg(m_db.get());
            sqlite3_free(err);
            throw StoreError(m_path + ": " + msg + " [SQL: " + sql + "]");
        }
    }

    /// A cached prepared statement for sql, or nullptr if the cached one is in use (a caller
    /// up the stack is still stepping through it).
    sqlite3_stmt* cached(const std::string& sql) {
        // Most SQL lives in static strings: found by its address, confirmed by its text, a
        // statement is not looked up by hashing a few hundred characters on every row.
        sqlite3_stmt* stmt = nullptr;
        const auto known = m_by_address.find(&sql);
        if (known != m_by_address.end() && known->second.first == sql) {
            stmt = known->second.second;
        } else {
            auto it = m_statements.find(sql);
            if (it == m_statements.end()) it = m_statements.emplace(sql, prepare(sql)).first;
            stmt = it->second.get();
            m_by_address[&sql] = {sql, stmt};
        }
        return sqlite3_stmt_busy(stmt) != 0 ? nullptr : stmt;
    }

    StmtPtr prepare(const std::string& sql) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v3(m_db.get(), sql.c_str(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
            throw StoreError(m_path + ": cannot prepare: " + sqlite3_errmsg(m_db.get()) +
                             " [SQL: " + sql + "]");
        }
        return StmtPtr(raw);
    }

private:
    std::string m_path;
    SpatialiteCachePtr m_cache;  // declared first: destroyed after the connection
    DbPtr m_db;
    std::unordered_map<std::string, StmtPtr> m_statements;  // destroyed before the connection
    // The same statements by the address of the caller's SQL string, with its text to confirm.
    std::unordered_map<const std::string*, std::pair<std::string, sqlite3_stmt*>> m_by_address;
    std::recursive_mutex m_mutex;
};

/// One use of a prepared statement: binds, steps, reads columns, and resets the statement
/// when done so the cache can hand it out again.
class Statement {
public:
    Statement(Connection& conn, const std::string& sql) : m_conn(conn), m_sql(sql) {
        m_stmt = conn.cached(sql);
        if (m_stmt == nullptr) {
            m_owned = conn.prepare(sql);
            m_stmt = m_owned.get();
        }
    }
    // The statement keeps a reference to its SQL for error messages.
    Statement(Connection&, std::string&&) = delete;
    ~Statement() {
        if (!m_owned) {
            sqlite3_reset(m_stmt);
            sqlite3_clear_bindings(m_stmt);
        }
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, std::string_view v) {
        return check_bind(sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    /// Text that outlives this use of the statement (the bindings are cleared when it ends):
    /// SQLite reads it in place instead of copying it.
    Statement& bind_lasting(int i, const std::string& v) {
        return check_bind(sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
    }
    Statement& bind_lasting_or_null(int i, const std::string& v) { return v.empty() ? bind_null(i) : bind_lasting(i, v); }
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, std::int64_t v) { return check_bind(sqlite3_bind_int64(m_stmt, i, v)); }
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v) { return check_bind(sqlite3_bind_double(m_stmt, i, v)); }
    Statement& bind_null(int i) { return check_bind(sqlite3_bind_null(m_stmt, i)); }
    Statement& bind_blob(int i, std::span<const unsigned char> v) {
        return check_bind(sqlite3_bind_blob(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    /// Empty text is stored as NULL: absent, for anyone reading the file with SQL.
    Statement& bind_text_or_null(int i, std::string_view v) { return v.empty() ? bind_null(i) : bind(i, v); }
    template <class T>
    Statement& bind_optional(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }

    /// Steps once: true if a row is available.
    bool step() {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw StoreError(m_conn.path() + ": " + sqlite3_errmsg(m_conn.db()) + " [SQL: " + m_sql + "]");
    }
    /// Runs a statement that returns no rows.
    void run() {
        while (step()) {
        }
    }

    [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    [[nodiscard]] int type(int col) const { return sqlite3_column_type(m_stmt, col); }
    [[nodiscard]] std::string text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
        return p != nullptr ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
                            : std::string();
    }
    [[nodiscard]] std::int64_t int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    [[nodiscard]] int int32(int col) const { return sqlite3_column_int(m_stmt, col); }
    [[nodiscard]] double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    [[nodiscard]] std::span<const unsigned char> blob(int col) const {
        const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(m_stmt, col));
        return {p, p != nullptr ? static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)) : 0u};
    }
    [[nodiscard]] std::optional<std::string> optional_text(int col) const {
        return is_null(col) ? std::nullopt : std::optional<std::string>(text(col));
    }
    [[nodiscard]] std::optional<int> optional_int(int col) const {
        return is_null(col) ? std::nullopt : std::optional<int>(int32(col));
    }

    [[nodiscard]] const std::string& sql() const noexcept { return m_sql; }

private:
    Statement& check_bind(int rc) {
        if (rc != SQLITE_OK) {
            throw StoreError(m_conn.path() + ": cannot bind: " + sqlite3_errstr(rc) + " [SQL: " + m_sql + "]");
        }
        return *this;
    }

    Connection& m_conn;
    const std::string& m_sql;
    sqlite3_stmt* m_stmt = nullptr;
    StmtPtr m_owned;
};

std::int64_t query_int(Connection& conn, const std::string& sql) {
    Statement st(conn, sql);
    if (!st.step()) throw StoreError(conn.path() + ": no result [SQL: " + sql + "]");
    return st.int64(0);
}

bool table_exists(Connection& conn, const std::string& name) {
    static const std::string sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1";
    Statement st(conn, sql);
    st.bind(1, name);
    return st.step() && st.int64(0) > 0;
}

/// SpatiaLite's management functions report failure as 0, not as an SQL error.
void spatialite_call(Connection& conn, const std::string& sql) {
    if (query_int(conn, sql) != 1) {
        throw StoreError(conn.path() + ": SpatiaLite refused [SQL: " + sql + "]");
    }
}

// ---------------------------------------------------------------------------------------------
// Migrations. Append new steps; never edit one that has shipped.

void migrate_1(Connection& conn) {
    if (!table_exists(conn, "spatial_ref_sys")) {
        // Without the argument it joins our transaction instead of opening its own, so the
        // step stays atomic.
        spatialite_call(conn, "SELECT InitSpatialMetadata()");
    }
    conn.exec(R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
INSERT INTO meta (key, value) VALUES ('catalogue_version', 0);

CREATE TABLE stadtraeume (
    nr INTEGER PRIMARY KEY CHECK (nr > 0),
    name TEXT NOT NULL,
    short_name TEXT,
    area_km2 REAL,
    population INTEGER,
    foreign_pct REAL,
    single_parent_households INTEGER,
    member_districts TEXT,
    source TEXT,
    license TEXT
);

CREATE TABLE city_outline (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    source TEXT,
    license TEXT
);

CREATE TABLE places (
    id TEXT PRIMARY KEY,
    dataset TEXT NOT NULL DEFAULT '',
    source_id TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL CHECK (length(name) > 0),
    description TEXT,
    category TEXT NOT NULL,
    tags TEXT,
    street TEXT,
    postcode TEXT,
    city TEXT,
    website TEXT,
    phone TEXT,
    email TEXT,
    opening_hours TEXT,
    target_groups TEXT,
    languages TEXT,
    free INTEGER CHECK (free IS NULL OR free IN (0, 1)),
    wheelchair TEXT NOT NULL,
    orte100 INTEGER,
    abc_letter TEXT,
    stadtraum INTEGER,
    source TEXT,
    license TEXT,
    status TEXT NOT NULL CHECK (status IN ('published', 'suggested', 'archived')),
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX places_dataset_source_id ON places (dataset, source_id) WHERE source_id <> '';
CREATE INDEX places_category ON places (category);
CREATE INDEX places_status ON places (status);
CREATE INDEX places_stadtraum ON places (stadtraum);

CREATE VIRTUAL TABLE places_fts USING fts5(id UNINDEXED, document, tokenize = 'unicode61 remove_diacritics 2');
-- (replaced by a contentless index in migration 4)
)sql");
    spatialite_call(conn, "SELECT AddGeometryColumn('stadtraeume', 'geom', 4326, 'MULTIPOLYGON', 'XY')");
    spatialite_call(conn, "SELECT CreateSpatialIndex('stadtraeume', 'geom')");
    spatialite_call(conn, "SELECT AddGeometryColumn('city_outline', 'geom', 4326, 'MULTIPOLYGON', 'XY')");
    spatialite_call(conn, "SELECT CreateSpatialIndex('city_outline', 'geom')");
    spatialite_call(conn, "SELECT AddGeometryColumn('places', 'geom', 4326, 'POINT', 'XY', 1)");
    spatialite_call(conn, "SELECT CreateSpatialIndex('places', 'geom')");
}

// Room for the next issues: accounts, history, citizens' suggestions.
void migrate_2(Connection& conn) {
    conn.exec(R"sql(
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'planner')),
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT
);
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    place_id TEXT NOT NULL REFERENCES places (id),
    version INTEGER,
    author TEXT,
    created_at TEXT,
    change TEXT,
    previous TEXT
);
CREATE INDEX revisions_place_id ON revisions (place_id);
CREATE TABLE suggestions (
    id TEXT PRIMARY KEY,
    status TEXT,
    payload TEXT,
    contact_email TEXT,
    created_at TEXT,
    decided_at TEXT,
    decided_by TEXT,
    reason TEXT
);
)sql");
}

// Accounts' sessions, and what the editor issue needs in revisions and suggestions.
void migrate_3(Connection& conn) {
    conn.exec(R"sql(
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
ALTER TABLE revisions ADD COLUMN action TEXT;
ALTER TABLE revisions ADD COLUMN state TEXT;
ALTER TABLE suggestions ADD COLUMN place_id TEXT;
CREATE INDEX suggestions_status ON suggestions (status, created_at);
)sql");
}

// Schema 4: the search index keeps no copy of the documents (FTS5 contentless). The rows
// are in `places`; a second copy of every document cost a quarter of the file and of an
// import's writes. Searches join places by rowid. A contentless table forgets a document only
// when told its exact text, which the store recomputes from the stored place (see
// write_document), so place_document() must not change without a migration that rebuilds
// the index as this one does.
std::string place_document(const Place& p);
Place read_place(const Statement& st, int c);
extern const std::string place_columns;

constexpr const char* search_index_sql =
    "CREATE VIRTUAL TABLE places_fts USING fts5(document, content = '', tokenize = 'unicode61 remove_diacritics 2')";

void migrate_4(Connection& conn) {
    conn.exec("DROP TABLE places_fts");
    conn.exec(search_index_sql);
    static const std::string rows = "SELECT rowid, " + place_columns + " FROM places ORDER BY rowid";
    static const std::string insert = "INSERT INTO places_fts (rowid, document) VALUES (?1, ?2)";
    // Streamed: the rows are read while the index (another table) is written.
    Statement st(conn, rows);
    while (st.step()) Statement(conn, insert).bind(1, st.int64(0)).bind(2, place_document(read_place(st, 1))).run();
}

// Schema 5: no indexes on places.category and places.stadtraum. Every read of the catalogue is
// answered from the read model; no query of the store filters by either, and each cost every
// import a pass over the table and every write two more index entries. (places.status keeps
// its index: the editors' queue asks for the few suggested places among many.)
void migrate_5(Connection& conn) {
    conn.exec("DROP INDEX IF EXISTS places_category; DROP INDEX IF EXISTS places_stadtraum");
}

struct Migration {
    int version;
    void (*apply)(Connection&);
};
constexpr Migration migrations[] = {{1, migrate_1}, {2, migrate_2}, {3, migrate_3}, {4, migrate_4}, {5, migrate_5}};
static_assert(std::size(migrations) == schema_version_current);

int stored_schema_version(Connection& conn) {
    if (!table_exists(conn, "schema_version")) return 0;
    return static_cast<int>(query_int(conn, "SELECT coalesce(max(version), 0) FROM schema_version"));
}

void throw_if_too_new(const Connection& conn, int found, int supported) {
    if (found > supported) {
        throw SchemaTooNew(conn.path() + ": database schema version " + std::to_string(found) +
                           " is newer than this lernorte (supports up to " + std::to_string(supported) +
                           "); upgrade lernorte");
    }
}

void migrate(Connection& conn, int max_version) {
    throw_if_too_new(conn, stored_schema_version(conn), max_version);
    for (const Migration& m : migrations) {
        if (m.version > max_version) break;
        // Each step in its own write transaction; the version is re-read inside it, so two
        // processes opening a fresh file at once apply every step exactly once.
        conn.exec("BEGIN IMMEDIATE");
        try {
            const int have = stored_schema_version(conn);
            throw_if_too_new(conn, have, max_version);
            if (have >= m.version) {
                conn.exec("COMMIT");
                continue;
            }
            conn.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
            m.apply(conn);
            static const std::string record = "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)";
            Statement st(conn, record);
            st.bind(1, m.version).bind(2, now_rfc3339()).run();
            conn.exec("COMMIT");
        } catch (const SchemaTooNew&) {
            sqlite3_exec(conn.db(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        } catch (const std::exception& e) {
            sqlite3_exec(conn.db(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw StoreError("migration to schema version " + std::to_string(m.version) + " failed: " + e.what());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Places

// Column order shared by the SELECTs and read_place().
const std::string place_columns =
    "id, dataset, source_id, name, description, category, tags, street, postcode, city, website, phone, "
    "email, opening_hours, target_groups, languages, free, wheelchair, orte100, abc_letter, stadtraum, "
    "source, license, status, version, updated_at, ST_X(geom), ST_Y(geom)";

// Writes bind the data fields as ?1..?24 in this order; the position (?24) as the SpatiaLite
// BLOB that MakePoint(x, y, 4326) would make (detail::spatialite_point_blob; a test compares them).
const std::string place_insert_sql =
    "INSERT INTO places (dataset, source_id, name, description, category, tags, street, postcode, city, "
    "website, phone, email, opening_hours, target_groups, languages, free, wheelchair, orte100, abc_letter, "
    "stadtraum, source, license, status, geom, id, version, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, 1, ?26)";
const std::string place_update_sql =
    "UPDATE places SET dataset = ?1, source_id = ?2, name = ?3, description = ?4, category = ?5, tags = ?6, "
    "street = ?7, postcode = ?8, city = ?9, website = ?10, phone = ?11, email = ?12, opening_hours = ?13, "
    "target_groups = ?14, languages = ?15, free = ?16, wheelchair = ?17, orte100 = ?18, abc_letter = ?19, "
    "stadtraum = ?20, source = ?21, license = ?22, status = ?23, geom = ?24, "
    "version = version + 1, updated_at = ?25 WHERE rowid = ?26";

std::vector<std::string> read_list(const Statement& st, int col, const char* column, const std::string& id) {
    if (st.is_null(col)) return {};
    try {
        return detail::parse_json_string_array(st.text(col));
    } catch (const std::exception& e) {
        throw StoreError(std::string("places.") + column + " of place " + id + ": " + e.what());
    }
}

/// Reads place_columns starting at column `c`.
Place read_place(const Statement& st, int c) {
    Place p;
    p.id = st.text(c + 0);
    p.dataset = st.text(c + 1);
    p.source_id = st.text(c + 2);
    p.name = st.text(c + 3);
    p.description = st.text(c + 4);
    p.category = st.text(c + 5);
    p.tags = read_list(st, c + 6, "tags", p.id);
    p.address.street = st.text(c + 7);
    p.address.postcode = st.text(c + 8);
    p.address.city = st.text(c + 9);
    p.website = st.text(c + 10);
    p.phone = st.text(c + 11);
    p.email = st.text(c + 12);
    p.opening_hours = st.text(c + 13);
    p.target_groups = read_list(st, c + 14, "target_groups", p.id);
    p.languages = read_list(st, c + 15, "languages", p.id);
    if (!st.is_null(c + 16)) p.free = st.int64(c + 16) != 0;
    p.wheelchair = st.text(c + 17);
    p.orte100 = st.optional_int(c + 18);
    p.abc_letter = st.optional_text(c + 19);
    p.stadtraum = st.optional_int(c + 20);
    p.source = st.text(c + 21);
    p.license = st.text(c + 22);
    p.status = st.text(c + 23);
    p.version = st.int64(c + 24);
    p.updated_at = st.text(c + 25);
    p.position = geo::Point{st.real(c + 26), st.real(c + 27)};
    return p;
}

/// Binds a place's fields (parameters 1 to 24) for place_insert_sql or place_update_sql. The
/// place's text is read in place: it must stay unchanged until the statement has run.
void bind_place_fields(Statement& st, const Place& p) {
    st.bind_lasting(1, p.dataset)
        .bind_lasting(2, p.source_id)
        .bind_lasting(3, p.name)
        .bind_lasting_or_null(4, p.description)
        .bind_lasting(5, p.category)
        .bind(6, detail::write_json_string_array(p.tags))
        .bind_lasting_or_null(7, p.address.street)
        .bind_lasting_or_null(8, p.address.postcode)
        .bind_lasting_or_null(9, p.address.city)
        .bind_lasting_or_null(10, p.website)
        .bind_lasting_or_null(11, p.phone)
        .bind_lasting_or_null(12, p.email)
        .bind_lasting_or_null(13, p.opening_hours)
        .bind(14, detail::write_json_string_array(p.target_groups))
        .bind(15, detail::write_json_string_array(p.languages));
    if (p.free) {
        st.bind(16, *p.free ? 1 : 0);
    } else {
        st.bind_null(16);
    }
    st.bind_lasting(17, p.wheelchair)
        .bind_optional(18, p.orte100)
        .bind_optional(19, p.abc_letter)
        .bind_optional(20, p.stadtraum)
        .bind_lasting_or_null(21, p.source)
        .bind_lasting_or_null(22, p.license)
        .bind_lasting(23, p.status)
        .bind_blob(24, detail::spatialite_point_blob(p.position, 4326));
}

/// What the FTS5 table indexes for a place.
std::string place_document(const Place& p) {
    std::string text;
    text.reserve(p.name.size() + p.description.size() + 64);
    for (const std::string* part : {&p.name, &p.description, &p.address.street, &p.address.postcode, &p.address.city}) {
        text.append(*part).push_back(' ');
    }
    for (const std::string& tag : p.tags) text.append(tag).push_back(' ');
    return search_document(text);
}

/// Every stored field except the ones the store manages (id, version, updated_at).
bool same_data(const Place& input, const Place& stored) {
    Place a = input;
    a.id = stored.id;
    a.version = stored.version;
    a.updated_at = stored.updated_at;
    return a == stored;
}

// ---------------------------------------------------------------------------------------------
// Stadträume and outline

/// SpatiaLite geometry blob for a multipolygon (NULL for an empty one); SpatiaLite parses our
/// WKB once, here, so a geometry it rejects is an error instead of a silent NULL.
std::optional<std::vector<unsigned char>> to_spatialite_geometry(Connection& conn, const geo::MultiPolygon& mp,
                                                                  const std::string& what) {
    if (mp.empty()) return std::nullopt;
    static const std::string sql = "SELECT ST_Multi(GeomFromWKB(?1, 4326))";
    const std::vector<unsigned char> wkb = detail::write_wkb(mp);
    Statement st(conn, sql);
    st.bind_blob(1, wkb);
    if (!st.step() || st.is_null(0)) {
        throw StoreError(conn.path() + ": " + what + ": SpatiaLite rejected the geometry");
    }
    const auto blob = st.blob(0);
    return std::vector<unsigned char>(blob.begin(), blob.end());
}

void bind_geometry(Statement& st, int i, const std::optional<std::vector<unsigned char>>& g) {
    if (g) {
        st.bind_blob(i, *g);
    } else {
        st.bind_null(i);
    }
}

geo::MultiPolygon read_multipolygon(const Statement& st, int col, const std::string& what) {
    if (st.is_null(col)) return {};
    try {
        return detail::read_wkb_multipolygon(st.blob(col));
    } catch (const std::exception& e) {
        throw StoreError(what + ": " + e.what());
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts, history, suggestions

/// What a citizen proposed, as the JSON of suggestions.payload.
std::string suggestion_payload(const Suggestion& s) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    const auto put = [&](const char* key, const std::string& v) {
        w.Key(key);
        w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    };
    w.StartObject();
    put("name", s.name);
    put("category", s.category);
    put("description", s.description);
    put("website", s.website);
    w.Key("lon");
    w.Double(s.position.x);
    w.Key("lat");
    w.Double(s.position.y);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

void read_suggestion_payload(const std::string& json, Suggestion& s, const std::string& what) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) throw StoreError(what + ": payload is not a JSON object");
    const auto text = [&](const char* key) -> std::string {
        const auto it = d.FindMember(key);
        return it != d.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                          : std::string();
    };
    const auto number = [&](const char* key) {
        const auto it = d.FindMember(key);
        return it != d.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : 0.0;
    };
    s.name = text("name");
    s.category = text("category");
    s.description = text("description");
    s.website = text("website");
    s.position = geo::Point{number("lon"), number("lat")};
}

const std::string user_columns = "id, username, password_hash, role, disabled, created_at";

User read_user(const Statement& st, int c) {
    User u;
    u.id = st.int64(c);
    u.username = st.text(c + 1);
    u.password_hash = st.text(c + 2);
    u.role = st.text(c + 3);
    u.disabled = st.int64(c + 4) != 0;
    u.created_at = st.text(c + 5);
    return u;
}

std::optional<Place> read_state(const Statement& st, int col, const std::string& what) {
    if (st.is_null(col)) return std::nullopt;
    try {
        return detail::parse_place_json(st.text(col));
    } catch (const std::exception& e) {
        throw StoreError(what + ": " + e.what());
    }
}

const std::string suggestion_columns =
    "id, status, payload, contact_email, created_at, decided_at, decided_by, reason, place_id";

Suggestion read_suggestion(const Statement& st, const std::string& path) {
    Suggestion s;
    s.id = st.text(0);
    s.status = st.text(1);
    read_suggestion_payload(st.text(2), s, path + ": suggestion " + s.id);
    s.contact_email = st.text(3);
    s.created_at = st.text(4);
    s.decided_at = st.text(5);
    s.decided_by = st.text(6);
    s.reason = st.text(7);
    s.place_id = st.text(8);
    return s;
}

// ---------------------------------------------------------------------------------------------
/// A bound as SpatiaLite's RTreeAlign(), which the geometry triggers call, hands it to the
/// rtree module: printed into SQL with "%1.12f" by SQLite's printf, read back as a number.
double as_rtree_align_passes(double v) {
    char text[64];
    sqlite3_snprintf(static_cast<int>(sizeof text), text, "%1.12f", v);
    double out = v;
    std::from_chars(text, text + std::strlen(text), out);
    return out;
}

/// What write_row() did to one place's row.
struct RowWrite {
    UpsertOutcome outcome = UpsertOutcome::unchanged;
    std::int64_t rowid = 0;
    std::string old_document;  ///< for an update: the search document the row had before
};

class SpatialiteTransaction final : public Transaction {
public:
    explicit SpatialiteTransaction(std::shared_ptr<Connection> conn)
        : m_conn(std::move(conn)), m_lock(m_conn->mutex()) {
        m_conn->exec("BEGIN IMMEDIATE");
    }

    ~SpatialiteTransaction() override {
        if (!m_finished && sqlite3_get_autocommit(m_conn->db()) == 0) {
            sqlite3_exec(m_conn->db(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
        detach_built_indexes();
    }

    SpatialiteTransaction(const SpatialiteTransaction&) = delete;
    SpatialiteTransaction& operator=(const SpatialiteTransaction&) = delete;

    void replace_stadtraeume(const std::vector<Stadtraum>& areas) override {
        m_catalogue_writes = true;
        guarded("replace_stadtraeume", [&] {
            static const std::string bump_boundaries =
                "INSERT INTO meta (key, value) VALUES ('boundaries_version', 1) "
                "ON CONFLICT (key) DO UPDATE SET value = value + 1";
            Statement(*m_conn, bump_boundaries).run();
            static const std::string clear = "DELETE FROM stadtraeume";
            static const std::string insert =
                "INSERT INTO stadtraeume (nr, name, short_name, area_km2, population, foreign_pct, "
                "single_parent_households, member_districts, source, license, geom) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
            Statement(*m_conn, clear).run();
            for (const Stadtraum& s : areas) {
                const std::string what = "Stadtraum " + std::to_string(s.nr);
                const auto geom = to_spatialite_geometry(*m_conn, s.geometry, what);
                Statement st(*m_conn, insert);
                st.bind(1, s.nr)
                    .bind(2, s.name)
                    .bind_text_or_null(3, s.short_name)
                    .bind(4, s.area_km2)
                    .bind(5, s.population)
                    .bind(6, s.foreign_pct)
                    .bind(7, s.single_parent_households)
                    .bind(8, detail::write_json_string_array(s.member_districts))
                    .bind_text_or_null(9, s.source)
                    .bind_text_or_null(10, s.license);
                bind_geometry(st, 11, geom);
                with_context(what, [&] { st.run(); });
            }
        });
    }

    void replace_outline(const geo::MultiPolygon& outline, const std::string& source,
                         const std::string& license) override {
        m_catalogue_writes = true;
        guarded("replace_outline", [&] {
            static const std::string upsert =
                "INSERT INTO city_outline (id, source, license, geom) VALUES (1, ?1, ?2, ?3) "
                "ON CONFLICT (id) DO UPDATE SET source = excluded.source, license = excluded.license, "
                "geom = excluded.geom";
            static const std::string bump_boundaries =
                "INSERT INTO meta (key, value) VALUES ('boundaries_version', 1) "
                "ON CONFLICT (key) DO UPDATE SET value = value + 1";
            Statement(*m_conn, bump_boundaries).run();
            const auto geom = to_spatialite_geometry(*m_conn, outline, "city outline");
            Statement st(*m_conn, upsert);
            st.bind_text_or_null(1, source).bind_text_or_null(2, license);
            bind_geometry(st, 3, geom);
            st.run();
        });
    }

    UpsertOutcome upsert_place(Place& place) override {
        prepare_place_write("upsert_place");
        UpsertOutcome outcome = UpsertOutcome::unchanged;
        // No savepoint here: one per place triples the cost of an import. A constraint
        // violation (the usual bad input) only undoes its own statement; a failure after the
        // row was written poisons the transaction instead (see upsert()).
        guarded("upsert_place", [&] { with_context([&] { return describe(place); }, [&] { outcome = upsert(place); }); }, false);
        if (outcome != UpsertOutcome::unchanged) ++m_place_writes;
        return outcome;
    }

    std::vector<UpsertOutcome> upsert_places(std::span<Place> places) override {
        // The search documents depend on nothing but the places: a second thread makes them
        // while this one writes the rows; the documents follow in the same order. (FTS5 sees
        // the same inserts in the same order as from upsert_place(), so it builds the same
        // index.) The rows write only id, version and updated_at of a place, which the
        // documents do not read.
        auto documents = std::async(std::launch::async, [places] {
            std::vector<std::string> out;
            out.reserve(places.size());
            for (const Place& p : places) out.push_back(place_document(p));
            return out;
        });
        std::vector<UpsertOutcome> outcomes;
        std::vector<std::pair<std::size_t, RowWrite>> written;  // index in places, the row's write
        try {
            outcomes = write_rows(places, [&](std::size_t i, RowWrite&& row) { written.emplace_back(i, std::move(row)); });
            std::vector<std::string> texts = documents.get();
            guarded("upsert_places", [&] {
                // In write order: a place given twice is inserted, then updated, in the index too.
                for (auto& [i, row] : written) {
                    with_context([&] { return describe(places[i]); }, [&] { write_document(row, std::move(texts[i])); });
                }
            }, false);
        } catch (...) {
            // Rows written before the failure have no search documents yet.
            if (!written.empty()) m_aborted = true;
            throw;
        }
        m_half_written = false;
        return outcomes;
    }

    std::vector<UpsertOutcome> upsert_places(std::vector<Place>&& places) override {
        // Outside a bulk load into an empty table, and before its search index builder has
        // started: as for places the caller keeps.
        if (!m_search_builder) return upsert_places(std::span<Place>(places));
        // Else only the rows are written here; the builder makes the documents from the
        // places, which it takes, on its own thread, and frees them there.
        std::vector<UpsertOutcome> outcomes;
        std::vector<detail::SearchIndexBuilder::WrittenPlace> written;
        written.reserve(places.size());
        try {
            outcomes = write_rows(places, [&](std::size_t i, RowWrite&& row) {
                const bool updated = row.outcome == UpsertOutcome::updated;
                written.push_back({i, row.rowid, updated ? std::optional<std::string>(std::move(row.old_document)) : std::nullopt});
            });
        } catch (...) {
            if (!written.empty()) m_aborted = true;  // rows without documents
            throw;
        }
        m_half_written = false;
        m_search_builder->add_places(std::move(places), std::move(written));
        return outcomes;
    }

    /// The rows of upsert_places(), in order; `written(i, row)` for each place whose row changed.
    template <class Written>
    std::vector<UpsertOutcome> write_rows(std::span<Place> places, Written&& written) {
        std::vector<UpsertOutcome> outcomes;
        outcomes.reserve(places.size());
        for (std::size_t i = 0; i < places.size(); ++i) {
            Place& place = places[i];
            prepare_place_write("upsert_places");
            RowWrite row;
            guarded("upsert_places", [&] { with_context([&] { return describe(place); }, [&] { row = write_row(place); }); }, false);
            outcomes.push_back(row.outcome);
            if (row.outcome == UpsertOutcome::unchanged) continue;
            ++m_place_writes;
            written(i, std::move(row));
        }
        return outcomes;
    }

    void add_user(User& user) override {
        guarded("add_user", [&] {
            static const std::string sql =
                "INSERT INTO users (username, password_hash, role, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
            if (user.created_at.empty()) user.created_at = now_rfc3339();
            Statement st(*m_conn, sql);
            st.bind(1, user.username).bind(2, user.password_hash).bind(3, user.role).bind(4, user.disabled ? 1 : 0)
                .bind(5, user.created_at);
            with_context("user '" + user.username + "'", [&] { st.run(); });
            user.id = sqlite3_last_insert_rowid(m_conn->db());
        });
        m_other_writes = true;
    }

    void update_user(const User& user) override {
        guarded("update_user", [&] {
            static const std::string sql = "UPDATE users SET password_hash = ?1, role = ?2, disabled = ?3 WHERE id = ?4";
            Statement(*m_conn, sql).bind(1, user.password_hash).bind(2, user.role).bind(3, user.disabled ? 1 : 0)
                .bind(4, user.id).run();
        });
        m_other_writes = true;
    }

    void add_session(const Session& session) override {
        guarded("add_session", [&] {
            static const std::string sql =
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";
            Statement(*m_conn, sql).bind(1, session.token_hash).bind(2, session.user_id).bind(3, session.created_at)
                .bind(4, session.expires_at).run();
        });
        m_other_writes = true;
    }

    void delete_session(const std::string& token_hash) override {
        guarded("delete_session", [&] {
            static const std::string sql = "DELETE FROM sessions WHERE token_hash = ?1";
            Statement(*m_conn, sql).bind(1, token_hash).run();
        });
        m_other_writes = true;
    }

    void delete_sessions_of(std::int64_t user_id) override {
        guarded("delete_sessions_of", [&] {
            static const std::string sql = "DELETE FROM sessions WHERE user_id = ?1";
            Statement(*m_conn, sql).bind(1, user_id).run();
        });
        m_other_writes = true;
    }

    void delete_expired_sessions(const std::string& now) override {
        guarded("delete_expired_sessions", [&] {
            static const std::string sql = "DELETE FROM sessions WHERE expires_at < ?1";
            Statement(*m_conn, sql).bind(1, now).run();
        });
        m_other_writes = true;
    }

    void add_revision(Revision& revision) override {
        guarded("add_revision", [&] {
            static const std::string sql =
                "INSERT INTO revisions (place_id, version, author, created_at, change, previous, action, state) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
            if (revision.created_at.empty()) revision.created_at = now_rfc3339();
            Statement st(*m_conn, sql);
            st.bind(1, revision.place_id).bind(2, revision.version).bind(3, revision.author)
                .bind(4, revision.created_at).bind_text_or_null(5, revision.note).bind(7, revision.action);
            if (revision.previous) st.bind(6, detail::write_place_json(*revision.previous)); else st.bind_null(6);
            if (revision.state) st.bind(8, detail::write_place_json(*revision.state)); else st.bind_null(8);
            st.run();
            revision.id = sqlite3_last_insert_rowid(m_conn->db());
        });
        m_other_writes = true;
    }

    void put_suggestion(const Suggestion& s) override {
        guarded("put_suggestion", [&] {
            static const std::string sql =
                "INSERT OR REPLACE INTO suggestions (id, status, payload, contact_email, created_at, decided_at, "
                "decided_by, reason, place_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
            Statement st(*m_conn, sql);
            st.bind(1, s.id).bind(2, s.status).bind(3, suggestion_payload(s)).bind_text_or_null(4, s.contact_email)
                .bind(5, s.created_at).bind_text_or_null(6, s.decided_at).bind_text_or_null(7, s.decided_by)
                .bind_text_or_null(8, s.reason).bind_text_or_null(9, s.place_id).run();
        });
        m_other_writes = true;
    }

    void commit() override {
        static const std::string bump = "UPDATE meta SET value = value + 1 WHERE key = 'catalogue_version'";
        static const std::string new_token =
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('catalogue_token', lower(hex(randomblob(16))))";
        const auto finish = [&] {
            if (m_bulk) finish_bulk();
            // Only the catalogue has a version; accounts, history and suggestions alone leave it.
            if (m_catalogue_writes || !m_other_writes) {
                Statement(*m_conn, bump).run();
                // A random token per catalogue commit: two stores that share a history (a copied
                // file) and made the same number of commits since still differ in it.
                Statement(*m_conn, new_token).run();
            }
            m_conn->exec("COMMIT");
            m_finished = true;
            detach_built_indexes();
        };
        try {
            guarded("commit", finish, false);
        } catch (...) {
            // Half a commit (bulk work done, COMMIT refused) cannot be retried; only a
            // rollback, which the destructor does, is left.
            if (!m_finished) m_aborted = true;
            throw;
        }
        m_lock.unlock();  // the connection is free for others as soon as the work is durable
    }

private:
    /// Runs one operation of this transaction, by default inside a savepoint: an operation
    /// that fails changes nothing, and the caller may go on with the next one. A failure
    /// inside SQLite can also end the whole transaction (SpatiaLite's geometry triggers
    /// RAISE(ROLLBACK)); afterwards every statement would silently autocommit, so from then
    /// on this object refuses work.
    template <class F>
    void guarded(const char* op, F&& f, bool atomic = true) {
        static const std::string savepoint = "SAVEPOINT lernorte_op";
        static const std::string release = "RELEASE lernorte_op";
        if (m_finished) throw StoreError(m_conn->path() + ": " + op + ": transaction already committed");
        if (m_aborted || sqlite3_get_autocommit(m_conn->db()) != 0) {
            m_aborted = true;
            throw StoreError(m_conn->path() + ": " + op +
                             ": an earlier error ended this transaction; roll it back and start a new one");
        }
        if (atomic) Statement(*m_conn, savepoint).run();
        try {
            f();
            if (atomic) Statement(*m_conn, release).run();
        } catch (...) {
            if (sqlite3_get_autocommit(m_conn->db()) != 0 || m_half_written) {
                m_aborted = true;
            } else if (atomic) {
                sqlite3_exec(m_conn->db(), "ROLLBACK TO lernorte_op; RELEASE lernorte_op", nullptr, nullptr, nullptr);
            }
            throw;
        }
    }

    /// Before each place's write: what the bulk mode needs to know and do.
    void prepare_place_write(const char* op) {
        m_catalogue_writes = true;
        if (!m_places_were_empty) {
            static const std::string none = "SELECT NOT EXISTS (SELECT 1 FROM places)";
            guarded(op, [&] { m_places_were_empty = query_int(*m_conn, none) != 0; }, false);
        }
        if (!m_bulk && !m_bulk_unavailable && m_place_writes >= bulk_threshold) {
            guarded(op, [&] { enter_bulk(); });
        }
    }

    static std::string describe(const Place& place) {
        return place.source_id.empty() ? "place id '" + place.id + "'"
                                       : "place '" + place.dataset + "'/'" + place.source_id + "'";
    }

    template <class F>
    static void with_context(const std::string& what, F&& f) {
        with_context([&what] { return what; }, std::forward<F>(f));
    }

    /// The same, the context described only when there is an error to describe.
    template <class What, class F>
        requires std::is_invocable_r_v<std::string, What>
    static void with_context(What&& what, F&& f) {
        try {
            f();
        } catch (const StoreError& e) {
            throw StoreError(what() + ": " + e.what());
        }
    }

    std::optional<std::pair<std::int64_t, Place>> find(const Place& p) {
        static const std::string by_source = "SELECT rowid, " + place_columns +
                                             " FROM places WHERE dataset = ?1 AND source_id = ?2 AND source_id <> ''";
        static const std::string by_id = "SELECT rowid, " + place_columns + " FROM places WHERE id = ?1";
        if (!p.source_id.empty() && may_hold(p.dataset, p.source_id)) {
            Statement st(*m_conn, by_source);
            st.bind(1, p.dataset).bind(2, p.source_id);
            if (st.step()) return std::make_pair(st.int64(0), read_place(st, 1));
        }
        // Also when a known place comes with a source_id that is new to the store (an editor
        // corrected it): the id still names the place, inserting it again would clash.
        if (!p.id.empty()) {
            Statement st(*m_conn, by_id);
            st.bind(1, p.id);
            if (st.step()) return std::make_pair(st.int64(0), read_place(st, 1));
        }
        return std::nullopt;
    }

    /// False when no place of `dataset` can have this source id: the dataset had none with a
    /// source id when this transaction first asked, and this transaction has written no such
    /// place since. Spares an import into a new dataset one lookup per place.
    bool may_hold(const std::string& dataset, const std::string& source_id) {
        static const std::string any = "SELECT EXISTS (SELECT 1 FROM places WHERE dataset = ?1 AND source_id <> '')";
        auto it = m_new_datasets.find(dataset);
        if (it == m_new_datasets.end()) {
            Statement st(*m_conn, any);
            st.bind(1, dataset);
            std::optional<std::unordered_set<std::string>> written;
            if (!st.step() || st.int64(0) == 0) written.emplace();
            it = m_new_datasets.emplace(dataset, std::move(written)).first;
        }
        return !it->second || it->second->contains(source_id);
    }

    /// Keeps may_hold() true after a write of this place's (dataset, source_id).
    void note_source_id(const Place& p) {
        if (p.source_id.empty()) return;
        const auto it = m_new_datasets.find(p.dataset);
        if (it != m_new_datasets.end() && it->second) it->second->insert(p.source_id);
    }

    /// The search document of a written row. places_fts keeps no copy of its documents, so
    /// an update first tells it the text it indexed before (RowWrite::old_document). In a
    /// bulk load into an empty table the documents go to the search index builder instead.
    void write_document(RowWrite& row, std::string document) {
        static const std::string remove =
            "INSERT INTO places_fts (places_fts, rowid, document) VALUES ('delete', ?1, ?2)";
        static const std::string insert = "INSERT INTO places_fts (rowid, document) VALUES (?1, ?2)";
        const bool updated = row.outcome == UpsertOutcome::updated;
        if (!m_search_builder && m_bulk && m_places_were_empty.value_or(false)) start_search_builder();
        if (m_search_builder) {
            m_search_builder->add({row.rowid, std::move(document),
                                   updated ? std::optional<std::string>(std::move(row.old_document)) : std::nullopt});
            return;
        }
        if (updated) Statement(*m_conn, remove).bind(1, row.rowid).bind(2, row.old_document).run();
        Statement(*m_conn, insert).bind(1, row.rowid).bind(2, document).run();
        if (m_places_were_empty.value_or(false)) m_indexed_here.push_back(row.rowid);
    }

    // -----------------------------------------------------------------------------------------
    // Bulk mode. SpatiaLite maintains places.geom through per-row triggers: a type check, a
    // timestamp and RTreeAlign(), which prepares a statement for every row. In an import they
    // cost more than everything else together, so past bulk_threshold place writes in one
    // transaction they are dropped and their work is done once at commit. DDL is
    // transactional in SQLite: a rollback brings them back, and other connections never see
    // the table without them. The geometry check is safe to skip: the store only ever writes
    // 2D points in SRID 4326 (spatialite_point_blob, byte for byte MakePoint(x, y, 4326)).

    static constexpr std::size_t bulk_threshold = 1000;

    struct IndexEntry {
        std::int64_t rowid;
        double x;
        double y;
        bool replace;
    };

    void enter_bulk() {
        static const std::string list =
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'places' AND name IN "
            "('ggi_places_geom', 'ggu_places_geom', 'tmi_places_geom', 'tmu_places_geom', 'gii_places_geom', "
            "'giu_places_geom')";
        std::vector<std::pair<std::string, std::string>> triggers;
        {
            Statement st(*m_conn, list);
            while (st.step()) triggers.emplace_back(st.text(0), st.text(1));
        }
        // Another SpatiaLite may name its triggers differently; then stay on the slow path
        // rather than index rows twice.
        if (triggers.size() != 6) {
            m_bulk_unavailable = true;
            return;
        }
        for (const auto& [name, sql] : triggers) m_conn->exec("DROP TRIGGER \"" + name + "\"");
        m_dropped_triggers = std::move(triggers);
        m_bulk = true;
        // Into an empty table, building each secondary index once at the end (one sort) is
        // cheaper than growing it row by row. Not otherwise: rebuilding would cost as much as
        // the table holds, and the lookups by (dataset, source_id) need theirs. (With the
        // table empty at the start, find() asks only for source ids this transaction wrote;
        // see may_hold().)
        if (m_places_were_empty.value_or(false)) {
            static const std::string indexes =
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'places' AND sql IS NOT NULL";
            {
                Statement st(*m_conn, indexes);
                while (st.step()) m_dropped_indexes.emplace_back(st.text(0), st.text(1));
            }
            for (const auto& [name, sql] : m_dropped_indexes) m_conn->exec("DROP INDEX \"" + name + "\"");
            start_index_builder();
        }
    }

    void note_geometry(std::int64_t rowid, const geo::Point& p, bool replace) {
        if (!m_bulk) return;
        if (m_index_builder) {
            m_index_builder->add({rowid, p.x, p.x, p.y, p.y, replace, true});
            m_index_replaced = m_index_replaced || replace;
        } else {
            m_pending_index.push_back({rowid, p.x, p.y, replace});
        }
    }

    // A bulk load into an empty table builds its spatial index and its search index on threads
    // of their own (detail::RtreeBuilder, detail::SearchIndexBuilder), each in a private
    // in-memory database, while the rows are written. At commit their tables are copied in:
    // the R*Tree's shadow tables (%_node, %_parent, %_rowid) into idx_places_geom's, the
    // search index's (%_data, %_idx, %_docsize) into a places_fts created anew. Tests check
    // the result with rtreecheck(), SpatiaLite's CheckSpatialIndex(), FTS5's integrity-check
    // and its vocabulary against row-by-row transactions. Until the commit, a search or a
    // spatial query inside the transaction does not see the places it wrote in bulk.
    static constexpr const char* built_index_schema = "lernorte_built_index";
    static constexpr const char* built_search_schema = "lernorte_built_search";

    void start_index_builder() {
        // Entries the triggers wrote before bulk mode (the first bulk_threshold places of
        // this transaction) go in first, as they are.
        static const std::string existing = "SELECT pkid, xmin, xmax, ymin, ymax FROM idx_places_geom";
        static const std::string node_size = "SELECT length(data) FROM idx_places_geom_node WHERE nodeno = 1";
        m_index_builder = std::make_unique<detail::RtreeBuilder>(
            "idx_places_geom", static_cast<int>(query_int(*m_conn, node_size)), &as_rtree_align_passes);
        Statement st(*m_conn, existing);
        while (st.step()) {
            m_index_builder->add({st.int64(0), st.real(1), st.real(2), st.real(3), st.real(4), false, false});
        }
    }

    /// At the first search document after bulk mode began (the table was empty at the start):
    /// the documents this transaction already gave places_fts go to the builder again,
    /// recomputed from their rows, since the copy replaces everything places_fts holds.
    void start_search_builder() {
        static const std::string create = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'places_fts'";
        static const std::string settings = "SELECT k, v FROM places_fts_config WHERE k <> 'version'";
        static const std::string row = "SELECT " + place_columns + " FROM places WHERE rowid = ?1";
        m_search_create_sql = query_text(create);
        std::vector<std::pair<std::string, std::string>> config;
        {
            Statement st(*m_conn, settings);
            while (st.step()) {
                config.emplace_back(st.text(0), st.text(1));
                m_search_settings.push_back({st.text(0), st.type(1) == SQLITE_INTEGER, st.int64(1), st.text(1)});
            }
        }
        m_search_builder = std::make_unique<detail::SearchIndexBuilder>("places_fts", m_search_create_sql, std::move(config),
                                                                        &place_document);
        std::sort(m_indexed_here.begin(), m_indexed_here.end());
        m_indexed_here.erase(std::unique(m_indexed_here.begin(), m_indexed_here.end()), m_indexed_here.end());
        for (const std::int64_t rowid : m_indexed_here) {
            Statement st(*m_conn, row);
            st.bind(1, rowid);
            if (st.step()) m_search_builder->add({rowid, place_document(read_place(st, 0)), std::nullopt});
        }
        m_indexed_here = {};
    }

    std::string query_text(const std::string& sql) {
        Statement st(*m_conn, sql);
        if (!st.step()) throw StoreError(m_conn->path() + ": no result [SQL: " + sql + "]");
        return st.text(0);
    }

    /// Attaches a builder's database image as `schema`, until the transaction ends.
    void attach_image(const char* schema, detail::DatabaseImage image) {
        m_conn->exec(std::string("ATTACH ':memory:' AS ") + schema);
        m_attached.emplace_back(schema);
        const int rc = sqlite3_deserialize(m_conn->db(), schema, image.data.release(), image.size, image.size,
                                           SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
        if (rc != SQLITE_OK) {
            throw StoreError(m_conn->path() + ": cannot load a built index: " + sqlite3_errstr(rc));
        }
    }

    template <class Builder>
    detail::DatabaseImage finish_builder(std::unique_ptr<Builder>& builder) {
        detail::DatabaseImage image;
        try {
            image = builder->finish();
        } catch (const std::exception& e) {
            builder.reset();
            throw StoreError(m_conn->path() + ": " + e.what());
        }
        builder.reset();
        return image;
    }

    void copy_tables(const char* schema, const std::string& prefix, std::initializer_list<const char*> parts) {
        for (const char* part : parts) {
            const std::string table = "\"" + prefix + part + "\"";
            m_conn->exec("DELETE FROM main." + table + "; INSERT INTO main." + table + " SELECT * FROM " + schema + "." +
                         table);
        }
    }

    void copy_built_index() {
        attach_image(built_index_schema, finish_builder(m_index_builder));
        copy_tables(built_index_schema, "idx_places_geom_", {"node", "parent", "rowid"});
    }

    void copy_built_search_index() {
        // Into the settings table itself, not through FTS5's setter: the setter makes the new
        // table object read the (still empty) index, which it would then keep in place of the
        // copied one (a test shows it).
        static const std::string setting = "INSERT OR REPLACE INTO places_fts_config (k, v) VALUES (?1, ?2)";
        // The first look into the copied index (a term query: a plain scan does not read the
        // index's structure). Its settings cookie (the builder's, never 0) differs from the new
        // table's (0), so the table rereads the settings restored here now, before a search
        // takes its ranking from them (a test shows the first search would not otherwise).
        static const std::string first_read = "SELECT rowid FROM places_fts WHERE places_fts MATCH 'lernorte' LIMIT 1";
        attach_image(built_search_schema, finish_builder(m_search_builder));
        // A new table: FTS5 keeps what it read of an index in the connection's table object,
        // and the old object would not know the copied one. The new one has read nothing yet.
        m_conn->exec("DROP TABLE places_fts");
        m_conn->exec(m_search_create_sql);
        for (const SearchSetting& s : m_search_settings) {
            Statement st(*m_conn, setting);
            st.bind(1, s.key);
            if (s.integer) st.bind(2, s.integer_value); else st.bind(2, s.text_value);
            st.run();
        }
        copy_tables(built_search_schema, "places_fts_", {"data", "idx", "docsize"});
        Statement(*m_conn, first_read).run();
    }

    /// SQLite detaches a database only outside a transaction that read it.
    void detach_built_indexes() noexcept {
        if (m_attached.empty() || sqlite3_get_autocommit(m_conn->db()) == 0) return;
        for (const std::string& schema : m_attached) {
            sqlite3_exec(m_conn->db(), ("DETACH " + schema).c_str(), nullptr, nullptr, nullptr);
        }
        m_attached.clear();
    }

    void finish_bulk() {
        static const std::string remove = "DELETE FROM idx_places_geom WHERE pkid = ?1";
        // The values RTreeAlign would pass; the module rounds them to float32 as for it.
        static const std::string insert =
            "INSERT INTO idx_places_geom (pkid, xmin, xmax, ymin, ymax) VALUES (?1, ?2, ?2, ?3, ?3)";
        static const std::string touch_insert =
            "UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            "WHERE Lower(f_table_name) = 'places' AND Lower(f_geometry_column) = 'geom'";
        static const std::string touch_update =
            "UPDATE geometry_columns_time SET last_update = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            "WHERE Lower(f_table_name) = 'places' AND Lower(f_geometry_column) = 'geom'";
        bool inserted = m_index_builder != nullptr;  // only inserts make a bulk load into an empty table
        bool updated = m_index_replaced;
        // The builders finish their indexes while this thread rebuilds the secondary ones.
        if (m_index_builder) m_index_builder->seal();
        if (m_search_builder) m_search_builder->seal();
        for (const IndexEntry& e : m_pending_index) (e.replace ? updated : inserted) = true;
        for (const IndexEntry& e : m_pending_index) {
            if (e.replace) Statement(*m_conn, remove).bind(1, e.rowid).run();
            Statement(*m_conn, insert)
                .bind(1, e.rowid)
                .bind(2, as_rtree_align_passes(e.x))
                .bind(3, as_rtree_align_passes(e.y))
                .run();
        }
        for (const auto& index : m_dropped_indexes) m_conn->exec(index.second);
        // The search index first: its builder has less left to do after sealing.
        if (m_search_builder) copy_built_search_index();
        if (m_index_builder) copy_built_index();
        for (const auto& trigger : m_dropped_triggers) m_conn->exec(trigger.second);
        if (inserted) Statement(*m_conn, touch_insert).run();
        if (updated) Statement(*m_conn, touch_update).run();
        m_bulk = false;
        m_pending_index.clear();
        m_dropped_triggers.clear();
        m_dropped_indexes.clear();
    }

    /// Writes one place: its row, then its search document. If the document fails after
    /// the row was written, m_half_written makes guarded() refuse the rest of the transaction.
    UpsertOutcome upsert(Place& place) {
        RowWrite row = write_row(place);
        if (row.outcome != UpsertOutcome::unchanged) {
            write_document(row, place_document(place));
            m_half_written = false;
        }
        return row.outcome;
    }

    /// The first half of upsert(): the row (and its pending index entry), not the search
    /// document. After a write m_half_written is set until the caller has written the document.
    RowWrite write_row(Place& place) {
        auto found = find(place);
        if (found) {
            auto& [rowid, stored] = *found;
            if (same_data(place, stored)) {
                place.id = stored.id;
                place.version = stored.version;
                place.updated_at = stored.updated_at;
                return {UpsertOutcome::unchanged, rowid, {}};
            }
            const std::string now = now_rfc3339();
            Statement st(*m_conn, place_update_sql);
            bind_place_fields(st, place);
            st.bind(25, now).bind(26, rowid).run();
            m_half_written = true;
            note_source_id(place);
            note_geometry(rowid, place.position, true);
            place.id = stored.id;
            place.version = stored.version + 1;
            place.updated_at = now;
            return {UpsertOutcome::updated, rowid, place_document(stored)};
        }
        std::string id = place.id.empty() ? new_uuid() : place.id;
        const std::string now = now_rfc3339();
        Statement st(*m_conn, place_insert_sql);
        bind_place_fields(st, place);
        st.bind(25, id).bind(26, now).run();
        m_half_written = true;
        note_source_id(place);
        // Safe although SpatiaLite's trigger functions run statements of their own on this
        // connection: SQLite restores the value when a trigger program ends. (RETURNING
        // rowid would say it more directly but triples the cost of an insert.)
        const std::int64_t rowid = sqlite3_last_insert_rowid(m_conn->db());
        note_geometry(rowid, place.position, false);
        place.id = std::move(id);
        place.version = 1;
        place.updated_at = now;
        return {UpsertOutcome::inserted, rowid, {}};
    }

    std::shared_ptr<Connection> m_conn;
    std::unique_lock<std::recursive_mutex> m_lock;
    bool m_finished = false;
    bool m_aborted = false;
    std::size_t m_place_writes = 0;
    bool m_catalogue_writes = false;
    bool m_other_writes = false;
    bool m_bulk = false;
    bool m_bulk_unavailable = false;
    bool m_half_written = false;
    std::vector<std::pair<std::string, std::string>> m_dropped_triggers;  // name, CREATE TRIGGER sql
    std::vector<std::pair<std::string, std::string>> m_dropped_indexes;   // name, CREATE INDEX sql
    std::optional<bool> m_places_were_empty;  // when the first upsert_place() asked
    std::vector<IndexEntry> m_pending_index;
    std::unique_ptr<detail::RtreeBuilder> m_index_builder;  // bulk load into an empty table
    std::unique_ptr<detail::SearchIndexBuilder> m_search_builder;  // bulk load into an empty table
    struct SearchSetting {
        std::string key;
        bool integer;
        std::int64_t integer_value;
        std::string text_value;
    };
    std::string m_search_create_sql;                 // places_fts as created, for its new table
    std::vector<SearchSetting> m_search_settings;    // places_fts's settings, for its new table
    std::vector<std::int64_t> m_indexed_here;        // rows given to places_fts while the table was empty
    std::vector<std::string> m_attached;             // builders' images attached in this transaction
    bool m_index_replaced = false;  // the builder was told to replace an entry
    /// Per dataset looked up by may_hold(): the source ids written since, or nullopt when it
    /// had places with source ids before.
    std::unordered_map<std::string, std::optional<std::unordered_set<std::string>>> m_new_datasets;
};

class SpatialiteStore final : public Store {
public:
    explicit SpatialiteStore(std::shared_ptr<Connection> conn) : m_conn(std::move(conn)) {}

    std::unique_ptr<Transaction> begin() override {
        return std::make_unique<SpatialiteTransaction>(m_conn);
    }

    std::vector<Stadtraum> stadtraeume() const override {
        static const std::string sql =
            "SELECT nr, name, short_name, area_km2, population, foreign_pct, single_parent_households, "
            "member_districts, source, license, ST_AsBinary(geom) FROM stadtraeume ORDER BY nr";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        std::vector<Stadtraum> out;
        while (st.step()) {
            Stadtraum s;
            s.nr = st.int32(0);
            const std::string what = m_conn->path() + ": Stadtraum " + std::to_string(s.nr);
            s.name = st.text(1);
            s.short_name = st.text(2);
            s.area_km2 = st.real(3);
            s.population = st.int64(4);
            s.foreign_pct = st.real(5);
            s.single_parent_households = st.int64(6);
            if (!st.is_null(7)) {
                try {
                    s.member_districts = detail::parse_json_string_array(st.text(7));
                } catch (const std::exception& e) {
                    throw StoreError(what + ": member_districts: " + e.what());
                }
            }
            s.source = st.text(8);
            s.license = st.text(9);
            s.geometry = read_multipolygon(st, 10, what);
            out.push_back(std::move(s));
        }
        return out;
    }

    std::optional<geo::MultiPolygon> outline() const override {
        static const std::string sql = "SELECT ST_AsBinary(geom) FROM city_outline WHERE id = 1";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        if (!st.step()) return std::nullopt;
        return read_multipolygon(st, 0, m_conn->path() + ": city outline");
    }

    std::vector<Place> places(const std::optional<std::string>& status) const override {
        std::vector<Place> out;
        for_each_place(status, [&out](Place&& p) { out.push_back(std::move(p)); });
        return out;
    }

    void for_each_place(const std::optional<std::string>& status,
                        const std::function<void(Place&&)>& sink) const override {
        static const std::string all = "SELECT " + place_columns + " FROM places ORDER BY rowid";
        static const std::string by_status =
            "SELECT " + place_columns + " FROM places WHERE status = ?1 ORDER BY rowid";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, status ? by_status : all);
        if (status) st.bind(1, *status);
        while (st.step()) sink(read_place(st, 0));
    }

    std::optional<Place> place(const std::string& id) const override {
        static const std::string sql = "SELECT " + place_columns + " FROM places WHERE id = ?1";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        st.bind(1, id);
        if (!st.step()) return std::nullopt;
        return read_place(st, 0);
    }

    std::vector<std::string> search(const std::string& text) const override {
        static const std::string sql =
            "SELECT places.id FROM places_fts JOIN places ON places.rowid = places_fts.rowid "
            "WHERE places_fts MATCH ?1 ORDER BY places_fts.rank";
        const std::string match = fts_query(text);
        if (match.empty()) return {};
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        st.bind(1, match);
        std::vector<std::string> out;
        while (st.step()) out.push_back(st.text(0));
        return out;
    }

    std::optional<User> user(const std::string& username) const override {
        static const std::string sql = "SELECT " + user_columns + " FROM users WHERE username = ?1";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        st.bind(1, username);
        if (!st.step()) return std::nullopt;
        return read_user(st, 0);
    }

    std::vector<User> users() const override {
        static const std::string sql = "SELECT " + user_columns + " FROM users ORDER BY username";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        std::vector<User> out;
        while (st.step()) out.push_back(read_user(st, 0));
        return out;
    }

    std::optional<std::pair<Session, User>> session(const std::string& token_hash) const override {
        static const std::string sql =
            "SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, u.id, u.username, u.password_hash, u.role, "
            "u.disabled, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        st.bind(1, token_hash);
        if (!st.step()) return std::nullopt;
        Session s{st.text(0), st.int64(1), st.text(2), st.text(3)};
        return std::make_pair(std::move(s), read_user(st, 4));
    }

    std::vector<Revision> revisions(const std::string& place_id) const override {
        static const std::string sql =
            "SELECT id, place_id, version, author, created_at, action, change, previous, state FROM revisions "
            "WHERE place_id = ?1 ORDER BY id";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        st.bind(1, place_id);
        std::vector<Revision> out;
        while (st.step()) {
            Revision r;
            r.id = st.int64(0);
            r.place_id = st.text(1);
            r.version = st.int64(2);
            r.author = st.text(3);
            r.created_at = st.text(4);
            r.action = st.text(5);
            r.note = st.text(6);
            const std::string what = m_conn->path() + ": revision " + std::to_string(r.id);
            r.previous = read_state(st, 7, what);
            r.state = read_state(st, 8, what);
            out.push_back(std::move(r));
        }
        return out;
    }

    std::optional<Suggestion> suggestion(const std::string& id) const override {
        static const std::string sql = "SELECT " + suggestion_columns + " FROM suggestions WHERE id = ?1";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        st.bind(1, id);
        if (!st.step()) return std::nullopt;
        return read_suggestion(st, m_conn->path());
    }

    std::vector<Suggestion> suggestions(const std::optional<std::string>& status) const override {
        static const std::string all = "SELECT " + suggestion_columns + " FROM suggestions ORDER BY created_at, rowid";
        static const std::string by_status =
            "SELECT " + suggestion_columns + " FROM suggestions WHERE status = ?1 ORDER BY created_at, rowid";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, status ? by_status : all);
        if (status) st.bind(1, *status);
        std::vector<Suggestion> out;
        while (st.step()) out.push_back(read_suggestion(st, m_conn->path()));
        return out;
    }

    std::int64_t data_version() const override {
        std::lock_guard lock(m_conn->mutex());
        return query_int(*m_conn, "SELECT value FROM meta WHERE key = 'catalogue_version'");
    }

    std::string catalogue_token() const override {
        static const std::string sql = "SELECT coalesce((SELECT value FROM meta WHERE key = 'catalogue_token'), '')";
        std::lock_guard lock(m_conn->mutex());
        Statement st(*m_conn, sql);
        return st.step() ? st.text(0) : std::string();
    }

    std::int64_t boundaries_version() const override {
        static const std::string sql = "SELECT coalesce((SELECT value FROM meta WHERE key = 'boundaries_version'), 0)";
        std::lock_guard lock(m_conn->mutex());
        return query_int(*m_conn, sql);
    }

    int schema_version() const override {
        std::lock_guard lock(m_conn->mutex());
        return stored_schema_version(*m_conn);
    }

private:
    /// `"term1"* AND "term2"*`: every term a quoted prefix, so no FTS5 syntax from the user's
    /// text is ever interpreted.
    static std::string fts_query(const std::string& text) {
        // A bound on the expression size; beyond this many distinct terms a query is noise.
        static constexpr std::size_t max_terms = 32;
        std::vector<std::string> terms = search_terms(text);
        std::vector<std::string_view> unique;
        for (const std::string& t : terms) {
            if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(t);
            if (unique.size() == max_terms) break;
        }
        std::string match;
        for (const std::string_view t : unique) {
            if (!match.empty()) match += " AND ";
            match += '"';
            for (const char c : t) {
                if (c == '"') match += '"';  // FTS5 escaping; tokens never contain one anyway
                match += c;
            }
            match += "\"*";
        }
        return match;
    }

    std::shared_ptr<Connection> m_conn;
};

std::unique_ptr<Store> open_at(const std::string& path, int max_version) {
    auto conn = std::make_shared<Connection>(path);
    std::lock_guard lock(conn->mutex());
    migrate(*conn, max_version);
    return std::make_unique<SpatialiteStore>(std::move(conn));
}

}  // namespace

std::unique_ptr<Store> open_spatialite(const std::string& path) { return open_at(path, schema_version_current); }

int current_schema_version() noexcept { return schema_version_current; }

namespace detail {

std::unique_ptr<Store> open_spatialite_at_version(const std::string& path, int max_version) {
    if (max_version < 0 || max_version > schema_version_current) {
        throw StoreError(path + ": cannot open at schema version " + std::to_string(max_version) +
                         " (known: 0.." + std::to_string(schema_version_current) + ")");
    }
    return open_at(path, max_version);
}

}  // namespace detail
}  // namespace lernorte::storage
