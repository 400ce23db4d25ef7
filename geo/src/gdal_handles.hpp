#pragma once
// Owned GDAL/OGR handles for the files that read and write through GDAL (private to geo/).

#include <memory>
#include <type_traits>

#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

namespace lernorte::geo::detail {

/// GDALAllRegister() once per process.
inline void ensure_gdal_registered() {
    static const bool registered = [] {
        GDALAllRegister();
        return true;
    }();
    (void)registered;
}

struct DatasetDeleter {
    void operator()(GDALDatasetH ds) const noexcept { GDALClose(ds); }
};
struct FeatureDeleter {
    void operator()(OGRFeatureH f) const noexcept { OGR_F_Destroy(f); }
};
struct GeometryDeleter {
    void operator()(OGRGeometryH g) const noexcept { OGR_G_DestroyGeometry(g); }
};
struct SrsDeleter {
    void operator()(OGRSpatialReferenceH srs) const noexcept { OSRRelease(srs); }
};
struct TransformDeleter {
    void operator()(OGRCoordinateTransformationH ct) const noexcept { OCTDestroyCoordinateTransformation(ct); }
};
struct FieldDefnDeleter {
    void operator()(OGRFieldDefnH f) const noexcept { OGR_Fld_Destroy(f); }
};
struct CslDeleter {
    void operator()(char** list) const noexcept { CSLDestroy(list); }
};
using DatasetPtr = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, DatasetDeleter>;
using FeaturePtr = std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDeleter>;
using GeometryPtr = std::unique_ptr<std::remove_pointer_t<OGRGeometryH>, GeometryDeleter>;
using SrsPtr = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsDeleter>;
using TransformPtr = std::unique_ptr<std::remove_pointer_t<OGRCoordinateTransformationH>, TransformDeleter>;
using FieldDefnPtr = std::unique_ptr<std::remove_pointer_t<OGRFieldDefnH>, FieldDefnDeleter>;
using CslPtr = std::unique_ptr<char*, CslDeleter>;

}  // namespace lernorte::geo::detail
