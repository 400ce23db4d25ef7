#pragma once
// Well-known binary for the geometries the store exchanges with SpatiaLite. Storage writes
// and reads WKB itself (rather than through the geo module) so coordinates pass through
// as the exact doubles and storage depends only on geo's value types.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::storage::detail {

/// 2D MULTIPOLYGON in little-endian WKB.
[[nodiscard]] std::vector<unsigned char> write_wkb(const geo::MultiPolygon& mp);

/// A 2D POLYGON or MULTIPOLYGON in either byte order; a polygon becomes a multipolygon of one.
/// Throws std::invalid_argument on truncated input or another geometry type.
[[nodiscard]] geo::MultiPolygon read_wkb_multipolygon(std::span<const unsigned char> wkb);

/// A 2D POINT in either byte order. Throws std::invalid_argument otherwise.
[[nodiscard]] geo::Point read_wkb_point(std::span<const unsigned char> wkb);

/// The 60 bytes of a 2D POINT in SpatiaLite's own geometry BLOB format, as its MakePoint(x, y,
/// srid) writes them (little-endian): 0x00, byte order 0x01, SRID, the MBR (min x, min y, max x,
/// max y), 0x7C, class 1 (POINT), x, y, 0xFE. See SpatiaLite's "BLOB-Geometry" documentation.
using SpatialitePoint = std::array<unsigned char, 60>;
[[nodiscard]] SpatialitePoint spatialite_point_blob(const geo::Point& p, std::int32_t srid);

}  // namespace lernorte::storage::detail
