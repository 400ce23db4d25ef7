#include <lernorte/tiles/cluster_pyramid.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace lernorte::tiles {
namespace {

constexpr int finest = ClusterPyramid::max_cluster_zoom;
constexpr int cell_bits = 4;  // 16 cells per tile side
constexpr int finest_bits = finest + cell_bits;  // cells per side of the world at the finest zoom: 2^17
// How close (in finest cells of ~300 m) an item may come to a cell edge before its cell is in doubt.
// to_tile_coords and the arithmetic here differ by far less than 1e-10 cells; the margin is 100 times that.
constexpr double edge_margin = 1e-8;

std::uint64_t spread(std::uint32_t v) noexcept {
    std::uint64_t x = v;
    x = (x | (x << 16U)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8U)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4U)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2U)) & 0x3333333333333333ULL;
    x = (x | (x << 1U)) & 0x5555555555555555ULL;
    return x;
}

std::uint32_t compact(std::uint64_t x) noexcept {
    x &= 0x5555555555555555ULL;
    x = (x | (x >> 1U)) & 0x3333333333333333ULL;
    x = (x | (x >> 2U)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4U)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8U)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16U)) & 0x00000000FFFFFFFFULL;
    return static_cast<std::uint32_t>(x);
}

std::uint64_t morton(std::uint32_t column, std::uint32_t row) noexcept { return spread(column) | (spread(row) << 1U); }

// Adds up groups per class: dense accumulators over the classes, and the classes touched.
class GroupSum {
public:
    explicit GroupSum(std::uint32_t class_count) : m_sum(class_count) {}

    void add(const ClusterPyramid::Group& g) {
        ClusterPyramid::Group& s = m_sum[g.cls];
        if (s.count == 0) {
            s = g;
            m_touched.push_back(g.cls);
            return;
        }
        s.count += g.count;
        s.sum_x += g.sum_x;
        s.sum_y += g.sum_y;
    }

    /// Appends the sums (by class) to `groups`, fills the cell's totals and resets.
    void flush(ClusterPyramid::Cell& cell, std::vector<ClusterPyramid::Group>& groups) {
        std::sort(m_touched.begin(), m_touched.end());
        cell.groups_begin = static_cast<std::uint32_t>(groups.size());
        for (const std::uint32_t c : m_touched) {
            const ClusterPyramid::Group& g = m_sum[c];
            if (cell.count == 0) cell.single = g.single;
            cell.count += g.count;
            cell.sum_x += g.sum_x;
            cell.sum_y += g.sum_y;
            groups.push_back(g);
            m_sum[c] = {};
        }
        cell.groups_end = static_cast<std::uint32_t>(groups.size());
        m_touched.clear();
    }

private:
    std::vector<ClusterPyramid::Group> m_sum;
    std::vector<std::uint32_t> m_touched;
};

}  // namespace

ClusterPyramid::ClusterPyramid(std::span<const geo::Point> mercator, std::span<const std::uint32_t> classes,
                               std::uint32_t class_count)
    : m_levels(finest + 1) {
    const double side = std::ldexp(1.0, finest_bits);
    const auto last = static_cast<std::int64_t>(side) - 1;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> items;  // (finest key, item)
    items.reserve(mercator.size());
    for (std::size_t i = 0; i < mercator.size(); ++i) {
        const geo::Point m = mercator[i];
        const double fx = (m.x + half_world_m) / (2 * half_world_m) * side;
        const double fy = (half_world_m - m.y) / (2 * half_world_m) * side;
        if (!std::isfinite(fx) || !std::isfinite(fy)) continue;  // never in a tile
        const auto lo_x = static_cast<std::int64_t>(std::floor(fx - edge_margin));
        const auto hi_x = static_cast<std::int64_t>(std::floor(fx + edge_margin));
        const auto lo_y = static_cast<std::int64_t>(std::floor(fy - edge_margin));
        const auto hi_y = static_cast<std::int64_t>(std::floor(fy + edge_margin));
        if (lo_x != hi_x || lo_y != hi_y) {
            for (std::int64_t y = std::max<std::int64_t>(lo_y, 0); y <= std::min(hi_y, last); ++y) {
                for (std::int64_t x = std::max<std::int64_t>(lo_x, 0); x <= std::min(hi_x, last); ++x) {
                    m_uncertain.emplace_back(morton(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y)),
                                             static_cast<std::uint32_t>(i));
                }
            }
            continue;  // the tiles that might hold it place it themselves
        }
        if (lo_x < 0 || lo_x > last || lo_y < 0 || lo_y > last) continue;  // outside the world: in no tile
        items.emplace_back(morton(static_cast<std::uint32_t>(lo_x), static_cast<std::uint32_t>(lo_y)),
                           static_cast<std::uint32_t>(i));
    }
    std::sort(m_uncertain.begin(), m_uncertain.end());
    std::sort(items.begin(), items.end());

    GroupSum sum(class_count);
    std::vector<Cell>& cells = m_levels[finest];
    for (std::size_t begin = 0; begin < items.size();) {
        std::size_t end = begin;
        for (; end < items.size() && items[end].first == items[begin].first; ++end) {
            const std::uint32_t item = items[end].second;
            sum.add(Group{classes[item], 1, item, mercator[item].x, mercator[item].y});
        }
        Cell cell;
        cell.key = items[begin].first;
        sum.flush(cell, m_groups);
        cells.push_back(cell);
        begin = end;
    }
    // Each coarser zoom from the one below: Morton order keeps the four children of a cell together.
    for (int z = finest - 1; z >= 0; --z) {
        const std::vector<Cell>& children = m_levels[z + 1];
        std::vector<Cell>& parents = m_levels[z];
        for (std::size_t begin = 0; begin < children.size();) {
            const std::uint64_t key = children[begin].key >> 2U;
            std::size_t end = begin;
            for (; end < children.size() && (children[end].key >> 2U) == key; ++end) {
                for (const Group& g : groups(children[end])) sum.add(g);
            }
            Cell cell;
            cell.key = key;
            sum.flush(cell, m_groups);
            parents.push_back(cell);
            begin = end;
        }
    }
}

bool ClusterPyramid::cells(TileId tile, std::vector<TileCell>& out, std::vector<std::uint32_t>& edge_items) const {
    out.clear();
    edge_items.clear();
    if (tile.z < 0 || tile.z > finest || m_levels.empty()) return false;
    const std::uint64_t first = morton(tile.x, tile.y) << (2 * cell_bits);
    const std::uint64_t end = first + (std::uint64_t{1} << (2 * cell_bits));
    const int shift = 2 * (finest - tile.z);
    for (auto it = std::lower_bound(m_uncertain.begin(), m_uncertain.end(), std::pair{first << shift, std::uint32_t{0}});
         it != m_uncertain.end() && it->first < (end << shift); ++it) {
        edge_items.push_back(it->second);
    }
    std::sort(edge_items.begin(), edge_items.end());
    edge_items.erase(std::unique(edge_items.begin(), edge_items.end()), edge_items.end());

    const std::vector<Cell>& level = m_levels[static_cast<std::size_t>(tile.z)];
    auto it = std::lower_bound(level.begin(), level.end(), first, [](const Cell& c, std::uint64_t k) { return c.key < k; });
    std::array<const Cell*, cells_per_side * cells_per_side> grid{};
    bool any = false;
    for (; it != level.end() && it->key < end; ++it) {
        const std::uint64_t local = it->key - first;
        grid[compact(local >> 1U) * cells_per_side + compact(local)] = &*it;
        any = true;
    }
    if (!any) return true;
    for (std::uint32_t n = 0; n < grid.size(); ++n) {
        if (grid[n] != nullptr) out.push_back(TileCell{n, grid[n]});
    }
    return true;
}

}  // namespace lernorte::tiles
