#include <lernorte/engine/tile_service.hpp>

#include <cmath>

#include <lernorte/tiles/mvt.hpp>

namespace lernorte::engine {

std::uint64_t feature_id(const std::string& place_id) noexcept {
    std::uint64_t id = 0;
    int digits = 0;
    for (char c : place_id) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) continue;
        id = (id << 4) | static_cast<std::uint64_t>(v);
        if (++digits == 13) break;
    }
    return id;  // 52 bits: below the cluster ids (bit 52) and exact in JavaScript
}

TileBytes render_tile(const Catalogue& catalogue, tiles::TileId tile, const PlaceQuery& filter) {
    const tiles::TileOptions options;
    // Features within the buffered tile: the buffer is options.buffer / extent of a tile.
    geo::BBox box = tiles::tile_bounds(tile);
    const double margin_x = (box.max_x - box.min_x) * options.buffer / options.extent;
    const double margin_y = (box.max_y - box.min_y) * options.buffer / options.extent;
    box = {box.min_x - margin_x, box.min_y - margin_y, box.max_x + margin_x, box.max_y + margin_y};

    std::vector<tiles::AreaFeature> areas;
    const auto& stats = catalogue.stats().stadtraeume;
    for (std::size_t i = 0; i < catalogue.stadtraeume().size(); ++i) {
        const auto& s = catalogue.stadtraeume()[i];
        if (!catalogue.stadtraum_box(i).intersects(box)) continue;
        double per_10k = 0.0;
        for (const auto& a : stats) {
            if (a.nr == s.nr) per_10k = std::round(a.per_10k * 100.0) / 100.0;
        }
        areas.push_back(tiles::AreaFeature{static_cast<std::uint64_t>(s.nr), &s.geometry,
                                           {{"nr", std::int64_t{s.nr}},
                                            {"name", s.short_name},
                                            {"population", std::int64_t{s.population}},
                                            {"per_10k", per_10k}},
                                           &catalogue.stadtraum_mercator(i)});
    }

    PlaceQuery q;
    q.bbox = box;
    q.categories = filter.categories;
    q.target_groups = filter.target_groups;
    q.languages = filter.languages;
    q.wheelchair = filter.wheelchair;
    q.free = filter.free;
    q.limit = catalogue.size();
    std::vector<tiles::PointFeature> points;
    for (const PlaceHit& h : catalogue.query(q).hits) {
        const std::string id(catalogue.id(h.index));
        const std::string category(catalogue.category(h.index));
        tiles::PointFeature f{feature_id(id), catalogue.position(h.index), category,
                              {{"id", id},
                               {"name", std::string(catalogue.name(h.index))},
                               {"category", category},
                               {"wheelchair", std::string(catalogue.wheelchair(h.index))}}};
        if (const auto free = catalogue.free(h.index)) f.properties.push_back({"free", *free});
        points.push_back(std::move(f));
    }
    return tiles::build_tile(tile, areas, points, options);
}

std::shared_ptr<const TileBytes> TileCache::get(const Catalogue& catalogue, tiles::TileId tile,
                                                const PlaceQuery& filter, const std::string& filter_key) {
    const std::string key = std::to_string(catalogue.version()) + "/" + std::to_string(tile.z) + "/" +
                            std::to_string(tile.x) + "/" + std::to_string(tile.y) + "?" + filter_key;
    {
        std::lock_guard lock(m_mutex);
        if (catalogue.version() > m_version) {
            // A newer catalogue: tiles of older versions can never be asked for again.
            m_lru.clear();
            m_index.clear();
            m_version = catalogue.version();
        }
        if (const auto it = m_index.find(key); it != m_index.end()) {
            m_lru.splice(m_lru.begin(), m_lru, it->second);
            ++m_hits;
            return it->second->second;
        }
        ++m_misses;
    }
    // Rendered outside the lock: other tiles keep being served meanwhile.
    auto bytes = std::make_shared<const TileBytes>(render_tile(catalogue, tile, filter));
    std::lock_guard lock(m_mutex);
    if (catalogue.version() < m_version) return bytes;  // rendered from a snapshot already replaced
    if (m_index.find(key) == m_index.end()) {
        m_lru.emplace_front(key, bytes);
        m_index.emplace(key, m_lru.begin());
        if (m_lru.size() > m_capacity) {
            m_index.erase(m_lru.back().first);
            m_lru.pop_back();
        }
    }
    return bytes;
}

std::size_t TileCache::size() const {
    std::lock_guard lock(m_mutex);
    return m_lru.size();
}

std::uint64_t TileCache::hits() const {
    std::lock_guard lock(m_mutex);
    return m_hits;
}

std::uint64_t TileCache::misses() const {
    std::lock_guard lock(m_mutex);
    return m_misses;
}

}  // namespace lernorte::engine
