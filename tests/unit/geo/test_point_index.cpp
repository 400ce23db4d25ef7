#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/geo/point_index.hpp>

using namespace lernorte::geo;

namespace {

struct Built {
    std::vector<Point> original;
    std::vector<std::uint32_t> order;
    PointIndex index;
};

Built build(std::vector<Point> points, std::uint32_t leaf) {
    Built b;
    b.original = points;
    b.order = PointIndex::build_order(points, leaf);
    b.index = PointIndex(std::move(points), leaf);
    return b;
}

// Everything a query must guarantee, checked against looking at every point.
void check_query(const Built& b, const BBox& box) {
    std::vector<std::uint32_t> expected;  // original positions of the points in the box
    for (std::uint32_t i = 0; i < b.original.size(); ++i) {
        if (box.contains(b.original[i])) expected.push_back(i);
    }

    std::vector<std::uint32_t> found;
    std::uint32_t previous_end = 0;
    bool ascending = true, exact_really_inside = true, range_in_bounds = true;
    b.index.query(box, [&](IndexRange r, bool exact) {
        ascending = ascending && r.begin >= previous_end && r.begin < r.end;
        range_in_bounds = range_in_bounds && r.end <= b.index.size();
        previous_end = r.end;
        for (std::uint32_t i = r.begin; i < r.end && i < b.index.size(); ++i) {
            const bool inside = box.contains(b.index.point(i));
            if (exact && !inside) exact_really_inside = false;
            if (inside) found.push_back(b.order[i]);
        }
    });
    CHECK(ascending);
    CHECK(range_in_bounds);
    CHECK(exact_really_inside);
    std::sort(found.begin(), found.end());
    CHECK(found == expected);

    const std::vector<std::uint32_t> within = b.index.within(box);
    CHECK(std::is_sorted(within.begin(), within.end()));
    std::vector<std::uint32_t> within_original;
    for (const auto i : within) within_original.push_back(b.order[i]);
    std::sort(within_original.begin(), within_original.end());
    CHECK(within_original == expected);
}

std::vector<BBox> boxes_for(std::mt19937& rng, const std::vector<Point>& points) {
    std::uniform_real_distribution<double> coord(-10, 110), size(0, 30), tiny(0, 0.5);
    std::vector<BBox> boxes{
        BBox{},                                    // empty
        BBox{5, 5, 4, 6},                          // min > max: empty too
        BBox{-1e9, -1e9, 1e9, 1e9},                // everything
        BBox{200, 200, 300, 300},                  // nowhere near
    };
    if (!points.empty()) {
        const Point p = points[points.size() / 2];
        boxes.push_back(BBox{p.x, p.y, p.x, p.y});  // zero size, exactly on a point
    }
    for (int i = 0; i < 150; ++i) {
        const double x = coord(rng), y = coord(rng);
        const double w = i % 3 == 0 ? tiny(rng) : size(rng), h = i % 3 == 0 ? tiny(rng) : size(rng);
        boxes.push_back(BBox{x, y, x + w, y + h});
    }
    return boxes;
}

}  // namespace

TEST_CASE("build_order returns the permutation it applied", "[point_index]") {
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> coord(0, 100);
    std::vector<Point> points(1000);
    for (auto& p : points) p = {coord(rng), coord(rng)};
    const std::vector<Point> original = points;

    const auto order = PointIndex::build_order(points, 16);
    REQUIRE(order.size() == original.size());
    std::vector<std::uint32_t> sorted_order = order;
    std::sort(sorted_order.begin(), sorted_order.end());
    std::vector<std::uint32_t> identity(order.size());
    std::iota(identity.begin(), identity.end(), 0U);
    CHECK(sorted_order == identity);
    bool matches = true;
    for (std::size_t i = 0; i < order.size(); ++i) matches = matches && points[i] == original[order[i]];
    CHECK(matches);
}

TEST_CASE("range queries match looking at every point", "[point_index][random]") {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> coord(0, 100);
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3},
                                std::size_t{65}, std::size_t{1000}, std::size_t{20000}}) {
        for (const std::uint32_t leaf : {1U, 2U, 64U}) {
            std::vector<Point> points(n);
            for (auto& p : points) p = {coord(rng), coord(rng)};
            const Built b = build(points, leaf);
            INFO("n = " << n << ", leaf = " << leaf);
            CHECK(b.index.size() == n);
            for (const auto& box : boxes_for(rng, b.original)) check_query(b, box);
        }
    }
}

TEST_CASE("duplicates and points on a grid are found once each", "[point_index]") {
    // Places in one building share a coordinate; grid points sit exactly on box edges.
    std::vector<Point> points;
    for (int copy = 0; copy < 5; ++copy) {
        for (int x = 0; x <= 20; ++x) {
            for (int y = 0; y <= 20; ++y) points.push_back({x * 5.0, y * 5.0});
        }
    }
    for (int i = 0; i < 500; ++i) points.push_back({50, 50});  // one very popular spot
    std::mt19937 rng(7);
    for (const std::uint32_t leaf : {1U, 8U, 64U}) {
        const Built b = build(points, leaf);
        INFO("leaf = " << leaf);
        check_query(b, BBox{50, 50, 50, 50});
        check_query(b, BBox{10, 10, 30, 30});  // edges on grid lines: closed box
        check_query(b, BBox{49.9, 0, 50.1, 100});
        for (const auto& box : boxes_for(rng, b.original)) check_query(b, box);
        CHECK(b.index.within(BBox{50, 50, 50, 50}).size() == 505);
    }
}

TEST_CASE("a box covering whole subtrees comes back as few exact ranges", "[point_index]") {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> coord(0, 100);
    std::vector<Point> points(100000);
    for (auto& p : points) p = {coord(rng), coord(rng)};
    const Built b = build(points, 64);

    std::size_t ranges = 0, exact_points = 0;
    b.index.query(BBox{-1, -1, 101, 101}, [&](IndexRange r, bool exact) {
        ++ranges;
        if (exact) exact_points += r.size();
    });
    CHECK(ranges == 1);  // the root: one range for everything, no point visited
    CHECK(exact_points == points.size());

    // A box over a good part of the map: most points arrive in exact ranges.
    std::size_t candidates = 0;
    exact_points = 0;
    b.index.query(BBox{20, 20, 80, 80}, [&](IndexRange r, bool exact) {
        candidates += r.size();
        if (exact) exact_points += r.size();
    });
    CHECK(exact_points > 30000);
    CHECK(candidates < 45000);  // 36 % of 100000 are inside; the rest is a thin border
}

TEST_CASE("the extent is the box of all points", "[point_index]") {
    CHECK(PointIndex().extent().empty());
    CHECK(PointIndex().within(BBox{-1e9, -1e9, 1e9, 1e9}).empty());
    std::vector<Point> points{{13.7, 51.0}, {13.9, 51.1}, {13.6, 51.05}};
    PointIndex::build_order(points, 1);
    const PointIndex index(points, 1);
    CHECK(index.extent() == BBox{13.6, 51.0, 13.9, 51.1});
}

TEST_CASE("a point without coordinates cannot be indexed", "[point_index]") {
    std::vector<Point> points{{1, 2}, {std::nan(""), 3}};
    CHECK_THROWS_AS(PointIndex::build_order(points), std::invalid_argument);
}
