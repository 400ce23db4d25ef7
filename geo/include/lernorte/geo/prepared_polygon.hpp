#pragma once
// Fast repeated point-in-polygon tests. The edges are bucketed into horizontal bands so a
// test looks only at the edges that cross the point's band (crossing-number rule).

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::geo {

class PreparedPolygon {
public:
    explicit PreparedPolygon(MultiPolygon mp);

    /// True when p is inside. Boundary points follow a half-open rule (crossing number with
    /// edges taken as [low y, high y), and a point exactly on an edge belongs to the side the
    /// edge's interior lies to the right of), so of two regions that share an edge exactly
    /// one contains a point on it: a partition such as the Stadträume assigns every point once.
    [[nodiscard]] bool contains(Point p) const noexcept;
    [[nodiscard]] const BBox& bbox() const noexcept { return m_bbox; }
    [[nodiscard]] const MultiPolygon& geometry() const noexcept { return m_geometry; }

private:
    struct Edge {  // stored with a.y < b.y, so both regions sharing it test it identically
        Point a;
        Point b;
    };
    [[nodiscard]] std::uint32_t band_of(double y) const noexcept;
    MultiPolygon m_geometry;
    BBox m_bbox;
    double m_band_scale = 0.0;  // bands per unit of y
    std::uint32_t m_band_count = 0;
    std::vector<std::uint32_t> m_band_start;  // size bands+1, offsets into m_band_edges
    std::vector<Edge> m_band_edges;
};

/// A set of non-overlapping regions (e.g. the 17 Stadträume) with a locate() query.
class RegionIndex {
public:
    void add(int id, MultiPolygon mp);
    /// The id of the first region that contains p, or nullopt.
    [[nodiscard]] std::optional<int> locate(Point p) const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return m_regions.size(); }

private:
    std::vector<std::pair<int, PreparedPolygon>> m_regions;
};

}  // namespace lernorte::geo
