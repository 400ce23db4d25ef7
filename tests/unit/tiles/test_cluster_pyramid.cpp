// The cluster pyramid (cells of every zoom below 14 counted once) against counting the items of a
// tile one by one with to_tile_coords, and PointLayer against build_tile's bytes.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/tiles/cluster_pyramid.hpp>
#include <lernorte/tiles/mvt.hpp>
#include <lernorte/tiles/point_layer.hpp>

#include "tile_space.hpp"

using namespace lernorte;
using tiles::ClusterPyramid;

namespace {

struct Counted {
    std::uint32_t count = 0;
    std::map<std::uint32_t, std::uint32_t> per_class;
};

// Cell number -> what build_tile's clustering would count there (items on cell edges excluded).
std::map<std::uint32_t, Counted> count_one_by_one(tiles::TileId t, const std::vector<geo::Point>& lonlat,
                                                  const std::vector<std::uint32_t>& classes,
                                                  const std::vector<std::uint32_t>& skip) {
    std::map<std::uint32_t, Counted> out;
    for (std::uint32_t i = 0; i < lonlat.size(); ++i) {
        if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
        const geo::Point xy = tiles::to_tile_coords(lonlat[i], t, 4096);
        if (!(xy.x >= 0 && xy.x < 4096 && xy.y >= 0 && xy.y < 4096)) continue;
        const auto cell = static_cast<std::uint32_t>(std::floor(xy.y / 256) * 16 + std::floor(xy.x / 256));
        ++out[cell].count;
        ++out[cell].per_class[classes[i]];
    }
    return out;
}

}  // namespace

TEST_CASE("pyramid cells hold what counting the tile's items one by one gives, at every zoom", "[tiles][clusters]") {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> lon(13.6, 13.9);
    std::uniform_real_distribution<double> lat(50.98, 51.12);
    std::vector<geo::Point> lonlat;
    std::vector<std::uint32_t> classes;
    for (int i = 0; i < 20000; ++i) {
        lonlat.push_back({std::round(lon(rng) * 1e5) / 1e5, std::round(lat(rng) * 1e5) / 1e5});
        classes.push_back(static_cast<std::uint32_t>(rng() % 5));
    }
    // One item exactly on the edge between two z10 tiles, one on a cell edge of a z13 tile.
    const tiles::TileId z10 = tiles::tile_for({13.75, 51.05}, 10);
    lonlat.push_back(test::lonlat_at(z10, 0, 1000));
    classes.push_back(1);
    const tiles::TileId z13 = tiles::tile_for({13.75, 51.05}, 13);
    lonlat.push_back(test::lonlat_at(z13, 1000, 512));
    classes.push_back(2);
    std::vector<geo::Point> mercator;
    for (const geo::Point& p : lonlat) mercator.push_back(tiles::to_mercator(p));

    const ClusterPyramid pyramid(mercator, classes, 5);
    std::vector<ClusterPyramid::TileCell> cells;
    std::vector<std::uint32_t> edge_items;
    std::size_t tiles_checked = 0;
    for (int z = 0; z <= ClusterPyramid::max_cluster_zoom; ++z) {
        for (const geo::Point& probe : {lonlat[0], lonlat[1], lonlat[20000], lonlat[20001]}) {
            const tiles::TileId t = tiles::tile_for(probe, z);
            REQUIRE(pyramid.cells(t, cells, edge_items));
            const auto expected = count_one_by_one(t, lonlat, classes, edge_items);
            REQUIRE(cells.size() == expected.size());
            for (const auto& [number, cell] : cells) {
                INFO("z" << z << " cell " << number);
                REQUIRE(expected.count(number) == 1);
                const Counted& want = expected.at(number);
                CHECK(cell->count == want.count);
                std::map<std::uint32_t, std::uint32_t> per_class;
                for (const auto& g : pyramid.groups(*cell)) per_class[g.cls] = g.count;
                CHECK(per_class == want.per_class);
                if (cell->count == 1) {
                    const geo::Point xy = tiles::to_tile_coords(lonlat[cell->single], t, 4096);
                    CHECK(static_cast<std::uint32_t>(std::floor(xy.y / 256) * 16 + std::floor(xy.x / 256)) == number);
                }
            }
            ++tiles_checked;
        }
    }
    CHECK(tiles_checked == 4 * 14);

    // The edge items are left to both tiles they might fall into.
    REQUIRE(pyramid.cells(z10, cells, edge_items));
    CHECK(std::find(edge_items.begin(), edge_items.end(), 20000U) != edge_items.end());
    REQUIRE(pyramid.cells(tiles::TileId{10, z10.x - 1, z10.y}, cells, edge_items));
    CHECK(std::find(edge_items.begin(), edge_items.end(), 20000U) != edge_items.end());
    REQUIRE(pyramid.cells(z13, cells, edge_items));
    CHECK(std::find(edge_items.begin(), edge_items.end(), 20001U) != edge_items.end());
    CHECK_FALSE(pyramid.cells(tiles::TileId{14, 0, 0}, cells, edge_items));
}

TEST_CASE("PointLayer writes build_tile's bytes for the same places and clusters", "[tiles][mvt]") {
    const tiles::TileId t{14, 8817, 5481};
    std::vector<tiles::PointFeature> points;
    tiles::PointLayer layer;
    const std::vector<std::string> texts{"a", "b", "museum", "a"};  // equal texts share a token
    const std::uint32_t tokens[] = {0, 1, 2, 0};
    for (std::uint32_t i = 0; i < 4; ++i) {
        const geo::Point xy{100.0 * i + 3, 4000.0 - 77 * i};
        points.push_back({i + 1, test::lonlat_at(t, xy.x, xy.y), "museum",
                          {{"id", texts[i]}, {"name", texts[(i + 1) % 4]}, {"category", std::string("museum")}}});
        if (i % 2 == 1) points.back().properties.push_back({"free", i == 1});
        std::vector<std::uint32_t> tags{layer.key("id"), layer.string_value(tokens[i], texts[i]),
                                        layer.key("name"), layer.string_value(tokens[(i + 1) % 4], texts[(i + 1) % 4]),
                                        layer.key("category"), layer.string_value(2, "museum")};
        if (i % 2 == 1) {
            tags.push_back(layer.key("free"));
            tags.push_back(layer.bool_value(i == 1));
        }
        const geo::Point at = tiles::to_tile_coords(points.back().lonlat, t, 4096);
        layer.add_point(i + 1, static_cast<std::int32_t>(std::lround(at.x)), static_cast<std::int32_t>(std::lround(at.y)),
                        tags);
    }
    CHECK(tiles::build_tile_with_layer(t, {}, layer) == tiles::build_tile(t, {}, points));
    CHECK_FALSE(tiles::build_tile_with_layer(t, {}, tiles::PointLayer()).has_value());

    // Integer values are shared between keys, as build_tile shares equal encoded values.
    tiles::PointLayer counts;
    const std::uint32_t a = counts.uint_value(3);
    CHECK(counts.uint_value(7) != a);
    CHECK(counts.uint_value(3) == a);
    CHECK(counts.bool_value(true) == counts.bool_value(true));
}
