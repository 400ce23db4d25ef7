#include <lernorte/geo/validity.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <geos_c.h>

namespace lernorte::geo {

namespace {

// One GEOS context per call: contexts are not thread-safe, and a fresh one costs little
// next to a MakeValid or a union. The error handler keeps GEOS's message for our result
// instead of letting GEOS print it.
class Context {
public:
    Context() : m_handle(GEOS_init_r()) {
        if (m_handle == nullptr) throw std::runtime_error("GEOS: cannot create a context");
        GEOSContext_setErrorMessageHandler_r(m_handle, &capture, &m_message);
        GEOSContext_setNoticeMessageHandler_r(m_handle, &ignore, nullptr);
    }
    ~Context() { GEOS_finish_r(m_handle); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    Context(Context&&) = delete;
    Context& operator=(Context&&) = delete;

    [[nodiscard]] GEOSContextHandle_t get() const noexcept { return m_handle; }
    [[nodiscard]] std::string message() const {
        return m_message.empty() ? std::string("unknown GEOS error") : m_message;
    }

private:
    static void capture(const char* message, void* userdata) {
        if (message != nullptr) *static_cast<std::string*>(userdata) = message;
    }
    static void ignore(const char*, void*) {}

    GEOSContextHandle_t m_handle;
    std::string m_message;
};

struct GeomDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const noexcept { GEOSGeom_destroy_r(ctx, g); }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct GeosFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

GeomPtr own(const Context& ctx, GEOSGeometry* g) {
    if (g == nullptr) throw GeosFailure(ctx.message());
    return GeomPtr(g, GeomDeleter{ctx.get()});
}

GeomPtr make_ring(const Context& ctx, const Ring& ring) {
    std::vector<double> xy;
    xy.reserve(ring.size() * 2);
    for (const auto& p : ring) {
        xy.push_back(p.x);
        xy.push_back(p.y);
    }
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
        ctx.get(), xy.data(), static_cast<unsigned>(ring.size()), 0, 0);
    if (seq == nullptr) throw GeosFailure(ctx.message());
    // The ring takes the sequence, also when it refuses it (too few points, not closed).
    return own(ctx, GEOSGeom_createLinearRing_r(ctx.get(), seq));
}

GeomPtr make_polygon(const Context& ctx, const Polygon& polygon) {
    if (polygon.rings.empty()) return own(ctx, GEOSGeom_createEmptyPolygon_r(ctx.get()));
    GeomPtr shell = make_ring(ctx, polygon.rings.front());
    std::vector<GeomPtr> holes;
    for (std::size_t i = 1; i < polygon.rings.size(); ++i) holes.push_back(make_ring(ctx, polygon.rings[i]));
    // GEOS takes the rings, also when it fails (GEOS ticket 1111), so they are released
    // before the call, not after.
    std::vector<GEOSGeometry*> raw_holes;
    for (auto& h : holes) raw_holes.push_back(h.release());
    return own(ctx, GEOSGeom_createPolygon_r(ctx.get(), shell.release(), raw_holes.data(),
                                             static_cast<unsigned>(raw_holes.size())));
}

GeomPtr make_collection(const Context& ctx, int type, std::vector<GeomPtr> parts) {
    // As with polygons, the collection owns its parts from the call on, failure or not.
    std::vector<GEOSGeometry*> raw;
    for (auto& p : parts) raw.push_back(p.release());
    return own(ctx, GEOSGeom_createCollection_r(ctx.get(), type, raw.data(),
                                                static_cast<unsigned>(raw.size())));
}

GeomPtr to_geos(const Context& ctx, const MultiPolygon& mp) {
    std::vector<GeomPtr> parts;
    for (const auto& polygon : mp.polygons) parts.push_back(make_polygon(ctx, polygon));
    return make_collection(ctx, GEOS_MULTIPOLYGON, std::move(parts));
}

Ring read_ring(const Context& ctx, const GEOSGeometry* ring) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.get(), ring);
    unsigned size = 0;
    if (seq == nullptr || GEOSCoordSeq_getSize_r(ctx.get(), seq, &size) == 0) {
        throw GeosFailure(ctx.message());
    }
    Ring out(size);
    for (unsigned i = 0; i < size; ++i) {
        if (GEOSCoordSeq_getXY_r(ctx.get(), seq, i, &out[i].x, &out[i].y) == 0) {
            throw GeosFailure(ctx.message());
        }
    }
    return out;
}

// Collects the polygons of g, wherever they sit: MakeValid and union may answer with a
// GeometryCollection that mixes polygons with the lines and points a repair left over.
void collect_polygons(const Context& ctx, const GEOSGeometry* g, MultiPolygon& out) {
    switch (GEOSGeomTypeId_r(ctx.get(), g)) {
    case GEOS_POLYGON: {
        if (GEOSisEmpty_r(ctx.get(), g) == 1) return;
        Polygon polygon;
        polygon.rings.push_back(read_ring(ctx, GEOSGetExteriorRing_r(ctx.get(), g)));
        const int holes = GEOSGetNumInteriorRings_r(ctx.get(), g);
        for (int i = 0; i < holes; ++i) {
            polygon.rings.push_back(read_ring(ctx, GEOSGetInteriorRingN_r(ctx.get(), g, i)));
        }
        out.polygons.push_back(std::move(polygon));
        return;
    }
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        const int n = GEOSGetNumGeometries_r(ctx.get(), g);
        for (int i = 0; i < n; ++i) collect_polygons(ctx, GEOSGetGeometryN_r(ctx.get(), g, i), out);
        return;
    }
    default:
        return;  // lines and points have no area: not part of a region
    }
}

double signed_area(const Ring& ring) noexcept {
    double twice = 0.0;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        twice += (ring[j].x - ring.front().x) * (ring[i].y - ring.front().y) -
                 (ring[i].x - ring.front().x) * (ring[j].y - ring.front().y);
    }
    return twice / 2.0;
}

void normalise_orientation(MultiPolygon& mp) {
    for (auto& polygon : mp.polygons) {
        for (std::size_t i = 0; i < polygon.rings.size(); ++i) {
            auto& ring = polygon.rings[i];
            if (ring.size() < 3) continue;
            const double a = signed_area(ring);
            const bool want_ccw = i == 0;
            if ((want_ccw && a < 0.0) || (!want_ccw && a > 0.0)) std::reverse(ring.begin(), ring.end());
        }
    }
}

}  // namespace

ValidityResult make_valid(const MultiPolygon& mp) {
    ValidityResult result;
    const Context ctx;
    GeomPtr g;
    try {
        g = to_geos(ctx, mp);
    } catch (const GeosFailure& e) {
        // GEOS refuses to build the rings at all (fewer than 4 points, not closed):
        // there is nothing MakeValid could work on.
        result.valid = false;
        result.reason = e.what();
        return result;
    }

    if (GEOSisValid_r(ctx.get(), g.get()) == 1) {
        result.geometry = mp;
        normalise_orientation(result.geometry);
        return result;
    }

    result.valid = false;
    if (char* reason = GEOSisValidReason_r(ctx.get(), g.get()); reason != nullptr) {
        result.reason = reason;
        GEOSFree_r(ctx.get(), reason);
    } else {
        result.reason = ctx.message();
    }

    GEOSGeometry* fixed_raw = GEOSMakeValid_r(ctx.get(), g.get());
    if (fixed_raw == nullptr) {
        result.reason += "; repair failed: " + ctx.message();
        return result;
    }
    const GeomPtr fixed(fixed_raw, GeomDeleter{ctx.get()});
    MultiPolygon repaired;
    try {
        collect_polygons(ctx, fixed.get(), repaired);
    } catch (const GeosFailure& e) {
        result.reason += std::string("; repair failed: ") + e.what();
        return result;
    }
    if (repaired.empty()) {
        // e.g. a ring whose points all lie on one line: the repair is a line, not an area.
        result.reason += "; the repair has no area";
        return result;
    }
    normalise_orientation(repaired);
    result.repaired = true;
    result.geometry = std::move(repaired);
    return result;
}

MultiPolygon union_all(const std::vector<MultiPolygon>& parts) {
    const Context ctx;
    std::vector<GeomPtr> geoms;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        try {
            geoms.push_back(to_geos(ctx, parts[i]));
        } catch (const GeosFailure& e) {
            throw std::runtime_error("union_all: part " + std::to_string(i) + ": " + e.what());
        }
    }
    MultiPolygon out;
    try {
        const GeomPtr collection = make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(geoms));
        const GeomPtr united = own(ctx, GEOSUnaryUnion_r(ctx.get(), collection.get()));
        collect_polygons(ctx, united.get(), out);
    } catch (const GeosFailure& e) {
        throw std::runtime_error(std::string("union_all: ") + e.what());
    }
    normalise_orientation(out);
    return out;
}

}  // namespace lernorte::geo
