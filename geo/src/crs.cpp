#include <lernorte/geo/crs.hpp>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include <proj.h>

namespace lernorte::geo {

namespace {

struct ContextDeleter {
    void operator()(PJ_CONTEXT* ctx) const noexcept { proj_context_destroy(ctx); }
};
struct PjDeleter {
    void operator()(PJ* pj) const noexcept { proj_destroy(pj); }
};
using ContextPtr = std::unique_ptr<PJ_CONTEXT, ContextDeleter>;
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

}  // namespace

struct Transformer::Impl {
    // Declared before m_pj so that it is destroyed after it: a PJ must not outlive its context.
    ContextPtr m_ctx;
    PjPtr m_pj;
    std::string m_from;
    std::string m_to;
    std::string m_last_log;  // PROJ's own words for the last error, for our messages

    static void log_to_impl(void* app_data, int level, const char* message) {
        if (level <= PJ_LOG_ERROR && message != nullptr) {
            static_cast<Impl*>(app_data)->m_last_log = message;
        }
    }

    [[nodiscard]] std::string reason() const {
        if (!m_last_log.empty()) return m_last_log;
        const int err = proj_context_errno(m_ctx.get());
        const char* text = proj_context_errno_string(m_ctx.get(), err);
        return text != nullptr ? text : "unknown PROJ error";
    }

    [[noreturn]] void fail_point(Point p) const {
        throw std::runtime_error("cannot transform (" + std::to_string(p.x) + ", " +
                                 std::to_string(p.y) + ") from " + m_from + " to " + m_to +
                                 ": " + reason());
    }
};

Transformer::Transformer(const std::string& from, const std::string& to)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->m_from = from;
    m_impl->m_to = to;
    // One context per Transformer: contexts are not thread-safe, and a Transformer is
    // meant to live on one thread (see crs.hpp).
    m_impl->m_ctx.reset(proj_context_create());
    if (!m_impl->m_ctx) throw std::runtime_error("PROJ: cannot create a context");
    // PROJ prints errors to stderr by default; we turn them into exception messages instead.
    proj_log_func(m_impl->m_ctx.get(), m_impl.get(), &Impl::log_to_impl);

    PjPtr raw{proj_create_crs_to_crs(m_impl->m_ctx.get(), from.c_str(), to.c_str(), nullptr)};
    if (!raw) {
        throw std::runtime_error("cannot transform from '" + from + "' to '" + to +
                                 "': " + m_impl->reason());
    }
    // EPSG:4326 is lat/lon in PROJ; every caller of ours thinks x = lon.
    m_impl->m_pj.reset(proj_normalize_for_visualization(m_impl->m_ctx.get(), raw.get()));
    if (!m_impl->m_pj) {
        throw std::runtime_error("cannot normalise the axis order from '" + from + "' to '" +
                                 to + "': " + m_impl->reason());
    }
}

Transformer::~Transformer() = default;
Transformer::Transformer(Transformer&&) noexcept = default;
Transformer& Transformer::operator=(Transformer&&) noexcept = default;

Point Transformer::forward(Point p) const {
    m_impl->m_last_log.clear();
    const PJ_COORD out = proj_trans(m_impl->m_pj.get(), PJ_FWD, proj_coord(p.x, p.y, 0.0, 0.0));
    // PROJ reports failure as HUGE_VAL, not through a return code.
    if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y)) m_impl->fail_point(p);
    return {out.xy.x, out.xy.y};
}

MultiPolygon Transformer::forward(const MultiPolygon& mp) const {
    MultiPolygon out = mp;
    for (auto& polygon : out.polygons) {
        for (auto& ring : polygon.rings) {
            for (auto& p : ring) p = forward(p);
        }
    }
    return out;
}

double area_km2_wgs84(const MultiPolygon& mp) {
    // Building a PROJ operation costs a database lookup; one per thread is enough.
    thread_local const Transformer to_utm(wgs84, utm33);
    return planar_area(to_utm.forward(mp)) / 1e6;
}

}  // namespace lernorte::geo
