#include <lernorte/engine/engine.hpp>

namespace lernorte::engine {

Engine::Engine(std::unique_ptr<storage::Store> store, LoadMode mode) : m_store(std::move(store)), m_mode(mode) {
    reload();
}

std::shared_ptr<const Catalogue> Engine::catalogue() const {
    std::lock_guard lock(m_snapshot_mutex);
    return m_current;
}

void Engine::reload() {
    // Built outside the snapshot lock: readers keep answering from the old snapshot.
    auto places = m_mode == LoadMode::full ? m_store->places("published") : std::vector<storage::Place>{};
    auto next = Catalogue::build(std::move(places), m_store->stadtraeume(), m_store->outline(),
                                 m_store->data_version());
    std::lock_guard lock(m_snapshot_mutex);
    m_current = std::move(next);
}

void Engine::publish_places() {
    auto places = m_mode == LoadMode::full ? m_store->places("published") : std::vector<storage::Place>{};
    auto next = Catalogue::build(std::move(places), catalogue()->boundaries(), m_store->data_version());
    std::lock_guard lock(m_snapshot_mutex);
    m_current = std::move(next);
}

bool Engine::refresh_if_changed() {
    auto lock = lock_writes();
    if (m_store->data_version() == catalogue()->version()) return false;
    reload();
    return true;
}

}  // namespace lernorte::engine
