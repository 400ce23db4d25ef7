#pragma once
// Reading features from any vector format GDAL/OGR reads (GeoJSON, CSV with lon/lat or WKT
// columns, Shapefile, GeoPackage, KML, ...), reprojected to EPSG:4326. GDAL types stay inside.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::geo {

/// An error reading a source, with the dataset (and layer) it concerns in what().
class SourceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct SourceOptions {
    std::string layer;  ///< empty: the first layer
    std::string s_srs;  ///< CRS to assume when the source has none (e.g. "EPSG:25833")
    /// CSV: names of the coordinate columns tried in order when no geometry column is given.
    std::vector<std::string> x_columns{"lon", "longitude", "lng", "x", "rechtswert", "easting"};
    std::vector<std::string> y_columns{"lat", "latitude", "y", "hochwert", "northing"};
};

/// One feature: attributes as text (as OGR formats them; null fields absent) and the geometry.
struct SourceFeature {
    std::int64_t number = 0;  ///< 1-based position in the layer, for reports
    std::map<std::string, std::string> fields;
    /// The geometry, reprojected to EPSG:4326; monostate when the feature has none.
    std::variant<std::monostate, Point, MultiPolygon> geometry;
    std::string geometry_error;  ///< why the geometry could not be read, when it could not
};

/// Opens a source. Throws SourceError: the file does not exist or no driver reads it,
/// the layer does not exist, the layer has no CRS and no s_srs was given, a CSV has no
/// geometry (neither a WKT column nor x/y columns).
class Source {
public:
    Source(const std::string& path, const SourceOptions& options);
    ~Source();
    Source(Source&&) noexcept;
    Source& operator=(Source&&) noexcept;
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;

    [[nodiscard]] std::string layer_name() const;
    /// Names of the attribute fields, in layer order.
    [[nodiscard]] std::vector<std::string> field_names() const;
    /// Feature count, or nullopt if the driver cannot tell. Some drivers count by scanning,
    /// so ask before the first next(): once reading has begun this answers only a count
    /// it already knows (it never rewinds a layer that is being read).
    [[nodiscard]] std::optional<std::int64_t> feature_count() const;
    /// The next feature, or nullopt at the end. Throws SourceError on a read error
    /// (e.g. a truncated file).
    std::optional<SourceFeature> next();
    /// The same into `out`, whose storage is reused (cheaper over a long file); false at the
    /// end, with `out` unspecified.
    bool next(SourceFeature& out);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace lernorte::geo
