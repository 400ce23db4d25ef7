#include <lernorte/engine/engine.hpp>

namespace lernorte::engine {

Engine::Engine(std::unique_ptr<storage::Store> store, LoadMode mode) : m_store(std::move(store)), m_mode(mode) {
    reload();
}

std::shared_ptr<const Catalogue> Engine::catalogue() const {
    std::lock_guard lock(m_snapshot_mutex);
    return m_current;
}

void Engine::swap_in(std::shared_ptr<const Catalogue> next) {
    std::lock_guard lock(m_snapshot_mutex);
    // Never replace a snapshot by an older one (two publishers finishing out of order).
    if (!m_current || next->version() >= m_current->version()) m_current = std::move(next);
}

void Engine::reload() {
    std::lock_guard publish(m_publish_mutex);
    // The versions are read first: the snapshot then holds at least what they name.
    const std::int64_t version = m_store->data_version();
    m_boundaries_version = m_store->boundaries_version();
    // Built outside the snapshot lock: readers keep answering from the old snapshot.
    auto places = m_mode == LoadMode::full ? m_store->places("published") : std::vector<storage::Place>{};
    swap_in(Catalogue::build(std::move(places), m_store->stadtraeume(), m_store->outline(), version));
}

void Engine::publish_at_least(std::int64_t version) {
    std::unique_lock publish(m_publish_mutex);
    if (catalogue()->version() >= version) return;  // published by another writer meanwhile
    if (m_store->boundaries_version() != m_boundaries_version) {
        publish.unlock();
        reload();
        return;
    }
    const std::int64_t current = m_store->data_version();
    auto places = m_mode == LoadMode::full ? m_store->places("published") : std::vector<storage::Place>{};
    swap_in(Catalogue::build(std::move(places), catalogue()->boundaries(), current));
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

}  // namespace lernorte::engine
