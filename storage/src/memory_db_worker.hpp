// A thread of its own with a private in-memory SQLite database, working through tasks in the
// order they were posted (storage/src only). The index builders of a bulk load use it: the
// writing thread posts batches and goes on writing rows; at commit it takes the finished
// database as a serialized image and copies tables out of it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "sqlite_handles.hpp"

namespace lernorte::storage::detail {

/// A serialized SQLite database, owned through sqlite3_free().
struct DatabaseImage {
    struct Free {
        void operator()(unsigned char* p) const noexcept;
    };
    std::unique_ptr<unsigned char, Free> data;
    std::int64_t size = 0;
};

class MemoryDbWorker {
public:
    using Task = std::function<void(sqlite3*)>;

    /// Starts the thread and opens its database. `what` starts every error message
    /// ("spatial index build", "search index build").
    explicit MemoryDbWorker(std::string what);
    ~MemoryDbWorker();  // stops after the running task; the rest and the database are dropped
    MemoryDbWorker(const MemoryDbWorker&) = delete;
    MemoryDbWorker& operator=(const MemoryDbWorker&) = delete;

    /// Queues a task. After a task has failed, the ones after it are skipped.
    void post(Task task);
    /// Waits for every task, then serializes the database. Throws std::runtime_error when a
    /// task failed (the first failure, prefixed with `what`). Call at most once.
    DatabaseImage finish();

    // Helpers for tasks; they throw std::runtime_error with SQLite's message.
    static void exec(sqlite3* db, const std::string& sql);
    static StmtPtr prepare(sqlite3* db, const std::string& sql);
    static void step_done(sqlite3* db, sqlite3_stmt* st, const char* what);  // runs and resets
    static std::int64_t query_int(sqlite3* db, const std::string& sql);
    static std::string quoted(const std::string& name);  // an SQL identifier in double quotes

private:
    void run();

    std::string m_what;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<Task> m_queue;
    bool m_done = false;      // no more tasks, or the owner gave up
    bool m_abandoned = false; // the destructor: drop what is queued
    DatabaseImage m_image;
    std::exception_ptr m_error;
    std::thread m_thread;     // last: starts after everything it uses exists
};

}  // namespace lernorte::storage::detail
