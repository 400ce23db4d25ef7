#include "search_index_builder.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace lernorte::storage::detail {
namespace {

constexpr std::size_t batch_size = 2048;
// FTS5 holds new documents in memory up to this many bytes, then writes them out as a segment
// and later merges the segments. Its default (1 MiB) meant dozens of segments and merges for
// 100k places; in a builder of its own the memory is there to spare. A setting of the
// builder's table only: the real index keeps its own settings.
constexpr const char* builder_hashsize = "67108864";

}  // namespace

SearchIndexBuilder::SearchIndexBuilder(std::string table, std::string create_sql,
                                       std::vector<std::pair<std::string, std::string>> config,
                                       std::string (*document)(const Place&))
    : m_table(std::move(table)), m_document(document), m_worker("search index build") {
    m_batch.reserve(batch_size);
    m_worker.post([this, create_sql = std::move(create_sql), config = std::move(config)](sqlite3* db) {
        using W = MemoryDbWorker;
        W::exec(db, create_sql);
        const std::string name = W::quoted(m_table);
        StmtPtr set = W::prepare(db, "INSERT INTO " + name + " (" + name + ", rank) VALUES (?1, ?2)");
        const auto apply = [&](const std::string& key, const std::string& value) {
            sqlite3_bind_text(set.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(set.get(), 2, value.c_str(), -1, SQLITE_TRANSIENT);
            W::step_done(db, set.get(), ("setting " + key).c_str());
        };
        for (const auto& [key, value] : config) {
            if (key != "version") apply(key, value);  // the version is the table's, not a setting
        }
        // So at least one setting is always made here: the index's settings cookie is then
        // never that of a newly created table, and the table the store creates anew for the
        // copy rereads its settings at first use (see the store's copy_built_search_index).
        if (std::none_of(config.begin(), config.end(), [](const auto& kv) { return kv.first == "hashsize"; })) {
            apply("hashsize", builder_hashsize);
        }
        W::exec(db, "BEGIN");
        m_insert = W::prepare(db, "INSERT INTO " + name + " (rowid, document) VALUES (?1, ?2)");
        m_remove = W::prepare(db, "INSERT INTO " + name + " (" + name + ", rowid, document) VALUES ('delete', ?1, ?2)");
    });
}

SearchIndexBuilder::~SearchIndexBuilder() = default;

void SearchIndexBuilder::add(Change change) {
    m_batch.push_back(std::move(change));
    if (m_batch.size() >= batch_size) hand_over();
}

void SearchIndexBuilder::hand_over() {
    if (m_batch.empty()) return;
    m_worker.post([this, batch = std::move(m_batch)](sqlite3* db) {
        for (const Change& c : batch) index(db, c.rowid, c.document, c.old_document ? &*c.old_document : nullptr);
    });
    m_batch = {};
    m_batch.reserve(batch_size);
}

void SearchIndexBuilder::add_places(std::vector<Place> places, std::vector<WrittenPlace> written) {
    hand_over();  // the changes before these go first
    // Shared: a std::function must be copyable, and the places are moved, not copied.
    auto work = std::make_shared<std::pair<std::vector<Place>, std::vector<WrittenPlace>>>(std::move(places),
                                                                                           std::move(written));
    m_worker.post([this, work](sqlite3* db) {
        const auto& [places, written] = *work;
        for (const WrittenPlace& w : written) {
            index(db, w.rowid, m_document(places.at(w.index)), w.old_document ? &*w.old_document : nullptr);
        }
    });
}

void SearchIndexBuilder::index(sqlite3* db, std::int64_t rowid, const std::string& document,
                               const std::string* old_document) {
    using W = MemoryDbWorker;
    if (old_document != nullptr) {
        sqlite3_bind_int64(m_remove.get(), 1, rowid);
        sqlite3_bind_text(m_remove.get(), 2, old_document->data(), static_cast<int>(old_document->size()), SQLITE_STATIC);
        W::step_done(db, m_remove.get(), "remove a document");
    }
    sqlite3_bind_int64(m_insert.get(), 1, rowid);
    sqlite3_bind_text(m_insert.get(), 2, document.data(), static_cast<int>(document.size()), SQLITE_STATIC);
    W::step_done(db, m_insert.get(), "index a document");
}

void SearchIndexBuilder::seal() {
    if (m_sealed) return;
    m_sealed = true;
    hand_over();
    m_worker.post([this](sqlite3* db) {
        m_insert.reset();
        m_remove.reset();
        MemoryDbWorker::exec(db, "COMMIT");  // FTS5 writes out what it holds in memory
    });
}

DatabaseImage SearchIndexBuilder::finish() {
    seal();
    return m_worker.finish();
}

}  // namespace lernorte::storage::detail
