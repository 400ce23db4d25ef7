#include <lernorte/geo/ogr_source.hpp>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string join(const std::vector<std::string>& names, std::string_view sep) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += sep;
        out += n;
    }
    return out;
}

// Column names of a CSV's WKT geometry, as the CSV driver's GEOM_POSSIBLE_NAMES takes them.
const std::vector<std::string>& wkt_column_names() {
    static const std::vector<std::string> names{"wkt", "geometry", "geom"};
    return names;
}

bool names_lon(std::string_view column) {
    const auto l = lower(column);
    return l == "lon" || l == "longitude" || l == "lng";
}
bool names_lat(std::string_view column) {
    const auto l = lower(column);
    return l == "lat" || l == "latitude";
}

DatasetPtr open_dataset(const std::string& path, char** open_options) {
    ErrorCapture capture;
    DatasetPtr ds{GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_VERBOSE_ERROR, nullptr,
                             open_options, nullptr)};
    if (!ds) throw SourceError(path + ": " + capture.message("no driver reads it"));
    return ds;
}

std::vector<std::string> layer_field_names(OGRLayerH layer) {
    std::vector<std::string> names;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        names.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    return names;
}

// First header column matching one of `wanted` (case-insensitively), trying `wanted` in order.
std::string find_column(const std::vector<std::string>& header,
                        const std::vector<std::string>& wanted) {
    for (const auto& w : wanted) {
        const auto lw = lower(w);
        for (const auto& h : header) {
            if (lower(h) == lw) return h;
        }
    }
    return {};
}

std::string geometry_type_name(OGRwkbGeometryType type) {
    switch (wkbFlatten(type)) {
    case wkbPoint: return "Point";
    case wkbLineString: return "LineString";
    case wkbPolygon: return "Polygon";
    case wkbMultiPoint: return "MultiPoint";
    case wkbMultiLineString: return "MultiLineString";
    case wkbMultiPolygon: return "MultiPolygon";
    case wkbGeometryCollection: return "GeometryCollection";
    case wkbCircularString: return "CircularString";
    case wkbCompoundCurve: return "CompoundCurve";
    case wkbMultiCurve: return "MultiCurve";
    case wkbTIN: return "TIN";
    case wkbPolyhedralSurface: return "PolyhedralSurface";
    default: return OGRGeometryTypeToName(type);
    }
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

std::string column_name(OGRFeatureH feature, int column) {
    return OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(feature, column));
}

// A coordinate as spreadsheets write it: "13.7414", " 13.7414 ", or with a decimal
// comma "13,7414" (German exports). Anything else is not a number.
std::optional<double> parse_coordinate(std::string text) {
    if (text.find('.') == std::string::npos) {
        if (const auto comma = text.find(','); comma != std::string::npos && text.find(',', comma + 1) == std::string::npos) {
            text[comma] = '.';
        }
    }
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (begin != end && *begin == '+') ++begin;
    double value = 0;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

bool finite(Point p) { return std::isfinite(p.x) && std::isfinite(p.y); }

Ring read_ring(OGRGeometryH ring) {
    const int n = OGR_G_GetPointCount(ring);
    Ring out(static_cast<std::size_t>(std::max(n, 0)));
    if (n > 0) {
        // Z and M, if any, are dropped here: our geometry is 2-d.
        OGR_G_GetPoints(ring, &out[0].x, sizeof(Point), &out[0].y, sizeof(Point), nullptr, 0);
        if (!(out.front() == out.back())) out.push_back(out.front());  // KML may leave rings open
    }
    return out;
}

Polygon read_polygon(OGRGeometryH polygon) {
    Polygon out;
    for (int i = 0; i < OGR_G_GetGeometryCount(polygon); ++i) {
        out.rings.push_back(read_ring(OGR_G_GetGeometryRef(polygon, i)));
    }
    return out;
}

}  // namespace

struct Source::Impl {
    std::string m_path;
    DatasetPtr m_dataset;
    OGRLayerH m_layer = nullptr;  // owned by m_dataset
    TransformPtr m_to_wgs84;
    std::string m_layer_name;
    std::vector<int> m_field_indices;  // the attribute fields we report, in layer order
    std::vector<std::string> m_field_names;
    // CSV: the text columns the geometry comes from (-1: not used).
    int m_x_column = -1;
    int m_y_column = -1;
    int m_wkt_column = -1;
    std::int64_t m_number = 0;
    std::optional<std::optional<std::int64_t>> m_count;  // computed once, before reading

    [[nodiscard]] std::string where() const { return m_path + ": layer '" + m_layer_name + "'"; }

    void read_geometry(OGRFeatureH feature, SourceFeature& out) const;
    void read_xy_columns(OGRFeatureH feature, SourceFeature& out) const;
};

Source::Source(const std::string& path, const SourceOptions& options)
    : m_impl(std::make_unique<Impl>()) {
    ensure_registered();
    auto& d = *m_impl;
    d.m_path = path;

    VSIStatBufL stat{};
    if (VSIStatL(path.c_str(), &stat) != 0) throw SourceError(path + ": no such file");

    d.m_dataset = open_dataset(path, nullptr);
    const bool is_csv = std::string_view(GDALGetDriverShortName(GDALGetDatasetDriver(d.m_dataset.get()))) == "CSV";

    // CSV: we pick the geometry columns ourselves from the header (in the order the options
    // list them) and reopen with the options that fit, because which columns were used
    // decides the CRS rule below.
    std::string x_column, y_column, wkt_column;
    if (is_csv) {
        const auto header = layer_field_names(GDALDatasetGetLayer(d.m_dataset.get(), 0));
        wkt_column = find_column(header, wkt_column_names());
        if (wkt_column.empty()) {
            x_column = find_column(header, options.x_columns);
            y_column = find_column(header, options.y_columns);
        }
        if (wkt_column.empty() && (x_column.empty() || y_column.empty())) {
            throw SourceError(path + ": no geometry: no WKT column (looked for " +
                              join(wkt_column_names(), ", ") + ") and no coordinate columns " +
                              "(looked for x: " + join(options.x_columns, ", ") +
                              "; y: " + join(options.y_columns, ", ") + "); columns are " +
                              join(header, ", "));
        }
        CslPtr open_options{nullptr};
        auto set = [&](const char* key, const std::string& value) {
            open_options.reset(CSLSetNameValue(open_options.release(), key, value.c_str()));
        };
        // A WKT column is parsed by GDAL. Coordinate columns we parse ourselves: GDAL's
        // X_POSSIBLE_NAMES turns "41178x" into no geometry without a word (its warning
        // comes once per file), and a typo in an editor's spreadsheet must be reported
        // per row. The columns stay text so the row's error can quote them.
        if (!wkt_column.empty()) {
            set("GEOM_POSSIBLE_NAMES", wkt_column);
            set("KEEP_GEOM_COLUMNS", "YES");
        }
        set("AUTODETECT_TYPE", "NO");  // "01069" is a postcode, not the number 1069
        d.m_dataset.reset();
        d.m_dataset = open_dataset(path, open_options.get());
    }

    const int layer_count = GDALDatasetGetLayerCount(d.m_dataset.get());
    if (options.layer.empty()) {
        if (layer_count == 0) throw SourceError(path + ": no layers");
        d.m_layer = GDALDatasetGetLayer(d.m_dataset.get(), 0);
    } else {
        d.m_layer = GDALDatasetGetLayerByName(d.m_dataset.get(), options.layer.c_str());
        if (d.m_layer == nullptr) {
            std::vector<std::string> names;
            for (int i = 0; i < layer_count; ++i) {
                names.emplace_back(OGR_L_GetName(GDALDatasetGetLayer(d.m_dataset.get(), i)));
            }
            throw SourceError(path + ": no layer '" + options.layer + "'; layers: " + join(names, ", "));
        }
    }
    d.m_layer_name = OGR_L_GetName(d.m_layer);

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(d.m_layer);
    const bool xy_columns = is_csv && wkt_column.empty();
    if (!xy_columns && OGR_FD_GetGeomFieldCount(defn) == 0) {
        throw SourceError(d.where() + ": no geometry column");
    }
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        const std::string name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        if (is_csv && (name == wkt_column || name == x_column || name == y_column)) {
            if (name == x_column) d.m_x_column = i;
            if (name == y_column) d.m_y_column = i;
            if (name == wkt_column) d.m_wkt_column = i;
            continue;
        }
        // A name given twice (some CSV headers): the first column of that name counts.
        if (std::find(d.m_field_names.begin(), d.m_field_names.end(), name) != d.m_field_names.end()) continue;
        d.m_field_indices.push_back(i);
        d.m_field_names.push_back(name);
    }

    // The CRS: the file's own when it has one; else --s-srs; else a CSV whose columns are
    // called lon/lat says WGS84 by its names; else we refuse rather than guess.
    ErrorCapture capture;
    SrsPtr source_srs;
    OGRSpatialReferenceH layer_srs =
        OGR_FD_GetGeomFieldCount(defn) > 0 ? OGR_GFld_GetSpatialRef(OGR_FD_GetGeomFieldDefn(defn, 0)) : nullptr;
    if (xy_columns) layer_srs = nullptr;  // the CSV driver's SRS belongs to its geometry, not our columns
    if (layer_srs != nullptr) {
        source_srs.reset(OSRClone(layer_srs));
    } else if (!options.s_srs.empty()) {
        source_srs.reset(OSRNewSpatialReference(nullptr));
        if (OSRSetFromUserInput(source_srs.get(), options.s_srs.c_str()) != OGRERR_NONE) {
            throw SourceError(d.where() + ": --s-srs '" + options.s_srs +
                              "' is not a coordinate reference system: " + capture.message());
        }
    } else if (is_csv && names_lon(x_column) && names_lat(y_column)) {
        source_srs.reset(OSRNewSpatialReference(nullptr));
        OSRImportFromEPSG(source_srs.get(), 4326);
    } else {
        throw SourceError(d.where() +
                          " has no coordinate reference system; pass --s-srs, e.g. --s-srs EPSG:25833");
    }
    SrsPtr wgs84_srs{OSRNewSpatialReference(nullptr)};
    OSRImportFromEPSG(wgs84_srs.get(), 4326);
    // x = lon on both sides, whatever axis order the CRS definitions declare.
    OSRSetAxisMappingStrategy(source_srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs84_srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
    d.m_to_wgs84.reset(OCTNewCoordinateTransformation(source_srs.get(), wgs84_srs.get()));
    if (!d.m_to_wgs84) {
        throw SourceError(d.where() + ": cannot transform its CRS to EPSG:4326: " + capture.message());
    }
    OGR_L_ResetReading(d.m_layer);
}

Source::~Source() = default;
Source::Source(Source&&) noexcept = default;
Source& Source::operator=(Source&&) noexcept = default;

std::string Source::layer_name() const { return m_impl->m_layer_name; }

std::vector<std::string> Source::field_names() const { return m_impl->m_field_names; }

std::optional<std::int64_t> Source::feature_count() const {
    auto& d = *m_impl;
    if (d.m_count) return *d.m_count;
    // Drivers without a fast count (CSV) scan the file and rewind the layer: never mid-read.
    if (d.m_number > 0) return std::nullopt;
    ErrorCapture capture;  // a driver that cannot count must not print
    const GIntBig n = OGR_L_GetFeatureCount(d.m_layer, FALSE);
    OGR_L_ResetReading(d.m_layer);
    d.m_count = n < 0 ? std::nullopt : std::optional<std::int64_t>(n);
    return *d.m_count;
}

std::optional<SourceFeature> Source::next() {
    SourceFeature out;
    if (!next(out)) return std::nullopt;
    return out;
}

bool Source::next(SourceFeature& out) {
    auto& d = *m_impl;
    ErrorCapture capture;
    FeaturePtr feature{OGR_L_GetNextFeature(d.m_layer)};
    if (!feature) {
        // Drivers signal a read error (a truncated file) as "no more features" plus an error.
        if (capture.failed()) {
            throw SourceError(d.where() + ": reading feature " + std::to_string(d.m_number + 1) +
                              ": " + capture.message());
        }
        return false;
    }
    out.number = ++d.m_number;
    // The fields of a layer are the same in every feature: their entries (and the capacity
    // of their strings) stay from the last feature; a null field's entry goes.
    std::size_t present = 0;
    for (std::size_t i = 0; i < d.m_field_indices.size(); ++i) {
        const int index = d.m_field_indices[i];
        if (OGR_F_IsFieldSetAndNotNull(feature.get(), index)) {
            out.fields[d.m_field_names[i]].assign(OGR_F_GetFieldAsString(feature.get(), index));
            ++present;
        } else {
            out.fields.erase(d.m_field_names[i]);
        }
    }
    if (out.fields.size() != present) {  // `out` held fields of another layer too
        out.fields.clear();
        for (std::size_t i = 0; i < d.m_field_indices.size(); ++i) {
            const int index = d.m_field_indices[i];
            if (OGR_F_IsFieldSetAndNotNull(feature.get(), index)) {
                out.fields.emplace(d.m_field_names[i], OGR_F_GetFieldAsString(feature.get(), index));
            }
        }
    }
    out.geometry = std::monostate{};
    out.geometry_error.clear();
    d.read_geometry(feature.get(), out);
    return true;
}

void Source::Impl::read_geometry(OGRFeatureH feature, SourceFeature& out) const {
    if (m_x_column >= 0) {
        read_xy_columns(feature, out);
        return;
    }
    OGRGeometryH g = OGR_F_GetGeometryRef(feature);
    if (g == nullptr || OGR_G_IsEmpty(g)) {
        // A CSV row with text in its WKT column but no geometry: GDAL could not read the
        // text. Say so; an empty cell just means "no location".
        if (m_wkt_column >= 0) {
            const std::string text = trim(OGR_F_GetFieldAsString(feature, m_wkt_column));
            if (!text.empty()) {
                out.geometry_error = "cannot read WKT from column " + column_name(feature, m_wkt_column) +
                                     ": '" + text + "'";
            }
        }
        return;
    }

    GeometryPtr linear;
    OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (type == wkbCurvePolygon || type == wkbMultiSurface) {
        // Arcs (GML, GeoPackage curves) become fine line segments: still a polygon.
        linear.reset(OGR_G_GetLinearGeometry(g, 0.0, nullptr));
        if (!linear) {
            out.geometry_error = "cannot linearise a " + geometry_type_name(type);
            return;
        }
        g = linear.get();
        type = wkbFlatten(OGR_G_GetGeometryType(g));
    }
    if (type == wkbMultiPoint && OGR_G_GetGeometryCount(g) == 1) {
        // Some exporters wrap every point in a MultiPoint; one point is a point.
        g = OGR_G_GetGeometryRef(g, 0);
        type = wkbPoint;
    }
    if (type != wkbPoint && type != wkbPolygon && type != wkbMultiPolygon) {
        out.geometry_error = "unsupported geometry type " + geometry_type_name(type);
        if (type == wkbMultiPoint) {
            out.geometry_error += " with " + std::to_string(OGR_G_GetGeometryCount(g)) + " points";
        }
        return;
    }

    ErrorCapture capture;
    // In place: the feature (or our linearised copy) is ours and discarded after this.
    if (OGR_G_Transform(g, m_to_wgs84.get()) != OGRERR_NONE) {
        out.geometry_error = "cannot reproject to EPSG:4326: " + capture.message();
        return;
    }

    if (type == wkbPoint) {
        const Point p{OGR_G_GetX(g, 0), OGR_G_GetY(g, 0)};
        if (!finite(p)) {
            out.geometry_error = "reprojection to EPSG:4326 gave no finite coordinates";
            return;
        }
        out.geometry = p;
        return;
    }

    MultiPolygon mp;
    if (type == wkbPolygon) {
        mp.polygons.push_back(read_polygon(g));
    } else {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
            OGRGeometryH part = OGR_G_GetGeometryRef(g, i);
            if (!OGR_G_IsEmpty(part)) mp.polygons.push_back(read_polygon(part));
        }
    }
    for (const auto& polygon : mp.polygons) {
        for (const auto& ring : polygon.rings) {
            if (!std::all_of(ring.begin(), ring.end(), finite)) {
                out.geometry_error = "reprojection to EPSG:4326 gave no finite coordinates";
                return;
            }
        }
    }
    if (!mp.empty()) out.geometry = std::move(mp);
}

void Source::Impl::read_xy_columns(OGRFeatureH feature, SourceFeature& out) const {
    const std::string x_text =
        OGR_F_IsFieldSetAndNotNull(feature, m_x_column) ? trim(OGR_F_GetFieldAsString(feature, m_x_column)) : "";
    const std::string y_text =
        OGR_F_IsFieldSetAndNotNull(feature, m_y_column) ? trim(OGR_F_GetFieldAsString(feature, m_y_column)) : "";
    if (x_text.empty() && y_text.empty()) return;  // no location given: not an error

    std::vector<std::string> problems;
    const auto check = [&](int column, const std::string& text) -> std::optional<double> {
        if (text.empty()) {
            problems.push_back("column " + column_name(feature, column) + " is empty");
            return std::nullopt;
        }
        auto value = parse_coordinate(text);
        if (!value) problems.push_back("column " + column_name(feature, column) + " = '" + text + "' is not a number");
        return value;
    };
    const auto x = check(m_x_column, x_text);
    const auto y = check(m_y_column, y_text);
    if (!problems.empty()) {
        out.geometry_error = join(problems, "; ");
        return;
    }
    double px = *x, py = *y;
    ErrorCapture capture;
    if (!OCTTransform(m_to_wgs84.get(), 1, &px, &py, nullptr) || !finite({px, py})) {
        out.geometry_error = "cannot reproject (" + x_text + ", " + y_text + ") to EPSG:4326: " +
                             capture.message("outside the CRS's domain");
        return;
    }
    out.geometry = Point{px, py};
}

}  // namespace lernorte::geo
