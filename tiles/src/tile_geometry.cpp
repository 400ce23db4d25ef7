#include <lernorte/tiles/tile_geometry.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

namespace lernorte::tiles {
namespace {

using geo::Point;

void drop_closing_point(std::vector<Point>& ring) {
    if (ring.size() > 1 && ring.front() == ring.back()) ring.pop_back();
}

bool all_finite(const std::vector<Point>& ring) {
    return std::all_of(ring.begin(), ring.end(),
                       [](const Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); });
}

// The box of a ring, as BBox::expand over its points would give it, in a loop the compiler inlines.
geo::BBox box_of(const std::vector<Point>& ring) noexcept {
    geo::BBox b;
    for (const Point& p : ring) {
        if (p.x < b.min_x) b.min_x = p.x;
        if (p.y < b.min_y) b.min_y = p.y;
        if (b.max_x < p.x) b.max_x = p.x;
        if (b.max_y < p.y) b.max_y = p.y;
    }
    return b;
}

// One Sutherland–Hodgman pass against a single half-plane.
template <class Inside, class Intersect>
std::vector<Point> clip_against(const std::vector<Point>& in, Inside inside, Intersect intersect) {
    std::vector<Point> out;
    if (in.empty()) return out;
    out.reserve(in.size() + 4);
    Point prev = in.back();
    bool prev_in = inside(prev);
    for (const Point& cur : in) {
        const bool cur_in = inside(cur);
        if (cur_in) {
            if (!prev_in) out.push_back(intersect(prev, cur));
            out.push_back(cur);
        } else if (prev_in) {
            out.push_back(intersect(prev, cur));
        }
        prev = cur;
        prev_in = cur_in;
    }
    return out;
}

// The crossing point of segment a-b with the vertical line x = c (a and b lie on different sides),
// placed exactly on the line so rounding keeps clipped edges straight.
Point cross_x(Point a, Point b, double c) {
    const double t = (c - a.x) / (b.x - a.x);
    return {c, a.y + t * (b.y - a.y)};
}
Point cross_y(Point a, Point b, double c) {
    const double t = (c - a.y) / (b.y - a.y);
    return {a.x + t * (b.x - a.x), c};
}

double segment_distance2(Point p, Point a, Point b) {
    double dx = b.x - a.x;
    double dy = b.y - a.y;
    double x = a.x;
    double y = a.y;
    if (dx != 0.0 || dy != 0.0) {
        const double t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy);
        if (t > 1.0) {
            x = b.x;
            y = b.y;
        } else if (t > 0.0) {
            x += dx * t;
            y += dy * t;
        }
    }
    dx = p.x - x;
    dy = p.y - y;
    return dx * dx + dy * dy;
}

}  // namespace

std::int64_t mvt_area2(const TileRing& ring) noexcept {
    std::int64_t sum = 0;
    const std::size_t n = ring.size();
    for (std::size_t i = 0; i < n; ++i) {
        const TilePoint a = ring[i];
        const TilePoint b = ring[(i + 1) % n];
        sum += std::int64_t{a.x} * b.y - std::int64_t{b.x} * a.y;
    }
    return sum;
}

std::vector<Point> clip_ring(std::vector<Point> ring, double lo, double hi) {
    drop_closing_point(ring);
    if (ring.empty()) return ring;
    const geo::BBox box = box_of(ring);
    const geo::BBox square{lo, lo, hi, hi};
    if (!square.intersects(box)) return {};
    if (square.contains(box)) return ring;  // nothing to cut: keep the vertices bit for bit
    ring = clip_against(ring, [lo](Point p) { return p.x >= lo; }, [lo](Point a, Point b) { return cross_x(a, b, lo); });
    ring = clip_against(ring, [hi](Point p) { return p.x <= hi; }, [hi](Point a, Point b) { return cross_x(a, b, hi); });
    ring = clip_against(ring, [lo](Point p) { return p.y >= lo; }, [lo](Point a, Point b) { return cross_y(a, b, lo); });
    ring = clip_against(ring, [hi](Point p) { return p.y <= hi; }, [hi](Point a, Point b) { return cross_y(a, b, hi); });
    return ring;
}

std::vector<Point> simplify_ring(const std::vector<Point>& ring, double tolerance) {
    const std::size_t n = ring.size();
    if (!(tolerance > 0.0) || n < 3) return ring;
    // The ring is simplified as the closed polyline p0 .. p(n-1) p0; index n stands for p0 again.
    const auto at = [&](std::size_t i) { return ring[i == n ? 0 : i]; };
    const double tol2 = tolerance * tolerance;
    std::vector<bool> keep(n + 1, false);
    keep[0] = true;
    keep[n] = true;
    // An explicit stack: recursion depth would follow the ring size for pathological rings.
    std::vector<std::pair<std::size_t, std::size_t>> stack{{0, n}};
    while (!stack.empty()) {
        const auto [first, last] = stack.back();
        stack.pop_back();
        double max_d2 = 0.0;
        std::size_t index = first;
        for (std::size_t i = first + 1; i < last; ++i) {
            const double d2 = segment_distance2(at(i), at(first), at(last));
            if (d2 > max_d2) {
                max_d2 = d2;
                index = i;
            }
        }
        if (max_d2 > tol2) {
            keep[index] = true;
            if (index - first > 1) stack.emplace_back(first, index);
            if (last - index > 1) stack.emplace_back(index, last);
        }
    }
    std::vector<Point> out;
    for (std::size_t i = 0; i < n; ++i) {
        if (keep[i]) out.push_back(ring[i]);
    }
    return out;
}

TileRing round_ring(const std::vector<Point>& ring) {
    TileRing out;
    out.reserve(ring.size());
    for (const Point& p : ring) {
        const TilePoint q{static_cast<std::int32_t>(std::lround(p.x)), static_cast<std::int32_t>(std::lround(p.y))};
        if (out.empty() || !(out.back() == q)) out.push_back(q);
    }
    while (out.size() > 1 && out.front() == out.back()) out.pop_back();
    return out;
}

std::vector<TileRing> prepare_polygon(const TileSpacePolygon& polygon, const AreaGeometryOptions& options) {
    std::vector<TileRing> out;
    const double lo = -static_cast<double>(options.buffer);
    const double hi = static_cast<double>(options.extent) + options.buffer;
    for (std::size_t i = 0; i < polygon.size(); ++i) {
        const bool exterior = i == 0;
        TileRing ring;
        if (all_finite(polygon[i])) {
            ring = round_ring(simplify_ring(clip_ring(polygon[i], lo, hi), options.simplify_tolerance));
        }
        const std::int64_t area = ring.size() >= 3 ? mvt_area2(ring) : 0;
        if (area == 0) {
            if (exterior) return {};  // the holes of a vanished exterior go with it
            continue;
        }
        if ((area > 0) != exterior) std::reverse(ring.begin() + 1, ring.end());  // keep the start vertex
        out.push_back(std::move(ring));
    }
    return out;
}

std::vector<TileRing> tile_polygon_rings(const geo::MultiPolygon& lonlat, TileId tile,
                                         const AreaGeometryOptions& options) {
    std::vector<TileRing> out;
    TileSpacePolygon projected;
    for (const geo::Polygon& polygon : lonlat.polygons) {
        projected.resize(polygon.rings.size());
        for (std::size_t i = 0; i < polygon.rings.size(); ++i) {
            projected[i].clear();
            projected[i].reserve(polygon.rings[i].size());
            for (const Point& p : polygon.rings[i]) projected[i].push_back(to_tile_coords(p, tile, options.extent));
        }
        for (TileRing& ring : prepare_polygon(projected, options)) out.push_back(std::move(ring));
    }
    return out;
}

std::vector<geo::BBox> ring_boxes(const geo::MultiPolygon& multi) {
    std::vector<geo::BBox> out;
    out.reserve(multi.polygons.size());
    for (const geo::Polygon& polygon : multi.polygons) {
        out.push_back(polygon.rings.empty() ? geo::BBox{} : box_of(polygon.rings.front()));
    }
    return out;
}

std::vector<TileRing> tile_polygon_rings_mercator(const geo::MultiPolygon& mercator, TileId tile,
                                                 const AreaGeometryOptions& options,
                                                 const std::vector<geo::BBox>* polygon_boxes) {
    // The arithmetic of to_tile_coords after its to_mercator step, so the rings are identical.
    constexpr double half_world = half_world_m;
    const double n = std::ldexp(1.0, tile.z);
    const double size = 2 * half_world / n;
    const double min_x = -half_world + tile.x * size;
    const double max_y = half_world - tile.y * size;
    const double margin = size * options.buffer / options.extent;
    const geo::BBox reach{min_x - margin, max_y - size - margin, min_x + size + margin, max_y + margin};
    std::vector<TileRing> out;
    TileSpacePolygon projected;
    const bool have_boxes = polygon_boxes != nullptr && polygon_boxes->size() == mercator.polygons.size();
    for (std::size_t k = 0; k < mercator.polygons.size(); ++k) {
        const geo::Polygon& polygon = mercator.polygons[k];
        if (polygon.rings.empty()) continue;
        const geo::BBox box = have_boxes ? (*polygon_boxes)[k] : box_of(polygon.rings.front());
        if (!box.intersects(reach)) continue;  // clipping would drop it whole
        projected.resize(polygon.rings.size());
        for (std::size_t i = 0; i < polygon.rings.size(); ++i) {
            projected[i].clear();
            projected[i].reserve(polygon.rings[i].size());
            for (const Point& m : polygon.rings[i]) {
                projected[i].push_back({(m.x - min_x) / size * options.extent, (max_y - m.y) / size * options.extent});
            }
        }
        for (TileRing& ring : prepare_polygon(projected, options)) out.push_back(std::move(ring));
    }
    return out;
}

}  // namespace lernorte::tiles
