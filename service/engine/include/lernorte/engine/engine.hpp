#pragma once
// The engine owns the store and the current read model. Reads take a snapshot; a write
// commits to the store and then publishes a new snapshot, so readers never wait for writers.

#include <memory>
#include <mutex>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/storage/store.hpp>

namespace lernorte::engine {

/// What the read model holds: everything (a server), or only the Stadträume and the outline
/// (a command-line import, which needs the boundaries to validate and locate places).
enum class LoadMode { full, boundaries_only };

class Engine {
public:
    /// Loads the first read model from the store.
    explicit Engine(std::unique_ptr<storage::Store> store, LoadMode mode = LoadMode::full);

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

    [[nodiscard]] storage::Store& store() noexcept { return *m_store; }

    /// Serialises writers (one write transaction at a time, then its publication).
    [[nodiscard]] std::unique_lock<std::mutex> lock_writes() { return std::unique_lock(m_write_mutex); }

private:
    std::unique_ptr<storage::Store> m_store;
    LoadMode m_mode;
    mutable std::mutex m_snapshot_mutex;  // guards only the pointer swap
    std::shared_ptr<const Catalogue> m_current;
    std::int64_t m_boundaries_version = -1;  // of the published snapshot; guarded by m_publish_mutex
    std::mutex m_write_mutex;
    std::mutex m_publish_mutex;  // one rebuild at a time

    void swap_in(std::shared_ptr<const Catalogue> next);
};

}  // namespace lernorte::engine
