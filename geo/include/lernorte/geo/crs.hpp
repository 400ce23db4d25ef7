#pragma once
// Coordinate reference system transformations backed by PROJ. PROJ objects are not
// thread-safe: one Transformer per thread.

#include <memory>
#include <string>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::geo {

inline constexpr const char* wgs84 = "EPSG:4326";
inline constexpr const char* utm33 = "EPSG:25833";  ///< ETRS89 / UTM 33N, metres, for Dresden

/// Transforms between two CRS given as PROJ strings ("EPSG:25833", WKT, PROJJSON).
/// Always in traditional GIS order (x = lon/easting), whatever the CRS's axis order.
class Transformer {
public:
    /// Throws std::runtime_error naming both CRS when PROJ cannot build the operation.
    Transformer(const std::string& from, const std::string& to);
    ~Transformer();
    Transformer(Transformer&&) noexcept;
    Transformer& operator=(Transformer&&) noexcept;
    Transformer(const Transformer&) = delete;
    Transformer& operator=(const Transformer&) = delete;

    /// Throws std::runtime_error when the point cannot be transformed (non-finite result).
    [[nodiscard]] Point forward(Point p) const;
    [[nodiscard]] MultiPolygon forward(const MultiPolygon& mp) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Area in km² of a lon/lat multipolygon, computed in EPSG:25833.
[[nodiscard]] double area_km2_wgs84(const MultiPolygon& mp);

}  // namespace lernorte::geo
