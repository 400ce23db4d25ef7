#include <lernorte/geo/geometry.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numbers>
#include <string>

namespace lernorte::geo {

namespace {

constexpr double earth_radius_m = 6371008.8;  // IUGG mean radius, the usual haversine choice
constexpr double deg = std::numbers::pi / 180.0;

// Shortest text that reads back to the same double: WKT must round-trip exactly
// (storage writes it, tests compare it), and "13.5" reads better than "13.500000000000000".
void append_number(std::string& out, double v) {
    std::array<char, 32> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    if (ec != std::errc{}) {  // cannot happen for 32 chars, but never write garbage
        out += "nan";
        return;
    }
    out.append(buf.data(), end);
}

void append_xy(std::string& out, Point p) {
    append_number(out, p.x);
    out += ' ';
    append_number(out, p.y);
}

// Signed shoelace area: positive for counter-clockwise rings.
double signed_ring_area(const Ring& ring) noexcept {
    if (ring.size() < 3) return 0.0;
    double twice = 0.0;
    // Relative to the first vertex: lon/lat or UTM coordinates are large compared with the
    // ring's extent, and subtracting first keeps the cross products from cancelling badly.
    const Point o = ring.front();
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const double xi = ring[i].x - o.x, yi = ring[i].y - o.y;
        const double xj = ring[j].x - o.x, yj = ring[j].y - o.y;
        twice += xj * yi - xi * yj;
    }
    return twice / 2.0;
}

}  // namespace

void BBox::expand(Point p) noexcept {
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
}

void BBox::expand(const BBox& b) noexcept {
    if (b.empty()) return;  // an empty box's infinities must not leak into this one
    min_x = std::min(min_x, b.min_x);
    min_y = std::min(min_y, b.min_y);
    max_x = std::max(max_x, b.max_x);
    max_y = std::max(max_y, b.max_y);
}

BBox MultiPolygon::bbox() const {
    BBox box;
    for (const auto& polygon : polygons) {
        // Holes lie inside the exterior of a valid polygon, but an invalid one may not
        // keep that promise, and the box must still cover every coordinate we hold.
        for (const auto& ring : polygon.rings) {
            for (const auto& p : ring) box.expand(p);
        }
    }
    return box;
}

double haversine_m(Point a, Point b) noexcept {
    const double phi1 = a.y * deg, phi2 = b.y * deg;
    const double dphi = (b.y - a.y) * deg, dlambda = (b.x - a.x) * deg;
    const double s = std::sin(dphi / 2.0), t = std::sin(dlambda / 2.0);
    const double h = s * s + std::cos(phi1) * std::cos(phi2) * t * t;
    // Rounding can push h a hair above 1 for antipodal points; asin would then give NaN.
    return 2.0 * earth_radius_m * std::asin(std::sqrt(std::clamp(h, 0.0, 1.0)));
}

BBox bbox_around(Point center, double radius_m) noexcept {
    // NaN or negative radii mean "just the point" rather than a NaN box.
    const double r = radius_m > 0.0 ? radius_m : 0.0;
    const double d = r / earth_radius_m;  // angular radius in radians
    // A relative pad absorbs rounding so points exactly at the radius stay inside.
    constexpr double pad = 1.0 + 1e-9;
    const double dlat = std::min(d / deg * pad, 180.0);

    BBox box;
    box.min_y = std::max(center.y - dlat, -90.0);
    box.max_y = std::min(center.y + dlat, 90.0);

    // Widest longitude offset of a spherical cap: asin(sin d / cos lat). When the cap
    // reaches a pole (or the ratio reaches 1) every longitude is within reach.
    const double cos_lat = std::cos(center.y * deg);
    const double ratio = cos_lat > 0.0 ? std::sin(std::min(d, std::numbers::pi / 2)) / cos_lat : 2.0;
    if (d >= std::numbers::pi / 2 || ratio >= 1.0 || box.max_y >= 90.0 || box.min_y <= -90.0) {
        box.min_x = -180.0;
        box.max_x = 180.0;
        return box;
    }
    const double dlon = std::asin(ratio) / deg * pad;
    box.min_x = center.x - dlon;
    box.max_x = center.x + dlon;
    if (box.min_x < -180.0 || box.max_x > 180.0) {
        // Across the antimeridian a single box cannot be tight; the full width is conservative.
        box.min_x = -180.0;
        box.max_x = 180.0;
    }
    return box;
}

double planar_area(const MultiPolygon& mp) noexcept {
    double area = 0.0;
    for (const auto& polygon : mp.polygons) {
        for (std::size_t i = 0; i < polygon.rings.size(); ++i) {
            // The role decides the sign, not the winding: files disagree about winding.
            const double a = std::abs(signed_ring_area(polygon.rings[i]));
            area += i == 0 ? a : -a;
        }
    }
    return area;
}

std::string to_wkt(const MultiPolygon& mp) {
    if (mp.polygons.empty()) return "MULTIPOLYGON EMPTY";
    std::string out = "MULTIPOLYGON(";
    for (std::size_t pi = 0; pi < mp.polygons.size(); ++pi) {
        if (pi > 0) out += ',';
        const auto& rings = mp.polygons[pi].rings;
        if (rings.empty()) {
            out += "EMPTY";
            continue;
        }
        out += '(';
        for (std::size_t ri = 0; ri < rings.size(); ++ri) {
            if (ri > 0) out += ',';
            out += '(';
            for (std::size_t i = 0; i < rings[ri].size(); ++i) {
                if (i > 0) out += ',';
                append_xy(out, rings[ri][i]);
            }
            out += ')';
        }
        out += ')';
    }
    out += ')';
    return out;
}

std::string to_wkt(Point p) {
    std::string out = "POINT(";
    append_xy(out, p);
    out += ')';
    return out;
}

}  // namespace lernorte::geo
