#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include <catch2/catch.hpp>

#include <lernorte/geo/geometry.hpp>

#include "geo_test_support.hpp"

using namespace lernorte::geo;
using lernorte::geo::test::rect;

namespace {

// Where a spherical traveller ends up after `distance_m` on `bearing_deg` (the textbook
// direct formula), to put points exactly on a circle around a centre.
Point destination(Point from, double bearing_deg, double distance_m) {
    constexpr double r = 6371008.8;
    const double d = distance_m / r, th = bearing_deg * std::numbers::pi / 180;
    const double phi1 = from.y * std::numbers::pi / 180, l1 = from.x * std::numbers::pi / 180;
    const double phi2 = std::asin(std::sin(phi1) * std::cos(d) + std::cos(phi1) * std::sin(d) * std::cos(th));
    const double l2 = l1 + std::atan2(std::sin(th) * std::sin(d) * std::cos(phi1),
                                      std::cos(d) - std::sin(phi1) * std::sin(phi2));
    return {l2 * 180 / std::numbers::pi, phi2 * 180 / std::numbers::pi};
}

const Point hauptbahnhof{13.7322, 51.0406};
const Point frauenkirche{13.7414, 51.0519};

}  // namespace

TEST_CASE("an empty box grows to exactly the points it is given", "[geometry][bbox]") {
    BBox box;
    CHECK(box.empty());
    CHECK_FALSE(box.contains(Point{0, 0}));

    box.expand(Point{13.7, 51.0});
    CHECK_FALSE(box.empty());
    CHECK(box == BBox{13.7, 51.0, 13.7, 51.0});

    box.expand(Point{13.9, 50.9});
    CHECK(box == BBox{13.7, 50.9, 13.9, 51.0});
    CHECK(box.contains(Point{13.8, 50.95}));
    CHECK(box.contains(Point{13.9, 51.0}));  // the edges belong to the box
    CHECK_FALSE(box.contains(Point{13.95, 50.95}));
}

TEST_CASE("merging boxes ignores empty ones", "[geometry][bbox]") {
    BBox box{0, 0, 1, 1};
    box.expand(BBox{});
    CHECK(box == BBox{0, 0, 1, 1});

    box.expand(BBox{2, -1, 3, 0.5});
    CHECK(box == BBox{0, -1, 3, 1});
    CHECK(box.contains(BBox{0.5, 0, 2.5, 0.5}));
    CHECK_FALSE(BBox{0, 0, 1, 1}.intersects(BBox{1.5, 0, 2, 1}));
    CHECK(BBox{0, 0, 1, 1}.intersects(BBox{1, 1, 2, 2}));  // touching corners intersect
}

TEST_CASE("a multipolygon's box covers all its parts", "[geometry][bbox]") {
    const MultiPolygon two_islands{{Polygon{{rect(0, 0, 1, 1)}}, Polygon{{rect(5, -2, 6, 3)}}}};
    CHECK(two_islands.bbox() == BBox{0, -2, 6, 3});
    CHECK(MultiPolygon{}.bbox().empty());
}

TEST_CASE("haversine distances match known ones", "[geometry][haversine]") {
    // 1413.0 m on the WGS84 ellipsoid (PROJ geod); the sphere may differ by a few tenths of a percent.
    CHECK(haversine_m(hauptbahnhof, frauenkirche) == Approx(1413.0).epsilon(0.01));
    CHECK(haversine_m(frauenkirche, hauptbahnhof) == haversine_m(hauptbahnhof, frauenkirche));
    // One degree along the equator is R * pi / 180.
    CHECK(haversine_m({0, 0}, {1, 0}) == Approx(111195.08).margin(0.01));
    CHECK(haversine_m(frauenkirche, frauenkirche) == 0.0);
    // Antipodes: half the circumference, not NaN.
    CHECK(haversine_m({0, 0}, {180, 0}) == Approx(std::numbers::pi * 6371008.8));
}

TEST_CASE("bbox_around holds every point at the radius in every direction", "[geometry][bbox_around]") {
    for (const double radius : {1.0, 500.0, 5000.0, 250000.0}) {
        const BBox box = bbox_around(frauenkirche, radius);
        INFO("radius " << radius);
        for (int bearing = 0; bearing < 360; bearing += 3) {
            const Point p = destination(frauenkirche, bearing, radius);
            INFO("bearing " << bearing << " -> " << to_wkt(p));
            CHECK(box.contains(p));
        }
        // Conservative, but not wastefully so: the height is the diameter in degrees.
        CHECK(box.max_y - box.min_y == Approx(2 * radius / 111195.08).epsilon(1e-6));
    }
}

TEST_CASE("bbox_around stays finite near the poles and for odd radii", "[geometry][bbox_around]") {
    const BBox polar = bbox_around({10, 89.99}, 5000);
    CHECK(polar.max_y == 90.0);
    CHECK(polar.min_x == -180.0);
    CHECK(polar.max_x == 180.0);
    CHECK(std::isfinite(polar.min_y));

    const BBox pole = bbox_around({0, 90}, 1000);
    CHECK(std::isfinite(pole.min_x));
    CHECK(std::isfinite(pole.min_y));

    CHECK(bbox_around(frauenkirche, 0) == BBox{frauenkirche.x, frauenkirche.y, frauenkirche.x, frauenkirche.y});
    CHECK(bbox_around(frauenkirche, -5) == bbox_around(frauenkirche, 0));
    CHECK(bbox_around(frauenkirche, std::nan("")) == bbox_around(frauenkirche, 0));

    const BBox world = bbox_around({0, 0}, 3e7);  // more than half the circumference
    CHECK(world == BBox{-180, -90, 180, 90});
}

TEST_CASE("planar area: holes subtract whatever their winding", "[geometry][area]") {
    // 10 x 10 field with a 2 x 3 pond.
    Ring pond = rect(2, 2, 4, 5);
    const MultiPolygon field{{Polygon{{rect(0, 0, 10, 10), pond}}}};
    CHECK(planar_area(field) == Approx(94.0));

    Ring clockwise_field = rect(0, 0, 10, 10);
    std::reverse(clockwise_field.begin(), clockwise_field.end());
    const MultiPolygon reversed{{Polygon{{clockwise_field, pond}}}};
    CHECK(planar_area(reversed) == Approx(94.0));

    const MultiPolygon with_island{{Polygon{{rect(0, 0, 10, 10), pond}}, Polygon{{rect(20, 0, 21, 1)}}}};
    CHECK(planar_area(with_island) == Approx(95.0));
    CHECK(planar_area(MultiPolygon{}) == 0.0);
}

TEST_CASE("planar area is exact far from the origin", "[geometry][area]") {
    // A 1 m square at UTM coordinates of Dresden: large offsets must not eat the digits.
    const MultiPolygon square{{Polygon{{rect(411784.0, 5656349.0, 411785.0, 5656350.0)}}}};
    CHECK(planar_area(square) == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("WKT writes the shortest exact numbers", "[geometry][wkt]") {
    CHECK(to_wkt(Point{13.5, 51}) == "POINT(13.5 51)");
    CHECK(to_wkt(Point{13.736606, 51.028201}) == "POINT(13.736606 51.028201)");
    CHECK(to_wkt(Point{-0.5, 0.1 + 0.2}) == "POINT(-0.5 0.30000000000000004)");
    CHECK(to_wkt(MultiPolygon{}) == "MULTIPOLYGON EMPTY");

    const MultiPolygon field{{Polygon{{rect(0, 0, 2, 2), rect(0.5, 0.5, 1, 1)}}, Polygon{{rect(3, 0, 4, 1)}}}};
    CHECK(to_wkt(field) ==
          "MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0),(0.5 0.5,1 0.5,1 1,0.5 1,0.5 0.5)),"
          "((3 0,4 0,4 1,3 1,3 0)))");
}
