#pragma once
// Owned GDAL/OGR handles for the files that read and write through GDAL (private to geo/).

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <cpl_error.h>

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

// Collects GDAL's failure messages while alive instead of letting GDAL print them, so they
// end up in our errors. GDAL's handler stack is per thread, which is what we want here.
class ErrorCapture {
public:
    ErrorCapture() {
        CPLErrorReset();
        CPLPushErrorHandlerEx(&handler, this);
    }
    ~ErrorCapture() { CPLPopErrorHandler(); }
    ErrorCapture(const ErrorCapture&) = delete;
    ErrorCapture& operator=(const ErrorCapture&) = delete;
    ErrorCapture(ErrorCapture&&) = delete;
    ErrorCapture& operator=(ErrorCapture&&) = delete;

    [[nodiscard]] bool failed() const noexcept { return !m_failures.empty(); }
    [[nodiscard]] std::string message(std::string_view fallback = "unknown GDAL error") const {
        return m_failures.empty() ? std::string(fallback) : m_failures;
    }

private:
    static void CPL_STDCALL handler(CPLErr level, CPLErrorNum, const char* message) {
        auto* self = static_cast<ErrorCapture*>(CPLGetErrorHandlerUserData());
        if (self == nullptr || message == nullptr) return;
        // Warnings (e.g. a field type GDAL guessed) are not our caller's business.
        if (level != CE_Failure && level != CE_Fatal) return;
        if (self->m_failures.find(message) != std::string::npos) return;  // GDAL repeats itself
        if (self->m_failures.size() > 2000) return;  // a broken file may say the same 10^6 times
        if (!self->m_failures.empty()) self->m_failures += "; ";
        self->m_failures += message;
    }
    std::string m_failures;
};

}  // namespace lernorte::geo::detail
