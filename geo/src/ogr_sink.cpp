#include <lernorte/geo/ogr_sink.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "gdal_handles.hpp"

namespace lernorte::geo {

namespace {

using namespace detail;

void ensure_registered() { ensure_gdal_registered(); }

// A directory in GDAL's in-memory file system, removed with its content (GPKG may leave a
// journal beside the file) when the write is over, whatever happened.
class MemDir {
public:
    MemDir() {
        static std::atomic<unsigned long long> counter{0};
        m_path = "/vsimem/lernorte-sink-" + std::to_string(++counter);
        VSIMkdir(m_path.c_str(), 0755);
    }
    ~MemDir() { VSIRmdirRecursive(m_path.c_str()); }
    MemDir(const MemDir&) = delete;
    MemDir& operator=(const MemDir&) = delete;
    MemDir(MemDir&&) = delete;
    MemDir& operator=(MemDir&&) = delete;
    [[nodiscard]] const std::string& path() const noexcept { return m_path; }

private:
    std::string m_path;
};

std::string_view extension(SinkFormat format) noexcept {
    switch (format) {
    case SinkFormat::geojson: return "geojson";
    case SinkFormat::kml: return "kml";
    case SinkFormat::gpkg: return "gpkg";
    }
    return "bin";
}

OGRFieldType ogr_type(SinkField::Type t) noexcept {
    switch (t) {
    case SinkField::Type::integer: return OFTInteger64;
    case SinkField::Type::real: return OFTReal;
    case SinkField::Type::string: return OFTString;
    }
    return OFTString;
}

GeometryPtr to_ogr(const MultiPolygon& mp) {
    GeometryPtr multi{OGR_G_CreateGeometry(wkbMultiPolygon)};
    for (const auto& polygon : mp.polygons) {
        GeometryPtr poly{OGR_G_CreateGeometry(wkbPolygon)};
        for (const auto& ring : polygon.rings) {
            if (ring.empty()) continue;
            GeometryPtr r{OGR_G_CreateGeometry(wkbLinearRing)};
            for (const auto& p : ring) OGR_G_AddPoint_2D(r.get(), p.x, p.y);
            if (!(ring.front() == ring.back())) OGR_G_AddPoint_2D(r.get(), ring.front().x, ring.front().y);
            if (OGR_G_AddGeometryDirectly(poly.get(), r.get()) != OGRERR_NONE) throw SinkError("cannot build a ring");
            (void)r.release();  // owned by the polygon now
        }
        if (OGR_G_AddGeometryDirectly(multi.get(), poly.get()) != OGRERR_NONE) throw SinkError("cannot build a polygon");
        (void)poly.release();
    }
    return multi;
}

void write_layer(GDALDatasetH ds, SinkFormat format, const SinkLayer& layer, OGRSpatialReferenceH srs,
                 ErrorCapture& capture) {
    const std::string where = std::string(sink_driver(format)) + " layer '" + layer.name + "'";
    char** raw_options = nullptr;
    if (format == SinkFormat::geojson) {
        // RFC 7946: lon/lat, counter-clockwise exteriors, 7 decimals (about 1 cm).
        raw_options = CSLSetNameValue(raw_options, "RFC7946", "YES");
    }
    const CslPtr options{raw_options};
    OGRLayerH out = GDALDatasetCreateLayer(ds, layer.name.c_str(), srs, wkbMultiPolygon, options.get());
    if (out == nullptr) throw SinkError(where + ": " + capture.message());
    for (const auto& field : layer.fields) {
        const FieldDefnPtr defn{OGR_Fld_Create(field.name.c_str(), ogr_type(field.type))};
        if (OGR_L_CreateField(out, defn.get(), TRUE) != OGRERR_NONE) {
            throw SinkError(where + ", field '" + field.name + "': " + capture.message());
        }
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(out);
    std::size_t number = 0;
    for (const auto& feature : layer.features) {
        ++number;
        if (feature.values.size() > layer.fields.size()) {
            throw SinkError(where + ", feature " + std::to_string(number) + ": more values than fields");
        }
        const FeaturePtr f{OGR_F_Create(defn)};
        for (std::size_t i = 0; i < feature.values.size(); ++i) {
            const int index = static_cast<int>(i);
            const auto type = layer.fields[i].type;
            const auto& value = feature.values[i];
            const bool fits = std::holds_alternative<std::monostate>(value) ||
                              (type == SinkField::Type::integer && std::holds_alternative<std::int64_t>(value)) ||
                              (type == SinkField::Type::real &&
                               (std::holds_alternative<double>(value) || std::holds_alternative<std::int64_t>(value))) ||
                              (type == SinkField::Type::string && std::holds_alternative<std::string>(value));
            if (!fits) {
                throw SinkError(where + ", feature " + std::to_string(number) + ": the value of '" +
                                layer.fields[i].name + "' does not match its type");
            }
            if (const auto* v = std::get_if<std::int64_t>(&value)) {
                if (type == SinkField::Type::real) {
                    OGR_F_SetFieldDouble(f.get(), index, static_cast<double>(*v));
                } else {
                    OGR_F_SetFieldInteger64(f.get(), index, static_cast<GIntBig>(*v));
                }
            } else if (const auto* d = std::get_if<double>(&value)) {
                OGR_F_SetFieldDouble(f.get(), index, *d);
            } else if (const auto* s = std::get_if<std::string>(&value)) {
                OGR_F_SetFieldString(f.get(), index, s->c_str());
            } else {
                OGR_F_SetFieldNull(f.get(), index);
            }
        }
        GeometryPtr g = to_ogr(feature.geometry);
        if (OGR_F_SetGeometryDirectly(f.get(), g.get()) != OGRERR_NONE) {
            throw SinkError(where + ", feature " + std::to_string(number) + ": " + capture.message());
        }
        (void)g.release();
        if (OGR_L_CreateFeature(out, f.get()) != OGRERR_NONE) {
            throw SinkError(where + ", feature " + std::to_string(number) + ": " + capture.message());
        }
    }
}

}  // namespace

std::string_view sink_driver(SinkFormat format) noexcept {
    switch (format) {
    case SinkFormat::geojson: return "GeoJSON";
    case SinkFormat::kml: return "KML";
    case SinkFormat::gpkg: return "GPKG";
    }
    return "";
}

bool sink_multi_layer(SinkFormat format) noexcept { return format != SinkFormat::geojson; }

std::string write_layers(SinkFormat format, const std::vector<SinkLayer>& layers) {
    ensure_registered();
    const std::string driver_name(sink_driver(format));
    if (layers.empty()) throw SinkError(driver_name + ": nothing to write (no layers)");
    if (layers.size() > 1 && !sink_multi_layer(format)) {
        throw SinkError(driver_name + " holds a single layer, not " + std::to_string(layers.size()));
    }
    ErrorCapture capture;
    GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
    if (driver == nullptr) throw SinkError("GDAL has no " + driver_name + " driver");

    const MemDir dir;
    const std::string path = dir.path() + "/out." + std::string(extension(format));
    {
        DatasetPtr ds{GDALCreate(driver, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr)};
        if (!ds) throw SinkError(driver_name + ": cannot create " + path + ": " + capture.message());
        const SrsPtr srs{OSRNewSpatialReference(nullptr)};
        if (OSRImportFromEPSG(srs.get(), 4326) != OGRERR_NONE) throw SinkError("cannot create EPSG:4326");
        OSRSetAxisMappingStrategy(srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
        for (const auto& layer : layers) write_layer(ds.get(), format, layer, srs.get(), capture);
        // Closing writes the file (GPKG commits, KML and GeoJSON flush their end).
        CPLErrorReset();
        ds.reset();
        if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal) {
            throw SinkError(driver_name + ": closing failed: " + capture.message());
        }
    }
    vsi_l_offset size = 0;
    // Not taking ownership: the buffer is freed with the file by MemDir.
    const GByte* data = VSIGetMemFileBuffer(path.c_str(), &size, FALSE);
    if (data == nullptr) throw SinkError(driver_name + ": the written file is missing");
    return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)};
}

}  // namespace lernorte::geo
