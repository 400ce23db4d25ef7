#include <lernorte/engine/engine.hpp>

#include <malloc.h>

namespace lernorte::engine {

Engine::Engine(std::unique_ptr<storage::Store> store, LoadMode mode, std::string snapshot_path)
    : m_store(std::move(store)), m_mode(mode), m_snapshot_path(mode == LoadMode::full ? std::move(snapshot_path) : "") {
    if (m_snapshot_path.empty()) {
        reload();
        return;
    }
    if (m_store->catalogue_token().empty()) {
        // A file from before catalogue tokens: an empty commit gives it one (and a new
        // version), so that its snapshot names one state of it.
        m_store->begin()->commit();
    }
    if (load_snapshot()) return;
    reload();
    // Loading built a lot of small objects and freed them again: give the memory back.
    malloc_trim(0);
    m_writer = std::thread([this] {
        try {
            save_snapshot();
        } catch (const std::exception& e) {
            std::lock_guard lock(m_save_mutex);
            m_write_error = e.what();
        }
    });
}

Engine::~Engine() { wait_for_snapshot_write(); }

void Engine::wait_for_snapshot_write() {
    if (m_writer.joinable()) m_writer.join();
}

std::string Engine::snapshot_write_error() const {
    std::lock_guard lock(m_save_mutex);
    return m_write_error;
}

std::shared_ptr<const Catalogue> Engine::catalogue() const {
    std::lock_guard lock(m_snapshot_mutex);
    return m_current;
}

void Engine::swap_in(std::shared_ptr<const Catalogue> next, const SnapshotKey& key) {
    std::lock_guard lock(m_snapshot_mutex);
    // Never replace a snapshot by an older one (two publishers finishing out of order).
    if (!m_current || next->version() >= m_current->version()) {
        m_current = std::move(next);
        m_current_key = key;
    }
}

std::shared_ptr<const Catalogue> Engine::load_places(std::shared_ptr<const Boundaries> boundaries,
                                                     std::int64_t version) const {
    if (m_mode != LoadMode::full) return Catalogue::build(std::vector<storage::Place>{}, std::move(boundaries), version);
    // Streamed: the places go into the compact table one by one.
    return Catalogue::build([this](const auto& add) { m_store->for_each_place("published", add); },
                            std::move(boundaries), version);
}

bool Engine::load_snapshot() {
    std::lock_guard publish(m_publish_mutex);
    const SnapshotKey key = snapshot_key(*m_store);
    try {
        auto boundaries = Boundaries::build(m_store->stadtraeume(), m_store->outline());
        auto c = read_snapshot(m_snapshot_path, key, std::move(boundaries));
        m_boundaries_version = key.boundaries_version;
        swap_in(std::move(c), key);
        std::lock_guard lock(m_save_mutex);
        m_saved_key = key;
        m_from_snapshot = true;
        return true;
    } catch (const SnapshotError& e) {
        m_snapshot_problem = e.what();
        return false;
    }
}

void Engine::reload() {
    std::lock_guard publish(m_publish_mutex);
    // The versions are read first: the snapshot then holds at least what they name.
    const SnapshotKey key = snapshot_key(*m_store);
    m_boundaries_version = key.boundaries_version;
    // Built outside the snapshot lock: readers keep answering from the old snapshot.
    swap_in(load_places(Boundaries::build(m_store->stadtraeume(), m_store->outline()), key.data_version), key);
}

void Engine::publish_at_least(std::int64_t version) {
    std::unique_lock publish(m_publish_mutex);
    if (catalogue()->version() >= version) return;  // published by another writer meanwhile
    if (m_store->boundaries_version() != m_boundaries_version) {
        publish.unlock();
        reload();
        return;
    }
    const SnapshotKey key = snapshot_key(*m_store);
    swap_in(load_places(catalogue()->boundaries(), key.data_version), key);
}

bool Engine::refresh_if_changed() {
    auto lock = lock_writes();
    {
        std::lock_guard publish(m_publish_mutex);
        if (m_store->data_version() == catalogue()->version() && m_store->boundaries_version() == m_boundaries_version) {
            return false;
        }
    }
    reload();
    return true;
}

bool Engine::save_snapshot() {
    if (m_snapshot_path.empty()) return false;
    std::shared_ptr<const Catalogue> c;
    SnapshotKey key;
    {
        std::lock_guard lock(m_snapshot_mutex);
        c = m_current;
        key = m_current_key;
    }
    std::lock_guard lock(m_save_mutex);
    if (m_saved_key == key) return false;
    write_snapshot(*c, key, m_snapshot_path);
    m_saved_key = key;
    return true;
}

}  // namespace lernorte::engine
