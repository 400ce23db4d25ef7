#include <lernorte/geo/prepared_polygon.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

namespace lernorte::geo {

namespace {

constexpr std::uint32_t max_bands = 4096;
constexpr std::uint32_t edges_per_band = 4;

}  // namespace

std::uint32_t PreparedPolygon::band_of(double y) const noexcept {
    // Monotone in y (one subtraction, one multiplication, a clamp): an edge spanning
    // [a.y, b.y] is filed in every band from band_of(a.y) to band_of(b.y), so whatever
    // band a point inside that span maps to, the edge is there.
    const double f = (y - m_bbox.min_y) * m_band_scale;
    if (!(f > 0.0)) return 0;  // also catches NaN
    const double last = static_cast<double>(m_band_count - 1);
    return f >= last ? m_band_count - 1 : static_cast<std::uint32_t>(f);
}

PreparedPolygon::PreparedPolygon(MultiPolygon mp) : m_geometry(std::move(mp)) {
    m_bbox = m_geometry.bbox();

    std::vector<Edge> edges;
    for (const auto& polygon : m_geometry.polygons) {
        for (const auto& ring : polygon.rings) {
            // Even-odd over all rings handles holes and the parts of a multipolygon alike.
            // The closing edge is added explicitly, so unclosed rings still enclose an area.
            for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
                Point a = ring[j], b = ring[i];
                if (a.y == b.y) continue;  // a horizontal edge is never crossed half-open
                if (a.y > b.y) std::swap(a, b);
                edges.push_back({a, b});
            }
        }
    }

    m_band_count = std::clamp<std::uint32_t>(
        static_cast<std::uint32_t>(std::min<std::size_t>(edges.size() / edges_per_band, max_bands)),
        1, max_bands);
    const double height = m_bbox.max_y - m_bbox.min_y;
    m_band_scale = height > 0.0 && std::isfinite(height) ? m_band_count / height : 0.0;
    if (m_band_scale == 0.0) m_band_count = 1;

    // Counting sort of the edges into their bands: two passes, one allocation.
    std::vector<std::uint32_t> counts(m_band_count + 1, 0);
    for (const auto& e : edges) {
        for (std::uint32_t b = band_of(e.a.y), last = band_of(e.b.y); b <= last; ++b) ++counts[b + 1];
    }
    for (std::uint32_t b = 0; b < m_band_count; ++b) counts[b + 1] += counts[b];
    m_band_start = counts;
    m_band_edges.resize(counts.back());
    for (const auto& e : edges) {
        for (std::uint32_t b = band_of(e.a.y), last = band_of(e.b.y); b <= last; ++b) {
            m_band_edges[counts[b]++] = e;
        }
    }
}

bool PreparedPolygon::contains(Point p) const noexcept {
    if (!m_bbox.contains(p)) return false;
    const std::uint32_t band = band_of(p.y);
    const Edge* it = m_band_edges.data() + m_band_start[band];
    const Edge* const end = m_band_edges.data() + m_band_start[band + 1];
    bool inside = false;
    for (; it != end; ++it) {
        // Half-open in y: a ray through a vertex counts the vertex once, not twice.
        if (p.y < it->a.y || p.y >= it->b.y) continue;
        // Orientation instead of an intersection x: no division, and the same expression
        // for both regions sharing this edge (edges are stored low end first), so a point on
        // the edge (cross == 0) is outside of both tests' "strictly left" and lands in the
        // region to the edge's right only.
        const double cross =
            (it->b.x - it->a.x) * (p.y - it->a.y) - (p.x - it->a.x) * (it->b.y - it->a.y);
        if (cross > 0.0) inside = !inside;
    }
    return inside;
}

void RegionIndex::add(int id, MultiPolygon mp) {
    m_regions.emplace_back(id, PreparedPolygon(std::move(mp)));
}

std::optional<int> RegionIndex::locate(Point p) const noexcept {
    for (const auto& [id, region] : m_regions) {
        if (region.bbox().contains(p) && region.contains(p)) return id;
    }
    return std::nullopt;
}

}  // namespace lernorte::geo
