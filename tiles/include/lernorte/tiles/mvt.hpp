#pragma once
// Mapbox Vector Tile 2.1 encoder for the two Lernorte layers. The engine hands it features;
// this module never reads storage.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/tiles/point_layer.hpp>
#include <lernorte/tiles/tile_geometry.hpp>
#include <lernorte/tiles/tile_math.hpp>

namespace lernorte::tiles {

/// A property value; encoded as MVT string_value, uint_value (>= 0) / sint_value (< 0), double_value, bool_value.
using Value = std::variant<std::string, std::int64_t, double, bool>;

/// One key/value tag of a feature. Within a feature the first property with a given key wins.
struct Property {
    std::string key;
    Value value;
};

/// A place. `category` is written as the property "category" unless `properties` already holds one,
/// and it drives the count_<category> properties of clusters.
struct PointFeature {
    std::uint64_t id = 0;  ///< stable id from the caller, below 2^52 (clusters use bit 52)
    geo::Point lonlat;
    std::string category;
    std::vector<Property> properties;
};

/// A Stadtraum (or any area). The geometry is borrowed; it must outlive the build_tile call.
struct AreaFeature {
    std::uint64_t id = 0;
    const geo::MultiPolygon* geometry = nullptr;
    std::vector<Property> properties;
    /// Optional: the same geometry already projected to Web Mercator metres (to_mercator of
    /// every vertex). A caller that renders many tiles of one geometry projects it once.
    const geo::MultiPolygon* mercator = nullptr;
    /// Optional, with `mercator`: ring_boxes(*mercator), computed once for many tiles.
    const RingBoxes* mercator_boxes = nullptr;
};

struct TileOptions {
    std::uint32_t extent = 4096;
    std::uint32_t buffer = 64;          // in extent units, around the tile
    int cluster_below_zoom = 14;        // points are clustered at zooms below this
    std::uint32_t cluster_cell = 256;   // cluster grid cell size in extent units
    double simplify_tolerance = 1.0;    // Douglas-Peucker tolerance in extent units (tile space, so per zoom)
};

/// Name of the area layer.
inline constexpr const char* area_layer_name = "stadtraeume";
/// Name of the point layer.
inline constexpr const char* point_layer_name = "places";

/// Encodes a Mapbox Vector Tile 2.1 with layers "stadtraeume" (areas) and "places" (points).
/// Returns nullopt when no feature lands in the tile (the server answers 204).
/// Throws std::invalid_argument for options no tile can be built with (extent or cluster_cell 0,
/// extent + buffer beyond 2^30, negative or non-finite tolerance).
std::optional<std::string> build_tile(TileId tile, const std::vector<AreaFeature>& areas,
                                      const std::vector<PointFeature>& points, const TileOptions& options = {});

/// The same with the "places" layer already written (see PointLayer); only the areas are encoded here.
std::optional<std::string> build_tile_with_layer(TileId tile, const std::vector<AreaFeature>& areas,
                                                 const PointLayer& points, const TileOptions& options = {});

/// The id of the cluster feature for grid cell `cell` (row-major) of `tile`: a stable hash with
/// bit 52 set (and none above), so it never collides with place ids (below 2^52) and stays
/// exact in JavaScript (below 2^53).
[[nodiscard]] std::uint64_t cluster_id(TileId tile, std::uint64_t cell) noexcept;

}  // namespace lernorte::tiles
