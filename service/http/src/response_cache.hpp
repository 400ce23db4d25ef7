#pragma once
// Finished answers of one catalogue version, keyed by the normalised request, so a page that
// many clients ask for (a campaign link, a map view) is encoded once. A new catalogue
// version empties the cache.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <lernorte/http/api.hpp>

namespace lernorte::http::detail {

class ResponseCache {
public:
    explicit ResponseCache(std::size_t max_bytes = 64 * 1024 * 1024, std::size_t max_entry = 2 * 1024 * 1024)
        : m_max_bytes(max_bytes), m_max_entry(max_entry) {}

    [[nodiscard]] std::shared_ptr<const Response> get(std::int64_t version, const std::string& key) {
        std::lock_guard lock(m_mutex);
        if (version != m_version) return nullptr;
        const auto it = m_index.find(key);
        if (it == m_index.end()) return nullptr;
        m_lru.splice(m_lru.begin(), m_lru, it->second);
        return it->second->second;
    }

    void put(std::int64_t version, const std::string& key, std::shared_ptr<const Response> response) {
        if (response->body_view().size() > m_max_entry) return;
        std::lock_guard lock(m_mutex);
        if (version < m_version) return;  // answered from a snapshot already replaced
        if (version > m_version) {
            m_lru.clear();
            m_index.clear();
            m_bytes = 0;
            m_version = version;
        }
        if (m_index.count(key) != 0) return;
        m_lru.emplace_front(key, std::move(response));
        m_index.emplace(key, m_lru.begin());
        m_bytes += size_of(*m_lru.front().second);
        while (m_bytes > m_max_bytes && !m_lru.empty()) {
            m_bytes -= size_of(*m_lru.back().second);
            m_index.erase(m_lru.back().first);
            m_lru.pop_back();
        }
    }

private:
    static std::size_t size_of(const Response& r) { return r.body_view().size() + 512; }

    using Entry = std::pair<std::string, std::shared_ptr<const Response>>;
    std::size_t m_max_bytes;
    std::size_t m_max_entry;
    std::mutex m_mutex;
    std::list<Entry> m_lru;
    std::unordered_map<std::string, std::list<Entry>::iterator> m_index;
    std::size_t m_bytes = 0;
    std::int64_t m_version = -1;
};

}  // namespace lernorte::http::detail
