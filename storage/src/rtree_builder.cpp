#include "rtree_builder.hpp"

#include <stdexcept>
#include <utility>

#include <sqlite3.h>

#include "sqlite_handles.hpp"

namespace lernorte::storage::detail {
namespace {

constexpr std::size_t batch_size = 4096;
using Db = DbPtr;
using Stmt = StmtPtr;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error("spatial index build: " + what + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
}

Stmt prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) fail(db, sql);
    return Stmt(raw);
}

void step(sqlite3* db, sqlite3_stmt* st, const char* what) {
    if (sqlite3_step(st) != SQLITE_DONE) fail(db, what);
    sqlite3_reset(st);
}

std::string quoted(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

void DatabaseImage::Free::operator()(unsigned char* p) const noexcept { sqlite3_free(p); }

RtreeBuilder::RtreeBuilder(std::string table, double (*align)(double))
    : m_table(std::move(table)), m_align(align), m_thread([this] { run(); }) {
    m_batch.reserve(batch_size);
}

RtreeBuilder::~RtreeBuilder() {
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
        m_queue.clear();
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void RtreeBuilder::add(const Entry& e) {
    m_batch.push_back(e);
    if (m_batch.size() >= batch_size) hand_over();
}

void RtreeBuilder::hand_over() {
    if (m_batch.empty()) return;
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(m_batch));
    }
    m_cv.notify_one();
    m_batch = {};
    m_batch.reserve(batch_size);
}

DatabaseImage RtreeBuilder::finish() {
    hand_over();
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
    }
    m_cv.notify_all();
    m_thread.join();
    if (m_error) std::rethrow_exception(m_error);
    return std::move(m_image);
}

void RtreeBuilder::run() {
    try {
        sqlite3* raw = nullptr;
        // A private connection used by this thread alone.
        const int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
        Db db(raw);
        if (rc != SQLITE_OK) {
            throw std::runtime_error(std::string("spatial index build: cannot open an in-memory database: ") +
                                     sqlite3_errstr(rc));
        }
        const std::string name = quoted(m_table);
        exec(db.get(), "CREATE VIRTUAL TABLE " + name + " USING rtree(pkid, xmin, xmax, ymin, ymax)");
        exec(db.get(), "BEGIN");
        Stmt remove = prepare(db.get(), "DELETE FROM " + name + " WHERE pkid = ?1");
        Stmt insert = prepare(db.get(), "INSERT INTO " + name + " (pkid, xmin, xmax, ymin, ymax) VALUES (?1, ?2, ?3, ?4, ?5)");
        for (;;) {
            std::vector<std::vector<Entry>> work;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [&] { return m_done || !m_queue.empty(); });
                work.swap(m_queue);
                if (work.empty()) break;  // done and drained
            }
            for (const auto& batch : work) {
                for (Entry e : batch) {
                    if (e.align && m_align != nullptr) {
                        e.xmin = m_align(e.xmin);
                        e.xmax = m_align(e.xmax);
                        e.ymin = m_align(e.ymin);
                        e.ymax = m_align(e.ymax);
                    }
                    if (e.replace) {
                        sqlite3_bind_int64(remove.get(), 1, e.id);
                        step(db.get(), remove.get(), "remove an entry");
                    }
                    sqlite3_bind_int64(insert.get(), 1, e.id);
                    sqlite3_bind_double(insert.get(), 2, e.xmin);
                    sqlite3_bind_double(insert.get(), 3, e.xmax);
                    sqlite3_bind_double(insert.get(), 4, e.ymin);
                    sqlite3_bind_double(insert.get(), 5, e.ymax);
                    step(db.get(), insert.get(), "insert an entry");
                }
            }
        }
        remove.reset();
        insert.reset();
        exec(db.get(), "COMMIT");
        sqlite3_int64 size = 0;
        unsigned char* image = sqlite3_serialize(db.get(), "main", &size, 0);
        if (image == nullptr) fail(db.get(), "serialize");
        m_image.data.reset(image);
        m_image.size = size;
    } catch (...) {
        m_error = std::current_exception();
    }
}

}  // namespace lernorte::storage::detail
