#include "memory_db_worker.hpp"

#include <stdexcept>
#include <utility>

namespace lernorte::storage::detail {

void DatabaseImage::Free::operator()(unsigned char* p) const noexcept { sqlite3_free(p); }

namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error(what + ": " + sqlite3_errmsg(db));
}

}  // namespace

MemoryDbWorker::MemoryDbWorker(std::string what) : m_what(std::move(what)), m_thread([this] { run(); }) {}

MemoryDbWorker::~MemoryDbWorker() {
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
        m_abandoned = true;
        m_queue.clear();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void MemoryDbWorker::post(Task task) {
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(task));
    }
    m_cv.notify_one();
}

DatabaseImage MemoryDbWorker::finish() {
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
    }
    m_cv.notify_all();
    m_thread.join();
    if (m_error) {
        try {
            std::rethrow_exception(m_error);
        } catch (const std::exception& e) {
            throw std::runtime_error(m_what + ": " + e.what());
        }
    }
    return std::move(m_image);
}

void MemoryDbWorker::run() {
    DbPtr db;
    try {
        sqlite3* raw = nullptr;
        // Used by this thread alone, hence no mutex of SQLite's own.
        const int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
        db.reset(raw);
        if (rc != SQLITE_OK) {
            throw std::runtime_error(std::string("cannot open an in-memory database: ") + sqlite3_errstr(rc));
        }
    } catch (...) {
        m_error = std::current_exception();
    }
    for (;;) {
        std::vector<Task> work;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_done || !m_queue.empty(); });
            if (m_abandoned) return;
            work.swap(m_queue);
            if (work.empty()) break;  // done and drained
        }
        for (Task& task : work) {
            if (m_error) break;  // the rest depends on what failed
            try {
                task(db.get());
            } catch (...) {
                m_error = std::current_exception();
            }
        }
    }
    if (m_error) return;
    try {
        sqlite3_int64 size = 0;
        unsigned char* image = sqlite3_serialize(db.get(), "main", &size, 0);
        if (image == nullptr) fail(db.get(), "serialize");
        m_image.data.reset(image);
        m_image.size = size;
    } catch (...) {
        m_error = std::current_exception();
    }
}

void MemoryDbWorker::exec(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
}

StmtPtr MemoryDbWorker::prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) fail(db, sql);
    return StmtPtr(raw);
}

void MemoryDbWorker::step_done(sqlite3* db, sqlite3_stmt* st, const char* what) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) fail(db, what);
}

std::int64_t MemoryDbWorker::query_int(sqlite3* db, const std::string& sql) {
    StmtPtr st = prepare(db, sql);
    if (sqlite3_step(st.get()) != SQLITE_ROW) fail(db, sql);
    return sqlite3_column_int64(st.get(), 0);
}

std::string MemoryDbWorker::quoted(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace lernorte::storage::detail
