#pragma once
// Area geometry in tile space: clip to the buffered tile, simplify, round, orient for MVT 2.1.
// Pure functions on plain values so each step can be tested on small synthetic rings.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/tiles/tile_math.hpp>

namespace lernorte::tiles {

/// A vertex in integer tile coordinates (0,0 = top left, y grows downwards).
struct TilePoint {
    std::int32_t x = 0;
    std::int32_t y = 0;
    friend bool operator==(const TilePoint&, const TilePoint&) = default;
};

/// An open ring in integer tile coordinates: the first vertex is not repeated at the end.
using TileRing = std::vector<TilePoint>;

/// One polygon in tile space (doubles): rings[0] is the exterior, the others are holes.
/// Rings may be given closed (first == last) or open.
using TileSpacePolygon = std::vector<std::vector<geo::Point>>;

/// What the area pipeline needs from the tile options.
struct AreaGeometryOptions {
    std::uint32_t extent = 4096;
    std::uint32_t buffer = 64;          ///< in extent units, around the tile
    double simplify_tolerance = 1.0;    ///< Douglas–Peucker tolerance in extent units; <= 0 keeps every vertex
};

/// Twice the signed area by the MVT 2.1 formula (sum of x1*y2 - x2*y1 in tile coordinates, y down):
/// positive for rings that run clockwise on screen (exteriors), negative for holes.
[[nodiscard]] std::int64_t mvt_area2(const TileRing& ring) noexcept;

/// Clips a ring (open or closed) to the square [lo, hi] x [lo, hi] with Sutherland–Hodgman.
/// Returns an open ring, empty when the ring lies outside the square.
[[nodiscard]] std::vector<geo::Point> clip_ring(std::vector<geo::Point> ring, double lo, double hi);

/// Douglas–Peucker simplification of an open ring, treated as closed (the first vertex is the anchor
/// and always kept). Returns an open ring; a ring within `tolerance` of its anchor collapses to it.
[[nodiscard]] std::vector<geo::Point> simplify_ring(const std::vector<geo::Point>& ring, double tolerance);

/// Rounds an open ring to integers and removes consecutive duplicates (also across the closing edge).
[[nodiscard]] TileRing round_ring(const std::vector<geo::Point>& ring);

/// Clips, simplifies, rounds and orients one tile-space polygon. Returns its rings in MVT order:
/// the exterior (positive mvt_area2) followed by its holes (negative). Rings with fewer than three
/// distinct vertices or zero area are dropped; if the exterior is dropped the whole polygon is.
/// A ring with a non-finite coordinate counts as dropped.
[[nodiscard]] std::vector<TileRing> prepare_polygon(const TileSpacePolygon& polygon, const AreaGeometryOptions& options);

/// Projects a lon/lat multipolygon into `tile` and runs prepare_polygon on each polygon.
/// Returns the concatenated rings of all polygons that survive; empty when nothing lands in the tile.
[[nodiscard]] std::vector<TileRing> tile_polygon_rings(const geo::MultiPolygon& lonlat, TileId tile,
                                                       const AreaGeometryOptions& options);

/// Boxes of a Web Mercator multipolygon, computed once for the many tiles drawn from it.
struct RingBoxes {
    /// Vertices per chunk: a chunk that lies wholly on one side of a tile is reduced to its
    /// first and last vertex before clipping (see tile_polygon_rings_mercator).
    static constexpr std::size_t chunk_vertices = 16;
    std::vector<geo::BBox> polygons;  ///< the box of each polygon's exterior ring
    /// [polygon][ring]: the box of every chunk of the open ring (a closing vertex equal to the
    /// first is left out), chunk k holding vertices [k * chunk_vertices, (k + 1) * chunk_vertices].
    /// Empty for a ring with a non-finite coordinate.
    std::vector<std::vector<std::vector<geo::BBox>>> chunks;
};

/// The boxes of `multi`, for tile_polygon_rings_mercator.
[[nodiscard]] RingBoxes ring_boxes(const geo::MultiPolygon& multi);

/// The same for a multipolygon already in Web Mercator metres (to_mercator of each vertex):
/// no trigonometry per vertex, and polygons whose box misses the buffered tile are skipped.
/// Gives exactly the rings of tile_polygon_rings on the lon/lat original. `boxes`, if given,
/// holds ring_boxes(mercator): then the boxes are not computed again for every tile, and a
/// ring crossing the tile is projected and clipped without the inner vertices of its chunks
/// that lie wholly beyond one edge of the buffered tile. Those vertices cannot change what
/// Sutherland–Hodgman keeps (the result is the same, vertex for vertex), and for a long
/// boundary through a small tile they are nearly all of it.
[[nodiscard]] std::vector<TileRing> tile_polygon_rings_mercator(const geo::MultiPolygon& mercator, TileId tile,
                                                                const AreaGeometryOptions& options,
                                                                const RingBoxes* boxes = nullptr);

}  // namespace lernorte::tiles
