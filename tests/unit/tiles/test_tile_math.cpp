#include <cmath>

#include <catch2/catch.hpp>

#include <lernorte/tiles/tile_math.hpp>

using namespace lernorte;

TEST_CASE("tile ids outside the tile matrix are refused", "[tiles]") {
    CHECK(tiles::make_tile(0, 0, 0).has_value());
    CHECK_FALSE(tiles::make_tile(-1, 0, 0).has_value());
    CHECK_FALSE(tiles::make_tile(23, 0, 0).has_value());
    CHECK_FALSE(tiles::make_tile(3, 8, 0).has_value());
    CHECK_FALSE(tiles::make_tile(3, 0, -1).has_value());
    CHECK(tiles::make_tile(14, 8800, 5481) == tiles::TileId{14, 8800, 5481});
}

TEST_CASE("the Frauenkirche falls into the tile Dresden maps use at z14", "[tiles]") {
    // Frauenkirche 13.7417 E, 51.0519 N: slippy-map tile 14/8817/5481 (x = floor((lon+180)/360*2^z)).
    const auto t = tiles::tile_for({13.7417, 51.0519}, 14);
    CHECK(t.z == 14);
    CHECK(t.x == 8817);
    CHECK(t.y == 5481);
    const auto b = tiles::tile_bounds(t);
    CHECK(b.contains(geo::Point{13.7417, 51.0519}));
    CHECK(b.max_x - b.min_x == Approx(360.0 / 16384));
}

TEST_CASE("tile coordinates run from the top left corner to the extent", "[tiles]") {
    const tiles::TileId t{10, 550, 345};
    const auto b = tiles::tile_bounds(t);
    const auto top_left = tiles::to_tile_coords({b.min_x, b.max_y}, t, 4096);
    const auto bottom_right = tiles::to_tile_coords({b.max_x, b.min_y}, t, 4096);
    CHECK(top_left.x == Approx(0.0).margin(1e-6));
    CHECK(top_left.y == Approx(0.0).margin(1e-6));
    CHECK(bottom_right.x == Approx(4096.0));
    CHECK(bottom_right.y == Approx(4096.0));
}

TEST_CASE("mercator projection round-trips and clamps the poles", "[tiles]") {
    const geo::Point p{13.7373, 51.0504};
    const auto back = tiles::from_mercator(tiles::to_mercator(p));
    CHECK(back.x == Approx(p.x).epsilon(1e-12));
    CHECK(back.y == Approx(p.y).epsilon(1e-12));
    CHECK(std::isfinite(tiles::to_mercator({0, 90}).y));
    CHECK(tiles::tile_for({0, 90}, 5).y == 0u);
    CHECK(tiles::tile_for({180, -90}, 5) == tiles::TileId{5, 31, 31});
}
