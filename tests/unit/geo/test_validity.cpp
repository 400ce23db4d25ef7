#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/geo/validity.hpp>

#include "geo_test_support.hpp"

using namespace lernorte::geo;
using lernorte::geo::test::rect;
using lernorte::geo::test::rect_mp;

namespace {

double signed_area(const Ring& ring) {
    double twice = 0;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        twice += ring[j].x * ring[i].y - ring[i].x * ring[j].y;
    }
    return twice / 2;
}

bool exteriors_ccw_holes_cw(const MultiPolygon& mp) {
    for (const auto& polygon : mp.polygons) {
        for (std::size_t i = 0; i < polygon.rings.size(); ++i) {
            const double a = signed_area(polygon.rings[i]);
            if (i == 0 ? a <= 0 : a >= 0) return false;
        }
    }
    return true;
}

}  // namespace

TEST_CASE("a bow-tie is repaired into its two triangles", "[validity]") {
    //  (0,2)        (2,2)
    //     |\      /|
    //     |  \  /  |      the ring crosses itself at (1,1)
    //     |  /  \  |
    //     |/      \|
    //  (0,0)        (2,0)
    const MultiPolygon bow_tie{{Polygon{{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}}}};
    const ValidityResult r = make_valid(bow_tie);
    CHECK_FALSE(r.valid);
    CHECK(r.repaired);
    CHECK_THAT(r.reason, Catch::Contains("Self-intersection", Catch::CaseSensitive::No));
    REQUIRE(r.geometry.polygons.size() == 2);
    CHECK(planar_area(r.geometry) == Approx(2.0));  // two triangles of 1 each
    CHECK(exteriors_ccw_holes_cw(r.geometry));
}

TEST_CASE("a valid polygon passes unchanged", "[validity]") {
    const MultiPolygon field{{Polygon{{rect(0, 0, 10, 10), {{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}}}}}};
    REQUIRE(exteriors_ccw_holes_cw(field));
    const ValidityResult r = make_valid(field);
    CHECK(r.valid);
    CHECK_FALSE(r.repaired);
    CHECK(r.reason.empty());
    CHECK(r.geometry.polygons.size() == 1);
    CHECK(r.geometry.polygons[0].rings == field.polygons[0].rings);
}

TEST_CASE("a valid polygon with the wrong winding is only turned around", "[validity]") {
    Ring clockwise = rect(0, 0, 3, 3);
    std::reverse(clockwise.begin(), clockwise.end());
    Ring counter_clockwise_hole = rect(1, 1, 2, 2);
    const ValidityResult r = make_valid(MultiPolygon{{Polygon{{clockwise, counter_clockwise_hole}}}});
    CHECK(r.valid);
    CHECK_FALSE(r.repaired);
    CHECK(exteriors_ccw_holes_cw(r.geometry));
    CHECK(planar_area(r.geometry) == Approx(8.0));
}

TEST_CASE("a ring of three points cannot be repaired", "[validity]") {
    const ValidityResult r = make_valid(MultiPolygon{{Polygon{{{{0, 0}, {1, 0}, {0, 0}}}}}});
    CHECK_FALSE(r.valid);
    CHECK_FALSE(r.repaired);
    CHECK(r.geometry.empty());
    CHECK_THAT(r.reason, Catch::Contains("Too few points"));
}

TEST_CASE("a ring whose points lie on one line has no area to save", "[validity]") {
    const ValidityResult r = make_valid(MultiPolygon{{Polygon{{{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {0, 0}}}}}});
    CHECK_FALSE(r.valid);
    CHECK_FALSE(r.repaired);
    CHECK(r.geometry.empty());
    CHECK_FALSE(r.reason.empty());
}

TEST_CASE("union of two neighbouring squares is one rectangle", "[validity][union]") {
    const MultiPolygon u = union_all({rect_mp(0, 0, 1, 1), rect_mp(1, 0, 2, 1)});
    REQUIRE(u.polygons.size() == 1);
    CHECK(planar_area(u) == Approx(2.0));
    CHECK(u.bbox() == BBox{0, 0, 2, 1});
    CHECK(exteriors_ccw_holes_cw(u));
}

TEST_CASE("union keeps islands apart and overlaps counted once", "[validity][union]") {
    const MultiPolygon u = union_all({rect_mp(0, 0, 2, 2), rect_mp(1, 1, 3, 3), rect_mp(10, 10, 11, 11)});
    CHECK(u.polygons.size() == 2);
    CHECK(planar_area(u) == Approx(4 + 4 - 1 + 1));
    CHECK(union_all({}).empty());
}

TEST_CASE("union of a broken part says which one", "[validity][union]") {
    CHECK_THROWS_WITH(union_all({rect_mp(0, 0, 1, 1), MultiPolygon{{Polygon{{{{0, 0}, {1, 1}}}}}}}),
                      Catch::Contains("part 1"));
}
