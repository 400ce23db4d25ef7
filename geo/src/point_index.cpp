#include <lernorte/geo/point_index.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <utility>

namespace lernorte::geo {

// The tree is implicit: node 0 covers [0, n); a node over [begin, end) with more than
// leaf_size points splits at mid = begin + (end - begin) / 2 on axis depth % 2 (x first),
// its left child 2i+1 covers [begin, mid) and its right child 2i+2 covers [mid, end).
// build_order() and the constructor both follow exactly this recursion, which is why the
// constructor only needs the points in tree order and the same leaf size.

namespace {

std::uint32_t effective_leaf(std::uint32_t leaf_size) { return std::max<std::uint32_t>(leaf_size, 1); }

void check_size(std::size_t n) {
    // IndexRange holds 32-bit indices; a bigger index would wrap silently.
    if (n >= std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("PointIndex: more than 2^32 - 2 points");
    }
}

void sort_node(const std::vector<Point>& points, std::vector<std::uint32_t>& order,
               std::uint32_t begin, std::uint32_t end, int depth, std::uint32_t leaf) {
    if (end - begin <= leaf) return;
    const std::uint32_t mid = begin + (end - begin) / 2;
    // Only the permutation moves; the points are gathered once at the end.
    const auto first = order.begin();
    if (depth % 2 == 0) {
        std::nth_element(first + begin, first + mid, first + end,
                         [&](std::uint32_t a, std::uint32_t b) { return points[a].x < points[b].x; });
    } else {
        std::nth_element(first + begin, first + mid, first + end,
                         [&](std::uint32_t a, std::uint32_t b) { return points[a].y < points[b].y; });
    }
    sort_node(points, order, begin, mid, depth + 1, leaf);
    sort_node(points, order, mid, end, depth + 1, leaf);
}

// Size of the implicit node array: the right child is the larger one (ceil of half),
// so following it gives the deepest path.
std::size_t node_count(std::size_t n, std::uint32_t leaf) {
    if (n == 0) return 0;
    std::size_t levels = 1;
    for (std::size_t s = n; s > leaf; s = s - s / 2) ++levels;
    return (std::size_t{1} << levels) - 1;
}

// Hands ranges on, merging neighbours of the same kind: a box that covers many whole
// nodes then reaches the caller as a few long runs instead of hundreds of short ones.
class Coalescer {
public:
    explicit Coalescer(const std::function<void(IndexRange, bool)>& visit) : m_visit(visit) {}
    void add(IndexRange r, bool exact) {
        if (m_pending && m_exact == exact && m_pending->end == r.begin) {
            m_pending->end = r.end;
            return;
        }
        flush();
        m_pending = r;
        m_exact = exact;
    }
    void flush() {
        if (m_pending) m_visit(*m_pending, m_exact);
        m_pending.reset();
    }

private:
    const std::function<void(IndexRange, bool)>& m_visit;
    std::optional<IndexRange> m_pending;
    bool m_exact = false;
};

}  // namespace

std::vector<std::uint32_t> PointIndex::build_order(std::vector<Point>& points,
                                                   std::uint32_t leaf_size) {
    check_size(points.size());
    for (const auto& p : points) {
        // NaN breaks the strict weak order nth_element relies on (and could make it
        // run off the range); such a point has no place in a spatial index anyway.
        if (std::isnan(p.x) || std::isnan(p.y)) {
            throw std::invalid_argument("PointIndex: a point has a NaN coordinate");
        }
    }
    std::vector<std::uint32_t> order(points.size());
    std::iota(order.begin(), order.end(), 0U);
    sort_node(points, order, 0, static_cast<std::uint32_t>(points.size()), 0,
              effective_leaf(leaf_size));
    std::vector<Point> sorted(points.size());
    for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = points[order[i]];
    points = std::move(sorted);
    return order;
}

PointIndex::PointIndex(std::vector<Point> points_in_tree_order, std::uint32_t leaf_size)
    : m_points(std::move(points_in_tree_order)), m_leaf_size(effective_leaf(leaf_size)) {
    check_size(m_points.size());
    m_nodes.resize(node_count(m_points.size(), m_leaf_size));
    if (!m_points.empty()) build_boxes(0, 0, static_cast<std::uint32_t>(m_points.size()), 0);
}

void PointIndex::build_boxes(std::uint32_t node, std::uint32_t begin, std::uint32_t end,
                             int depth) {
    BBox box;
    if (end - begin <= m_leaf_size) {
        for (std::uint32_t i = begin; i < end; ++i) box.expand(m_points[i]);
    } else {
        const std::uint32_t mid = begin + (end - begin) / 2;
        build_boxes(2 * node + 1, begin, mid, depth + 1);
        build_boxes(2 * node + 2, mid, end, depth + 1);
        box = m_nodes[2 * node + 1].box;
        box.expand(m_nodes[2 * node + 2].box);
    }
    m_nodes[node].box = box;
}

void PointIndex::query_node(std::uint32_t node, std::uint32_t begin, std::uint32_t end,
                            const BBox& box,
                            const std::function<void(IndexRange, bool)>& visit) const {
    const BBox& node_box = m_nodes[node].box;
    if (node_box.empty() || !box.intersects(node_box)) return;
    if (box.contains(node_box)) {
        visit({begin, end}, true);
        return;
    }
    if (end - begin <= m_leaf_size) {
        visit({begin, end}, false);
        return;
    }
    // Left before right keeps the reported ranges ascending.
    const std::uint32_t mid = begin + (end - begin) / 2;
    query_node(2 * node + 1, begin, mid, box, visit);
    query_node(2 * node + 2, mid, end, box, visit);
}

void PointIndex::query(const BBox& box,
                       const std::function<void(IndexRange, bool exact)>& visit) const {
    if (m_points.empty() || box.empty()) return;
    Coalescer out(visit);
    const std::function<void(IndexRange, bool)> add = [&out](IndexRange r, bool exact) {
        out.add(r, exact);
    };
    query_node(0, 0, static_cast<std::uint32_t>(m_points.size()), box, add);
    out.flush();
}

std::vector<std::uint32_t> PointIndex::within(const BBox& box) const {
    std::vector<std::uint32_t> result;
    query(box, [&](IndexRange r, bool exact) {
        for (std::uint32_t i = r.begin; i < r.end; ++i) {
            if (exact || box.contains(m_points[i])) result.push_back(i);
        }
    });
    return result;
}

BBox PointIndex::extent() const noexcept { return m_nodes.empty() ? BBox{} : m_nodes[0].box; }

}  // namespace lernorte::geo
