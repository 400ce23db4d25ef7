// Builds the FTS5 search index of a bulk load on a thread of its own, in a private in-memory
// database, while the caller goes on writing rows. FTS5 tokenizes and indexes every document
// (a fifth of an import's writing thread); here that runs beside it. The index is made by the
// same SQLite library from the same CREATE VIRTUAL TABLE statement and the same INSERT
// statements the store would run, so its shadow tables (%_data, %_idx, %_docsize) hold what
// the real index would hold and can be copied into it; nothing here reads or writes FTS5's
// record formats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <lernorte/storage/model.hpp>

#include "memory_db_worker.hpp"

namespace lernorte::storage::detail {

class SearchIndexBuilder {
public:
    /// One document, in the order the store wrote the rows.
    struct Change {
        std::int64_t rowid;
        std::string document;
        std::optional<std::string> old_document;  ///< the text indexed before under this rowid
    };

    /// A place whose row was written: its document is made on the builder's thread.
    struct WrittenPlace {
        std::size_t index;  ///< in the places handed over with it
        std::int64_t rowid;
        std::optional<std::string> old_document;
    };

    /// `create_sql`: the real index's CREATE VIRTUAL TABLE statement (sqlite_master.sql), for
    /// a contentless FTS5 table named `table` with one column, `document`. `config`: the real
    /// index's settings (key, value from its %_config table), applied here before the first
    /// document. `document`: a place's document, for add_places().
    SearchIndexBuilder(std::string table, std::string create_sql, std::vector<std::pair<std::string, std::string>> config,
                       std::string (*document)(const Place&));
    ~SearchIndexBuilder();  // an unfinished index is thrown away
    SearchIndexBuilder(const SearchIndexBuilder&) = delete;
    SearchIndexBuilder& operator=(const SearchIndexBuilder&) = delete;

    void add(Change change);
    /// Documents of written places, made and indexed on the builder's thread in the order of
    /// `written`, after every earlier change; the builder frees the places when done.
    void add_places(std::vector<Place> places, std::vector<WrittenPlace> written);
    /// No more documents: the index is completed from here on, while the caller does other work.
    void seal();
    /// Seals if not yet done, waits for every document, then returns the database image. Throws std::runtime_error
    /// ("search index build: ...") when SQLite refused something. Call at most once.
    DatabaseImage finish();

private:
    void hand_over();
    void index(sqlite3* db, std::int64_t rowid, const std::string& document, const std::string* old_document);

    std::string m_table;
    std::string (*m_document)(const Place&);
    std::vector<Change> m_batch;  // the caller's thread only
    bool m_sealed = false;
    // The worker's thread only, from the first task to the last (finalized after the worker's
    // database is closed when the builder is dropped unfinished; sqlite3_close_v2 allows it).
    StmtPtr m_insert;
    StmtPtr m_remove;
    MemoryDbWorker m_worker;  // last: stops before the members its tasks use go
};

}  // namespace lernorte::storage::detail
