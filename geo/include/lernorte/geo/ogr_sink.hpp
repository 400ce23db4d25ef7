#pragma once
// Writing polygon layers with attributes to a file in a GDAL vector format and handing back its
// bytes (for downloads). The file is written in GDAL's in-memory file system; GDAL types stay
// inside.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::geo {

/// An error writing a sink, naming the format (and layer) in what().
class SinkError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class SinkFormat { geojson, kml, gpkg };

struct SinkField {
    enum class Type { integer, real, string };
    std::string name;
    Type type = Type::string;
};

/// A value per field, in field order; monostate writes a null.
using SinkValue = std::variant<std::monostate, std::int64_t, double, std::string>;

struct SinkFeature {
    MultiPolygon geometry;  ///< lon/lat (EPSG:4326)
    std::vector<SinkValue> values;
};

struct SinkLayer {
    std::string name;
    std::vector<SinkField> fields;
    std::vector<SinkFeature> features;
};

/// The GDAL driver name of a format ("GeoJSON", "KML", "GPKG").
[[nodiscard]] std::string_view sink_driver(SinkFormat format) noexcept;

/// Whether a format holds more than one layer (GeoJSON holds one FeatureCollection).
[[nodiscard]] bool sink_multi_layer(SinkFormat format) noexcept;

/// Writes the layers (EPSG:4326, multipolygons) and returns the file's bytes. Throws SinkError
/// when GDAL refuses (e.g. several layers for GeoJSON, a value that does not match its field).
/// Safe to call from several threads at once.
[[nodiscard]] std::string write_layers(SinkFormat format, const std::vector<SinkLayer>& layers);

}  // namespace lernorte::geo
