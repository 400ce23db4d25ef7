#pragma once
// Plain geometry value types shared by every module. Coordinates are x/y in the CRS
// the caller says: lon/lat (EPSG:4326, axis order x=lon) unless a function names metres.

#include <limits>
#include <string>
#include <vector>

namespace lernorte::geo {

/// A position; x = longitude / easting, y = latitude / northing.
struct Point {
    double x = 0.0;
    double y = 0.0;
    friend bool operator==(const Point&, const Point&) = default;
};

/// Axis-aligned box; an empty box has min > max.
struct BBox {
    double min_x = std::numeric_limits<double>::infinity();
    double min_y = std::numeric_limits<double>::infinity();
    double max_x = -std::numeric_limits<double>::infinity();
    double max_y = -std::numeric_limits<double>::infinity();

    [[nodiscard]] bool empty() const noexcept { return min_x > max_x || min_y > max_y; }
    [[nodiscard]] bool contains(Point p) const noexcept {
        return p.x >= min_x && p.x <= max_x && p.y >= min_y && p.y <= max_y;
    }
    [[nodiscard]] bool contains(const BBox& b) const noexcept {
        return b.min_x >= min_x && b.max_x <= max_x && b.min_y >= min_y && b.max_y <= max_y;
    }
    [[nodiscard]] bool intersects(const BBox& b) const noexcept {
        return !(b.min_x > max_x || b.max_x < min_x || b.min_y > max_y || b.max_y < min_y);
    }
    void expand(Point p) noexcept;
    void expand(const BBox& b) noexcept;
    friend bool operator==(const BBox&, const BBox&) = default;
};

/// A closed ring (first point == last point).
using Ring = std::vector<Point>;

/// rings[0] is the exterior ring, the others are holes.
struct Polygon {
    std::vector<Ring> rings;
};

struct MultiPolygon {
    std::vector<Polygon> polygons;
    [[nodiscard]] BBox bbox() const;
    [[nodiscard]] bool empty() const noexcept { return polygons.empty(); }
};

/// Great-circle distance in metres between two lon/lat points (WGS84 mean radius).
[[nodiscard]] double haversine_m(Point a, Point b) noexcept;

/// A lon/lat box that contains every point within `radius_m` of `center`.
[[nodiscard]] BBox bbox_around(Point center, double radius_m) noexcept;

/// Planar area of a multipolygon in the square units of its coordinates (shoelace; holes subtract).
[[nodiscard]] double planar_area(const MultiPolygon& mp) noexcept;

/// Well-known text, e.g. "MULTIPOLYGON(((...)))"; used for storage and debugging.
[[nodiscard]] std::string to_wkt(const MultiPolygon& mp);
[[nodiscard]] std::string to_wkt(Point p);

}  // namespace lernorte::geo
