// Builds an SQLite R*Tree on a thread of its own, in a private in-memory database, while the
// caller goes on writing rows. Used by a bulk load into an empty spatial index: SQLite inserts
// R*Tree entries one by one (about 6 µs each), and on the writing thread that was a quarter of
// an import. The result is a serialized database image holding one rtree virtual table with
// the requested name; the store copies its shadow tables into the real index. The tree is
// built by the same SQLite library and module that reads it afterwards, from the same
// INSERT statements the store would run, so nothing here depends on the module's node format.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lernorte::storage::detail {

/// A serialized SQLite database, owned through sqlite3_free().
struct DatabaseImage {
    struct Free {
        void operator()(unsigned char* p) const noexcept;
    };
    std::unique_ptr<unsigned char, Free> data;
    std::int64_t size = 0;
};

class RtreeBuilder {
public:
    /// One operation on the tree, in the order the store decided it.
    struct Entry {
        std::int64_t id;
        double xmin, xmax, ymin, ymax;
        bool replace;  // remove an earlier entry of this id first
        bool align;    // pass the bounds through the builder's `align` function (on its thread)
    };

    /// Starts the thread with an empty `table USING rtree(pkid, xmin, xmax, ymin, ymax)`.
    /// `align`, if given, maps the bounds of entries marked `align` before they are inserted.
    explicit RtreeBuilder(std::string table, double (*align)(double) = nullptr);
    ~RtreeBuilder();  // stops the thread; an unfinished tree is thrown away
    RtreeBuilder(const RtreeBuilder&) = delete;
    RtreeBuilder& operator=(const RtreeBuilder&) = delete;

    void add(const Entry& e);
    /// Waits for every entry, then returns the database image. Throws std::runtime_error when
    /// the thread failed (the message says why). Call at most once.
    DatabaseImage finish();

private:
    void hand_over();  // moves m_batch to the thread's queue
    void run();

    std::string m_table;
    double (*m_align)(double);
    std::vector<Entry> m_batch;  // filled by the caller's thread only
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::vector<Entry>> m_queue;
    bool m_done = false;      // no more entries
    bool m_finished = false;  // the thread has stopped (m_image or m_error set)
    DatabaseImage m_image;
    std::exception_ptr m_error;
    std::thread m_thread;     // last: starts after everything it uses exists
};

}  // namespace lernorte::storage::detail
