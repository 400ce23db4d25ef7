#pragma once
// Test fixtures drawn in tile coordinates: the lon/lat of a tile-space position, so a test can say
// "a square from 100,100 to 300,300 in tile 14/8817/5481" and the encoder projects it back exactly.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/tiles/tile_math.hpp>

namespace lernorte::test {

/// The lon/lat point at tile-local position (tx, ty) of `t` (0,0 top left, `extent` units per tile side).
inline geo::Point lonlat_at(tiles::TileId t, double tx, double ty, std::uint32_t extent = 4096) {
    const double half_world = std::numbers::pi * 6378137.0;
    const double size = 2 * half_world / std::ldexp(1.0, t.z);
    const double mx = -half_world + (t.x + tx / extent) * size;
    const double my = half_world - (t.y + ty / extent) * size;
    return tiles::from_mercator({mx, my});
}

/// A closed lon/lat ring through tile-space vertices given as {x, y} pairs.
inline geo::Ring ring_at(tiles::TileId t, const std::vector<geo::Point>& tile_xy, std::uint32_t extent = 4096) {
    geo::Ring ring;
    for (const geo::Point& p : tile_xy) ring.push_back(lonlat_at(t, p.x, p.y, extent));
    ring.push_back(ring.front());
    return ring;
}

}  // namespace lernorte::test
