#pragma once
// Vector tiles from the read model: the engine selects the features of a tile and hands them
// to the tiles module; finished tiles are cached by catalogue version, tile and filter.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/tiles/tile_math.hpp>

namespace lernorte::engine {

/// The encoded tile; nullopt when nothing lands in it (HTTP 204).
using TileBytes = std::optional<std::string>;

/// Renders one tile of the snapshot: layer "stadtraeume" (nr, name, population, per_10k) and
/// layer "places" (id, name, category, free, wheelchair; clustered at low zooms). Only the
/// place filters category, target_group, language, free and wheelchair are applied.
/// This reads every place of the tile; it is the reference for the TileIndex path below.
[[nodiscard]] TileBytes render_tile(const Catalogue& catalogue, tiles::TileId tile, const PlaceQuery& filter);

/// What one catalogue snapshot's tiles are rendered from quickly: every place's Web Mercator
/// position, feature id and numbered texts, and the clusters of all zooms below 14. Built once per
/// snapshot (see TileCache), it holds no pointer into the catalogue.
class TileIndex;

/// Builds the tile index of a snapshot (one pass over the places; a sort for the clusters).
[[nodiscard]] std::shared_ptr<const TileIndex> build_tile_index(const Catalogue& catalogue);

/// True when `index` was built from this very catalogue snapshot.
[[nodiscard]] bool index_serves(const TileIndex& index, const Catalogue& catalogue) noexcept;

/// The same tile as render_tile(catalogue, tile, filter), byte for byte (cluster centroids may
/// differ by one unit from rounding), rendered with the index of the snapshot: clusters from
/// the index's cells, places encoded without intermediate objects. `index` must serve `catalogue`.
[[nodiscard]] TileBytes render_tile(const Catalogue& catalogue, const TileIndex& index, tiles::TileId tile,
                                    const PlaceQuery& filter);

/// A stable 52-bit feature id for a place id (UUID): its first 13 hex digits. Below 2^52, so
/// it never meets a cluster id and JavaScript reads it exactly.
[[nodiscard]] std::uint64_t feature_id(std::string_view place_id) noexcept;

/// An LRU cache of rendered tiles. The key holds the catalogue version, so a write (a new
/// version) is in the very next tile; entries of older versions are dropped when a newer
/// version is first seen.
class TileCache {
public:
    explicit TileCache(std::size_t capacity = 4096) : m_capacity(capacity) {}

    /// The tile from the cache, or rendered (and cached) now. `filter_key` identifies the filter.
    [[nodiscard]] std::shared_ptr<const TileBytes> get(const Catalogue& catalogue, tiles::TileId tile,
                                                       const PlaceQuery& filter, const std::string& filter_key);

    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] std::uint64_t hits() const;
    [[nodiscard]] std::uint64_t misses() const;

private:
    /// The index of this snapshot, built now if no other build runs; null while another thread
    /// builds one (the tile is then rendered without it) or for a snapshot older than the index's.
    [[nodiscard]] std::shared_ptr<const TileIndex> index_for(const Catalogue& catalogue);

    using Entry = std::pair<std::string, std::shared_ptr<const TileBytes>>;
    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::list<Entry> m_lru;  // most recent first
    std::unordered_map<std::string, std::list<Entry>::iterator> m_index;
    std::int64_t m_version = -1;
    std::uint64_t m_hits = 0;
    std::uint64_t m_misses = 0;
    std::shared_ptr<const TileIndex> m_tile_index;  // of the newest snapshot seen
    bool m_index_building = false;
};

}  // namespace lernorte::engine
