#pragma once
// The clusters of every tile below zoom 14, counted once for a whole data set: each item goes
// into its 256-unit cell of a z13 tile, and each coarser zoom adds up 2 x 2 cells. A tile then
// reads its 16 x 16 cells instead of every item inside it. Items carry a class (a small number
// chosen by the caller, e.g. one per combination of filterable values), and every cell keeps its
// counts and coordinate sums per class, so a filter on classes is answered from the cells too.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/tiles/tile_math.hpp>

namespace lernorte::tiles {

class ClusterPyramid {
public:
    /// Clusters are kept for tiles of zoom 0 .. max_cluster_zoom.
    static constexpr int max_cluster_zoom = 13;
    /// Cells per tile side: TileOptions' extent 4096 over cluster_cell 256.
    static constexpr std::uint32_t cells_per_side = 16;

    /// The items of one class in a cell.
    struct Group {
        std::uint32_t cls = 0;
        std::uint32_t count = 0;
        std::uint32_t single = 0;  ///< the item, when count == 1
        double sum_x = 0.0;        ///< Web Mercator metres
        double sum_y = 0.0;
    };

    /// An occupied cell; its groups are sorted by class.
    struct Cell {
        std::uint64_t key = 0;  ///< Morton code of (column, row) among the cells of its zoom
        std::uint32_t count = 0;
        std::uint32_t single = 0;  ///< the item, when count == 1
        double sum_x = 0.0;
        double sum_y = 0.0;
        std::uint32_t groups_begin = 0;
        std::uint32_t groups_end = 0;
    };

    /// A cell of a tile: its number in the tile (row * 16 + column) and its contents.
    struct TileCell {
        std::uint32_t number = 0;
        const Cell* cell = nullptr;
    };

    ClusterPyramid() = default;
    /// Items are numbered by position in the spans: `mercator[i]` (to_mercator of the lon/lat)
    /// and `classes[i]` (below `class_count`). Items outside the Web Mercator square are left out.
    ClusterPyramid(std::span<const geo::Point> mercator, std::span<const std::uint32_t> classes,
                   std::uint32_t class_count);

    /// The occupied cells of `tile` (zoom <= max_cluster_zoom) in row-major order, and in
    /// `edge_items` (ascending, no repeats) the items that may lie in the tile but so close to a
    /// cell edge that only to_tile_coords' own rounding tells their cell: they are in no cell
    /// here, the caller places them itself. Returns false for a zoom above max_cluster_zoom.
    bool cells(TileId tile, std::vector<TileCell>& out, std::vector<std::uint32_t>& edge_items) const;

    [[nodiscard]] std::span<const Group> groups(const Cell& cell) const noexcept {
        return {m_groups.data() + cell.groups_begin, m_groups.data() + cell.groups_end};
    }

private:
    // Levels are indexed by zoom: m_levels[z] holds the cells of the tiles of zoom z, sorted by key.
    std::vector<std::vector<Cell>> m_levels;
    std::vector<Group> m_groups;
    // (finest cell, item) for every cell of the finest zoom an edge-hugging item might belong to, sorted.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> m_uncertain;
};

}  // namespace lernorte::tiles
