#pragma once
// Web Mercator (EPSG:3857) tile arithmetic for the WebMercatorQuad tile matrix set.

#include <cstdint>
#include <numbers>
#include <optional>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::tiles {

inline constexpr int max_zoom = 22;
/// Half the width of the Web Mercator world in metres (pi times the WGS84 equatorial radius).
inline constexpr double half_world_m = std::numbers::pi * 6378137.0;
/// Latitude limit of Web Mercator.
inline constexpr double max_latitude = 85.05112877980659;

struct TileId {
    int z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    friend bool operator==(const TileId&, const TileId&) = default;
};

/// A tile id if z is in 0..max_zoom and x, y are in 0..2^z-1, else nullopt.
[[nodiscard]] std::optional<TileId> make_tile(std::int64_t z, std::int64_t x, std::int64_t y) noexcept;

/// The tile containing a lon/lat point at zoom z (latitude clamped to the Mercator limit).
[[nodiscard]] TileId tile_for(geo::Point lonlat, int z) noexcept;

/// The lon/lat bounds of a tile.
[[nodiscard]] geo::BBox tile_bounds(TileId t) noexcept;

/// Projects lon/lat to Web Mercator metres.
[[nodiscard]] geo::Point to_mercator(geo::Point lonlat) noexcept;
/// Inverse of to_mercator.
[[nodiscard]] geo::Point from_mercator(geo::Point xy) noexcept;

/// Position of a lon/lat point in tile-local coordinates of `extent` units (0,0 = top left).
[[nodiscard]] geo::Point to_tile_coords(geo::Point lonlat, TileId t, std::uint32_t extent) noexcept;

/// A tile's placement in Web Mercator metres: maps projected points (to_mercator) to tile-local
/// coordinates with exactly the arithmetic of to_tile_coords, so both give the same doubles.
class TileFrame {
public:
    TileFrame(TileId t, std::uint32_t extent) noexcept;
    /// Tile-local coordinates of a point in Web Mercator metres.
    [[nodiscard]] geo::Point to_tile(geo::Point mercator) const noexcept {
        return {(mercator.x - m_min_x) / m_size * m_extent, (m_max_y - mercator.y) / m_size * m_extent};
    }

private:
    double m_size;
    double m_min_x;
    double m_max_y;
    double m_extent;
};

}  // namespace lernorte::tiles
