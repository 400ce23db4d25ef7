#pragma once
// The engine owns the store and the current read model. Reads take a snapshot; a write
// commits to the store and then publishes a new snapshot, so readers never wait for writers.

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/engine/snapshot.hpp>
#include <lernorte/storage/store.hpp>

namespace lernorte::engine {

/// What the read model holds: everything (a server), or only the Stadträume and the outline
/// (a command-line import, which needs the boundaries to validate and locate places).
enum class LoadMode { full, boundaries_only };

class Engine {
public:
    /// Loads the first read model from the store. With a `snapshot_path` (full mode only) it
    /// first tries the snapshot file there; when that is missing or stale it loads from the
    /// store and writes the file on a background thread.
    explicit Engine(std::unique_ptr<storage::Store> store, LoadMode mode = LoadMode::full,
                    std::string snapshot_path = {});
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    /// Waits for a snapshot write that is under way; does not write one (see save_snapshot).
    ~Engine();

    /// The current snapshot; holding it keeps it alive, whatever is published meanwhile.
    [[nodiscard]] std::shared_ptr<const Catalogue> catalogue() const;

    /// Rebuilds the read model from the store and publishes it.
    void reload();
    /// After a write of places: returns once a snapshot of at least `version` is published.
    /// Concurrent writers share the work: one rebuild covers every commit made before it
    /// started. Keeps the current snapshot's Stadträume and outline (and what is derived from
    /// them) unless they changed in the store meanwhile; then it reloads everything.
    void publish_at_least(std::int64_t version);

    /// Reloads when the store holds a newer version than the published read model (a write
    /// from another process, e.g. `lernorte import` into the file a server is serving).
    /// Returns whether it reloaded.
    bool refresh_if_changed();

    /// Writes the published read model to the snapshot file unless the file already holds
    /// it (or there is no snapshot path). Returns whether it wrote; throws SnapshotError.
    bool save_snapshot();
    /// Whether the first read model came from the snapshot file.
    [[nodiscard]] bool loaded_from_snapshot() const noexcept { return m_from_snapshot; }
    /// Why the snapshot file was not used at start ("" when it was, or with no path).
    [[nodiscard]] const std::string& snapshot_skipped_because() const noexcept { return m_snapshot_problem; }
    /// The error of the background snapshot write, if it failed ("" otherwise). Call after
    /// wait_for_snapshot_write().
    [[nodiscard]] std::string snapshot_write_error() const;
    void wait_for_snapshot_write();

    [[nodiscard]] storage::Store& store() noexcept { return *m_store; }

    /// Serialises writers (one write transaction at a time, then its publication).
    [[nodiscard]] std::unique_lock<std::mutex> lock_writes() { return std::unique_lock(m_write_mutex); }

private:
    std::unique_ptr<storage::Store> m_store;
    LoadMode m_mode;
    std::string m_snapshot_path;
    mutable std::mutex m_snapshot_mutex;  // guards only the pointer swap (and m_current_key)
    std::shared_ptr<const Catalogue> m_current;
    SnapshotKey m_current_key;               // the store state m_current was loaded for
    std::int64_t m_boundaries_version = -1;  // of the published snapshot; guarded by m_publish_mutex
    std::mutex m_write_mutex;
    std::mutex m_publish_mutex;  // one rebuild at a time

    mutable std::mutex m_save_mutex;  // one snapshot write at a time; guards the two below
    std::optional<SnapshotKey> m_saved_key;  // what the snapshot file holds
    std::string m_write_error;
    std::thread m_writer;
    bool m_from_snapshot = false;
    std::string m_snapshot_problem;

    void swap_in(std::shared_ptr<const Catalogue> next, const SnapshotKey& key);
    bool load_snapshot();
    [[nodiscard]] std::shared_ptr<const Catalogue> load_places(std::shared_ptr<const Boundaries> boundaries,
                                                               std::int64_t version) const;
};

}  // namespace lernorte::engine
