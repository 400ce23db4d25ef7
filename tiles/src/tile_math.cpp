#include <lernorte/tiles/tile_math.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lernorte::tiles {
namespace {
constexpr double earth_radius = 6378137.0;
constexpr double half_world = half_world_m;
}  // namespace

std::optional<TileId> make_tile(std::int64_t z, std::int64_t x, std::int64_t y) noexcept {
    if (z < 0 || z > max_zoom) return std::nullopt;
    const std::int64_t n = std::int64_t{1} << z;
    if (x < 0 || y < 0 || x >= n || y >= n) return std::nullopt;
    return TileId{static_cast<int>(z), static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y)};
}

geo::Point to_mercator(geo::Point p) noexcept {
    const double lat = std::clamp(p.y, -max_latitude, max_latitude);
    const double x = p.x * half_world / 180.0;
    const double y = std::log(std::tan((90.0 + lat) * std::numbers::pi / 360.0)) * earth_radius;
    return {x, y};
}

geo::Point from_mercator(geo::Point p) noexcept {
    const double lon = p.x / half_world * 180.0;
    const double lat = std::atan(std::exp(p.y / earth_radius)) * 360.0 / std::numbers::pi - 90.0;
    return {lon, lat};
}

TileId tile_for(geo::Point lonlat, int z) noexcept {
    z = std::clamp(z, 0, max_zoom);
    const geo::Point m = to_mercator(lonlat);
    const double n = std::ldexp(1.0, z);
    const double fx = (m.x + half_world) / (2 * half_world) * n;
    const double fy = (half_world - m.y) / (2 * half_world) * n;
    const auto clamp_index = [n](double f) {
        return static_cast<std::uint32_t>(std::clamp(std::floor(f), 0.0, n - 1));
    };
    return {z, clamp_index(fx), clamp_index(fy)};
}

geo::BBox tile_bounds(TileId t) noexcept {
    const double n = std::ldexp(1.0, t.z);
    const double size = 2 * half_world / n;
    const double min_x = -half_world + t.x * size;
    const double max_y = half_world - t.y * size;
    const geo::Point sw = from_mercator({min_x, max_y - size});
    const geo::Point ne = from_mercator({min_x + size, max_y});
    return {sw.x, sw.y, ne.x, ne.y};
}

TileFrame::TileFrame(TileId t, std::uint32_t extent) noexcept
    : m_size(2 * half_world / std::ldexp(1.0, t.z)),
      m_min_x(-half_world + t.x * m_size),
      m_max_y(half_world - t.y * m_size),
      m_extent(extent) {}

geo::Point to_tile_coords(geo::Point lonlat, TileId t, std::uint32_t extent) noexcept {
    return TileFrame(t, extent).to_tile(to_mercator(lonlat));
}

}  // namespace lernorte::tiles
