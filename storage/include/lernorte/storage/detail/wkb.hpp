#pragma once
// Well-known binary for the geometries the store exchanges with SpatiaLite. Storage writes
// and reads WKB itself (rather than through the geo module) so coordinates pass through
// as the exact doubles and storage depends only on geo's value types.

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

}  // namespace lernorte::storage::detail
