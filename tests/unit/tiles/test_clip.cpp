// Area geometry on small synthetic polygons drawn in tile space: clip, simplify, round, orient.

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/tiles/mvt.hpp>
#include <lernorte/tiles/tile_geometry.hpp>

#include "mvt_decoder.hpp"
#include "tile_space.hpp"

using namespace lernorte;
using tiles::TilePoint;
using tiles::TileRing;

namespace {

const tiles::TileId frauenkirche{14, 8817, 5481};

tiles::AreaGeometryOptions exact() { return {4096, 64, 0.0}; }  // no simplification

bool same_vertex_set(TileRing a, TileRing b) {
    const auto less = [](TilePoint p, TilePoint q) { return p.x != q.x ? p.x < q.x : p.y < q.y; };
    std::sort(a.begin(), a.end(), less);
    std::sort(b.begin(), b.end(), less);
    return a == b;
}

bool no_consecutive_duplicates(const TileRing& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (r[i] == r[(i + 1) % r.size()]) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("the MVT area formula is positive for rings clockwise on screen", "[tiles][clip]") {
    // y grows downwards: right along the top, then down, is clockwise as drawn.
    CHECK(tiles::mvt_area2({{0, 0}, {10, 0}, {10, 10}, {0, 10}}) == 200);
    CHECK(tiles::mvt_area2({{0, 0}, {0, 10}, {10, 10}, {10, 0}}) == -200);
    CHECK(tiles::mvt_area2({{0, 0}, {5, 5}, {10, 10}}) == 0);
}

TEST_CASE("a square half outside the tile is clipped to the buffer edge", "[tiles][clip]") {
    const auto clipped = tiles::clip_ring({{-500, 100}, {500, 100}, {500, 300}, {-500, 300}, {-500, 100}}, -64, 4160);
    const TileRing rounded = tiles::round_ring(clipped);
    CHECK(same_vertex_set(rounded, {{-64, 100}, {500, 100}, {500, 300}, {-64, 300}}));

    const auto rings = tiles::prepare_polygon({{{-500, 100}, {500, 100}, {500, 300}, {-500, 300}}}, exact());
    REQUIRE(rings.size() == 1);
    CHECK(same_vertex_set(rings[0], {{-64, 100}, {500, 100}, {500, 300}, {-64, 300}}));
    CHECK(tiles::mvt_area2(rings[0]) == 2 * 564 * 200);
}

TEST_CASE("a ring inside the buffered tile keeps its vertices", "[tiles][clip]") {
    const std::vector<geo::Point> ring{{10.25, 10.5}, {20.75, 10.5}, {20.75, 30.0}};
    CHECK(tiles::clip_ring(ring, -64, 4160) == ring);
}

TEST_CASE("a polygon with a hole keeps the hole after its exterior, wound the other way", "[tiles][clip]") {
    // Both rings deliberately given with the wrong MVT winding.
    const tiles::TileSpacePolygon polygon{
        {{100, 100}, {100, 900}, {900, 900}, {900, 100}, {100, 100}},  // counter-clockwise on screen
        {{300, 300}, {600, 300}, {600, 600}, {300, 600}, {300, 300}},  // clockwise on screen
    };
    const auto rings = tiles::prepare_polygon(polygon, exact());
    REQUIRE(rings.size() == 2);
    CHECK(tiles::mvt_area2(rings[0]) == 2 * 800 * 800);
    CHECK(tiles::mvt_area2(rings[1]) == -2 * 300 * 300);
    CHECK(rings[0].front() == TilePoint{100, 100});  // reorientation keeps the start vertex
    CHECK(rings[1].front() == TilePoint{300, 300});
}

TEST_CASE("a hole outside the buffered tile is dropped, the exterior stays", "[tiles][clip]") {
    const tiles::TileSpacePolygon polygon{
        {{-9000, 100}, {900, 100}, {900, 900}, {-9000, 900}},
        {{-8000, 300}, {-7000, 300}, {-7000, 600}, {-8000, 600}},
    };
    const auto rings = tiles::prepare_polygon(polygon, exact());
    REQUIRE(rings.size() == 1);
    CHECK(same_vertex_set(rings[0], {{-64, 100}, {900, 100}, {900, 900}, {-64, 900}}));
}

TEST_CASE("a polygon whose exterior vanishes is dropped with its holes", "[tiles][clip]") {
    const tiles::TileSpacePolygon outside{
        {{5000, 100}, {6000, 100}, {6000, 900}, {5000, 900}},
        {{5200, 300}, {5500, 300}, {5500, 600}, {5200, 600}},
    };
    CHECK(tiles::prepare_polygon(outside, exact()).empty());
}

TEST_CASE("a polygon fully outside the tile writes no feature", "[tiles][clip]") {
    const geo::MultiPolygon far{{geo::Polygon{{test::ring_at(frauenkirche, {{5000, 100}, {6000, 100}, {6000, 900}})}}}};
    CHECK(tiles::tile_polygon_rings(far, frauenkirche, {}).empty());
    CHECK_FALSE(tiles::build_tile(frauenkirche, {{7, &far, {}}}, {}).has_value());
}

TEST_CASE("a huge polygon covering the tile becomes the buffered square", "[tiles][clip]") {
    const geo::MultiPolygon saxony{{geo::Polygon{{{{11.8, 50.1}, {15.1, 50.1}, {15.1, 51.7}, {11.8, 51.7}, {11.8, 50.1}}}}}};
    const auto rings = tiles::tile_polygon_rings(saxony, frauenkirche, {});
    REQUIRE(rings.size() == 1);
    CHECK(same_vertex_set(rings[0], {{-64, -64}, {4160, -64}, {4160, 4160}, {-64, 4160}}));

    const auto data = tiles::build_tile(frauenkirche, {{1, &saxony, {}}}, {});
    REQUIRE(data.has_value());
    const auto tile = test::mvt::decode(*data);
    REQUIRE(tile.layers.size() == 1);
    REQUIRE(tile.layers[0].features.size() == 1);
    const auto& parts = tile.layers[0].features[0].parts;
    REQUIRE(parts.size() == 1);
    CHECK(test::mvt::area2(parts[0]) == 2 * 4224LL * 4224LL);
}

TEST_CASE("counter-clockwise lon/lat input comes out with positive exteriors and negative holes", "[tiles][clip]") {
    // RFC 7946 winding: exterior counter-clockwise, hole clockwise, with y = latitude pointing up.
    const geo::Ring exterior{{13.70, 51.03}, {13.78, 51.03}, {13.78, 51.07}, {13.70, 51.07}, {13.70, 51.03}};
    const geo::Ring hole{{13.73, 51.045}, {13.73, 51.055}, {13.75, 51.055}, {13.75, 51.045}, {13.73, 51.045}};
    geo::Ring exterior_cw(exterior.rbegin(), exterior.rend());
    geo::Ring hole_ccw(hole.rbegin(), hole.rend());
    const geo::MultiPolygon rfc{{geo::Polygon{{exterior, hole}}}};
    const geo::MultiPolygon reversed{{geo::Polygon{{exterior_cw, hole_ccw}}}};

    for (const geo::MultiPolygon* mp : {&rfc, &reversed}) {
        const auto data = tiles::build_tile(frauenkirche, {{2, mp, {}}}, {});
        REQUIRE(data.has_value());
        const auto tile = test::mvt::decode(*data);  // also checks MoveTo/LineTo/ClosePath structure
        const auto& parts = tile.layers.at(0).features.at(0).parts;
        REQUIRE(parts.size() == 2);
        CHECK(test::mvt::area2(parts[0]) > 0);
        CHECK(test::mvt::area2(parts[1]) < 0);
    }
}

TEST_CASE("Douglas-Peucker drops vertices within the tolerance and keeps the corners", "[tiles][clip]") {
    std::vector<geo::Point> ring;
    for (int i = 0; i < 100; ++i) ring.push_back({i * 10.0, (i % 2) * 0.4});  // a zig-zag top edge
    ring.push_back({1000, 1000});
    ring.push_back({0, 1000});
    const auto simplified = tiles::simplify_ring(ring, 1.0);
    CHECK(simplified == std::vector<geo::Point>{{0, 0}, {990, 0.4}, {1000, 1000}, {0, 1000}});
    CHECK(tiles::simplify_ring(ring, 0.0) == ring);
    CHECK(tiles::simplify_ring(ring, 0.1).size() == ring.size());  // the zig-zag exceeds 0.1

    // A ring smaller than the tolerance collapses to its anchor, and the polygon with it.
    CHECK(tiles::simplify_ring({{10, 10}, {10.5, 10}, {10.5, 10.5}}, 1.0).size() == 1);
    CHECK(tiles::prepare_polygon({{{10, 10}, {10.5, 10}, {10.5, 10.5}}}, {4096, 64, 1.0}).empty());
}

TEST_CASE("rounding leaves no consecutive duplicate points", "[tiles][clip]") {
    // A dense circle: many vertices round onto the same integer position.
    std::vector<geo::Point> circle;
    for (int i = 0; i < 2000; ++i) {
        const double a = i * 2 * 3.141592653589793 / 2000;
        circle.push_back({200 + 20 * std::cos(a), 200 + 20 * std::sin(a)});
    }
    circle.push_back(circle.front());
    for (double tolerance : {0.0, 0.5, 1.0}) {
        const auto rings = tiles::prepare_polygon({circle}, {4096, 64, tolerance});
        REQUIRE(rings.size() == 1);
        CHECK(rings[0].size() >= 3);
        CHECK(no_consecutive_duplicates(rings[0]));
        CHECK(tiles::mvt_area2(rings[0]) > 0);
    }
}

TEST_CASE("a sliver that rounds to zero area is dropped", "[tiles][clip]") {
    const tiles::TileSpacePolygon sliver{{{10, 10}, {100, 10.2}, {100, 10.4}, {10, 10.3}}};
    CHECK(tiles::prepare_polygon(sliver, exact()).empty());
    const tiles::TileSpacePolygon collinear{{{10, 10}, {50, 50}, {100, 100}, {50, 50.2}}};
    CHECK(tiles::prepare_polygon(collinear, exact()).empty());

    const geo::MultiPolygon mp{{geo::Polygon{{test::ring_at(frauenkirche, sliver[0])}}}};
    CHECK_FALSE(tiles::build_tile(frauenkirche, {{3, &mp, {{"name", std::string("Splitter")}}}}, {}).has_value());
}

TEST_CASE("a ring with a non-finite coordinate counts as dropped", "[tiles][clip]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(tiles::prepare_polygon({{{10, 10}, {100, nan}, {100, 100}}}, exact()).empty());
    const auto rings = tiles::prepare_polygon(
        {{{10, 10}, {100, 10}, {100, 100}, {10, 100}}, {{20, 20}, {30, nan}, {30, 30}}}, exact());
    CHECK(rings.size() == 1);
}

TEST_CASE("only the parts of a multipolygon that reach the tile are written", "[tiles][clip]") {
    const geo::MultiPolygon mp{{
        geo::Polygon{{test::ring_at(frauenkirche, {{100, 100}, {200, 100}, {200, 200}, {100, 200}})}},
        geo::Polygon{{test::ring_at(frauenkirche, {{9000, 100}, {9100, 100}, {9100, 200}})}},
        geo::Polygon{{test::ring_at(frauenkirche, {{4000, 4000}, {4500, 4000}, {4500, 4500}, {4000, 4500}})}},
    }};
    const auto rings = tiles::tile_polygon_rings(mp, frauenkirche, {});
    REQUIRE(rings.size() == 2);
    CHECK(same_vertex_set(rings[0], {{100, 100}, {200, 100}, {200, 200}, {100, 200}}));
    CHECK(same_vertex_set(rings[1], {{4000, 4000}, {4160, 4000}, {4160, 4160}, {4000, 4160}}));
}

TEST_CASE("clipping with chunk boxes gives the same rings as clipping every vertex", "[tiles][clip]") {
    // tile_polygon_rings_mercator with ring_boxes skips the inner vertices of chunks that lie
    // beyond one edge of the buffered tile. Random walks in Web Mercator around Dresden, some
    // with long jumps, closed and open, with holes, some vertices exactly on the buffered tile
    // edges (the decisions there are the delicate ones), against tiles from z10 to z18: the
    // result must be the same, vertex for vertex, with and without the boxes, and with and
    // without simplification.
    std::uint64_t state = 0x9e3779b97f4a7c15ull;
    const auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
    };
    const geo::Point centre = tiles::to_mercator({13.74, 51.05});
    std::size_t compared = 0;
    std::size_t reduced_somewhere = 0;
    for (int round = 0; round < 60; ++round) {
        const int z = 10 + round % 9;
        const double size = 2 * tiles::half_world_m / std::ldexp(1.0, z);
        const auto tile_x = static_cast<std::int64_t>(std::floor((centre.x + tiles::half_world_m) / size));
        const auto tile_y = static_cast<std::int64_t>(std::floor((tiles::half_world_m - centre.y) / size));
        const tiles::TileId tile{z, static_cast<std::uint32_t>(tile_x + static_cast<std::int64_t>(next() * 3) - 1),
                                 static_cast<std::uint32_t>(tile_y + static_cast<std::int64_t>(next() * 3) - 1)};
        const double min_x = -tiles::half_world_m + static_cast<double>(tile.x) * size;
        const double max_y = tiles::half_world_m - static_cast<double>(tile.y) * size;
        const double margin = size * 64 / 4096;
        const double edges_x[] = {min_x - margin, min_x, min_x + size, min_x + size + margin};
        const double edges_y[] = {max_y + margin, max_y, max_y - size, max_y - size - margin};

        geo::MultiPolygon multi;
        for (int k = 0; k < 3; ++k) {
            geo::Polygon polygon;
            for (int r = 0; r < (k == 0 ? 3 : 1); ++r) {
                std::vector<geo::Point> ring;
                const auto n = static_cast<std::size_t>(20 + next() * 3000);
                const double step = size * (0.002 + next() * 0.05);
                geo::Point p{min_x + size * (next() * 3 - 1), max_y - size * (next() * 3 - 1)};
                for (std::size_t i = 0; i < n; ++i) {
                    const double jump = next() < 0.01 ? 40.0 : 1.0;
                    p.x += (next() - 0.5) * step * jump;
                    p.y += (next() - 0.5) * step * jump;
                    geo::Point v = p;
                    if (next() < 0.03) v.x = edges_x[static_cast<int>(next() * 4)];
                    if (next() < 0.03) v.y = edges_y[static_cast<int>(next() * 4)];
                    ring.push_back(v);
                }
                if (next() < 0.7) ring.push_back(ring.front());
                polygon.rings.push_back(std::move(ring));
            }
            multi.polygons.push_back(std::move(polygon));
        }
        const tiles::RingBoxes boxes = tiles::ring_boxes(multi);
        for (const double tolerance : {0.0, 1.0}) {
            const tiles::AreaGeometryOptions options{4096, 64, tolerance};
            const auto plain = tiles::tile_polygon_rings_mercator(multi, tile, options);
            const auto chunked = tiles::tile_polygon_rings_mercator(multi, tile, options, &boxes);
            REQUIRE(chunked == plain);
            ++compared;
            if (!plain.empty()) ++reduced_somewhere;
        }
    }
    CHECK(compared == 120);
    CHECK(reduced_somewhere > 30);  // most tiles get some area; the comparison is not vacuous
}

TEST_CASE("ring_boxes: one box per 16 vertices of the open ring, none for a ring with a non-finite vertex",
          "[tiles][clip]") {
    geo::Polygon polygon;
    std::vector<geo::Point> ring;
    for (int i = 0; i < 33; ++i) ring.push_back({static_cast<double>(i), static_cast<double>(-i)});
    ring.push_back(ring.front());  // closed: 34 points, 33 distinct
    polygon.rings.push_back(ring);
    polygon.rings.push_back({{0, 0}, {1, std::numeric_limits<double>::quiet_NaN()}, {2, 2}});
    const tiles::RingBoxes boxes = tiles::ring_boxes(geo::MultiPolygon{{polygon}});
    REQUIRE(boxes.polygons.size() == 1);
    CHECK(boxes.polygons[0].max_x == 33 - 1);
    REQUIRE(boxes.chunks.size() == 1);
    REQUIRE(boxes.chunks[0].size() == 2);
    REQUIRE(boxes.chunks[0][0].size() == 3);  // vertices 0-15, 16-31, 32
    CHECK(boxes.chunks[0][0][1].min_x == 16);
    CHECK(boxes.chunks[0][0][1].max_x == 31);
    CHECK(boxes.chunks[0][0][2].min_x == 32);
    CHECK(boxes.chunks[0][0][2].max_y == -32);
    CHECK(boxes.chunks[0][1].empty());
}
