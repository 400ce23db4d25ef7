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

// The four Sutherland–Hodgman passes of clip_ring, without its shortcuts.
std::vector<Point> clip_passes(std::vector<Point> ring, double lo, double hi) {
    ring = clip_against(ring, [lo](Point p) { return p.x >= lo; }, [lo](Point a, Point b) { return cross_x(a, b, lo); });
    ring = clip_against(ring, [hi](Point p) { return p.x <= hi; }, [hi](Point a, Point b) { return cross_x(a, b, hi); });
    ring = clip_against(ring, [lo](Point p) { return p.y >= lo; }, [lo](Point a, Point b) { return cross_y(a, b, lo); });
    ring = clip_against(ring, [hi](Point p) { return p.y <= hi; }, [hi](Point a, Point b) { return cross_y(a, b, hi); });
    return ring;
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
    return clip_passes(std::move(ring), lo, hi);
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

namespace {

// What prepare_polygon does with ring `index` of a polygon once it is clipped: simplify, round,
// drop it if it has no area, orient it. False when the polygon vanishes (its exterior did).
bool finish_ring(const std::vector<Point>& clipped, std::size_t index, const AreaGeometryOptions& options,
                 std::vector<TileRing>& out) {
    const bool exterior = index == 0;
    TileRing ring = round_ring(simplify_ring(clipped, options.simplify_tolerance));
    const std::int64_t area = ring.size() >= 3 ? mvt_area2(ring) : 0;
    if (area == 0) return !exterior;  // the holes of a vanished exterior go with it
    if ((area > 0) != exterior) std::reverse(ring.begin() + 1, ring.end());  // keep the start vertex
    out.push_back(std::move(ring));
    return true;
}

}  // namespace

std::vector<TileRing> prepare_polygon(const TileSpacePolygon& polygon, const AreaGeometryOptions& options) {
    std::vector<TileRing> out;
    const double lo = -static_cast<double>(options.buffer);
    const double hi = static_cast<double>(options.extent) + options.buffer;
    for (std::size_t i = 0; i < polygon.size(); ++i) {
        const std::vector<Point> clipped = all_finite(polygon[i]) ? clip_ring(polygon[i], lo, hi) : std::vector<Point>{};
        if (!finish_ring(clipped, i, options, out)) return {};
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

RingBoxes ring_boxes(const geo::MultiPolygon& multi) {
    RingBoxes out;
    out.polygons.reserve(multi.polygons.size());
    out.chunks.resize(multi.polygons.size());
    for (std::size_t k = 0; k < multi.polygons.size(); ++k) {
        const geo::Polygon& polygon = multi.polygons[k];
        out.polygons.push_back(polygon.rings.empty() ? geo::BBox{} : box_of(polygon.rings.front()));
        for (const std::vector<Point>& ring : polygon.rings) {
            std::vector<geo::BBox>& chunks = out.chunks[k].emplace_back();
            if (!all_finite(ring)) continue;
            std::size_t n = ring.size();
            if (n > 1 && ring.front() == ring.back()) --n;
            for (std::size_t a = 0; a < n; a += RingBoxes::chunk_vertices) {
                geo::BBox b;
                for (std::size_t i = a; i < std::min(n, a + RingBoxes::chunk_vertices); ++i) {
                    const Point& p = ring[i];
                    if (p.x < b.min_x) b.min_x = p.x;
                    if (p.y < b.min_y) b.min_y = p.y;
                    if (b.max_x < p.x) b.max_x = p.x;
                    if (b.max_y < p.y) b.max_y = p.y;
                }
                chunks.push_back(b);
            }
        }
    }
    return out;
}

namespace {

// Where a tile puts Web Mercator metres: the arithmetic of to_tile_coords after its
// to_mercator step, so the rings are identical. Each coordinate is a monotone function of one
// Mercator coordinate (x rising, y falling), so the box of projected points is the projected box.
struct MercatorFrame {
    double min_x, max_y, size, extent;
    [[nodiscard]] Point operator()(const Point& m) const noexcept {
        return {(m.x - min_x) / size * extent, (max_y - m.y) / size * extent};
    }
    [[nodiscard]] geo::BBox operator()(const geo::BBox& m) const noexcept {
        const Point lo = (*this)(Point{m.min_x, m.max_y});
        const Point hi = (*this)(Point{m.max_x, m.min_y});
        return {lo.x, lo.y, hi.x, hi.y};
    }
};

// Clips one Mercator ring (open: `n` vertices, a closing one left out) with its chunk boxes:
// exactly what clip_ring gives for the whole projected ring. A chunk whose vertices all lie in
// one of the regions L (x < lo), R (x > hi), B (lo <= x <= hi, y < lo) or T (lo <= x <= hi,
// y > hi) keeps only its first and last vertex. A Sutherland–Hodgman pass emits nothing for an
// edge between two vertices outside its half-plane, so within a run of such vertices only the
// first and last matter; and the passes before the one that cuts a region (x >= lo, x <= hi,
// y >= lo, y <= hi, in that order) keep a run of that region whole and insert nothing into it,
// because its vertices and the edges between them are inside their half-planes.
std::vector<Point> clip_mercator_ring(const std::vector<Point>& ring, std::size_t n, const std::vector<geo::BBox>& chunks,
                                      const MercatorFrame& frame, double lo, double hi) {
    geo::BBox mbox;
    for (const geo::BBox& c : chunks) mbox.expand(c);
    const geo::BBox box = frame(mbox);
    const geo::BBox square{lo, lo, hi, hi};
    std::vector<Point> out;
    if (!square.intersects(box)) return out;
    const bool whole = square.contains(box);
    out.reserve(whole ? n : std::min(n, 2 * chunks.size() + 64));
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const std::size_t a = c * RingBoxes::chunk_vertices;
        const std::size_t b = std::min(n, a + RingBoxes::chunk_vertices);
        if (!whole && b - a > 2) {
            const geo::BBox t = frame(chunks[c]);
            const bool slab = t.min_x >= lo && t.max_x <= hi;
            if (t.max_x < lo || t.min_x > hi || (slab && (t.max_y < lo || t.min_y > hi))) {
                out.push_back(frame(ring[a]));
                out.push_back(frame(ring[b - 1]));
                continue;
            }
        }
        for (std::size_t i = a; i < b; ++i) out.push_back(frame(ring[i]));
    }
    return whole ? out : clip_passes(std::move(out), lo, hi);
}

}  // namespace

std::vector<TileRing> tile_polygon_rings_mercator(const geo::MultiPolygon& mercator, TileId tile,
                                                 const AreaGeometryOptions& options, const RingBoxes* boxes) {
    constexpr double half_world = half_world_m;
    const double n = std::ldexp(1.0, tile.z);
    const double size = 2 * half_world / n;
    const double min_x = -half_world + tile.x * size;
    const double max_y = half_world - tile.y * size;
    const MercatorFrame frame{min_x, max_y, size, static_cast<double>(options.extent)};
    const double margin = size * options.buffer / options.extent;
    const geo::BBox reach{min_x - margin, max_y - size - margin, min_x + size + margin, max_y + margin};
    const double lo = -static_cast<double>(options.buffer);
    const double hi = static_cast<double>(options.extent) + options.buffer;
    const bool have_boxes = boxes != nullptr && boxes->polygons.size() == mercator.polygons.size() &&
                            boxes->chunks.size() == mercator.polygons.size();
    std::vector<TileRing> out;
    std::vector<TileRing> rings;
    std::vector<Point> projected;
    for (std::size_t k = 0; k < mercator.polygons.size(); ++k) {
        const geo::Polygon& polygon = mercator.polygons[k];
        if (polygon.rings.empty()) continue;
        const geo::BBox box = have_boxes ? boxes->polygons[k] : box_of(polygon.rings.front());
        if (!box.intersects(reach)) continue;  // clipping would drop it whole
        rings.clear();
        bool vanished = false;
        for (std::size_t i = 0; i < polygon.rings.size() && !vanished; ++i) {
            const std::vector<Point>& ring = polygon.rings[i];
            std::vector<Point> clipped;
            const std::vector<geo::BBox>* chunks =
                have_boxes && boxes->chunks[k].size() == polygon.rings.size() ? &boxes->chunks[k][i] : nullptr;
            // The chunks leave out a closing vertex equal to the first; clip_ring drops the last
            // vertex when the projected ends are equal. Where the two disagree (two different
            // ends that the projection rounds together), the whole ring is used.
            const bool closed = ring.size() > 1 && ring.front() == ring.back();
            const std::size_t open = closed ? ring.size() - 1 : ring.size();
            const bool alike = closed || !(ring.size() > 1 && frame(ring.front()) == frame(ring.back()));
            const bool chunked = chunks != nullptr && !chunks->empty() && alike &&
                                 chunks->size() == (open + RingBoxes::chunk_vertices - 1) / RingBoxes::chunk_vertices;
            if (chunked) {
                clipped = clip_mercator_ring(ring, open, *chunks, frame, lo, hi);
            } else {
                projected.clear();
                projected.reserve(ring.size());
                for (const Point& m : ring) projected.push_back(frame(m));
                if (all_finite(projected)) clipped = clip_ring(projected, lo, hi);
            }
            vanished = !finish_ring(clipped, i, options, rings);
        }
        if (vanished) continue;
        for (TileRing& r : rings) out.push_back(std::move(r));
    }
    return out;
}

}  // namespace lernorte::tiles
