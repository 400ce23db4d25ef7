#pragma once
// Static 2-d tree over points (KDBush-like). Construction reorders nothing the caller owns:
// it returns the permutation in which the caller must store its items, so that a range query
// yields ascending item indices and a fully covered subtree is one contiguous index range.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::geo {

/// A half-open run [begin, end) of item indices (in index order).
struct IndexRange {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    [[nodiscard]] std::uint32_t size() const noexcept { return end - begin; }
};

class PointIndex {
public:
    PointIndex() = default;

    /// Sorts `points` into tree order in place and returns `order`, where order[i] is the
    /// original position of the point now at position i. Items must be stored in that order.
    /// Throws std::invalid_argument for a NaN coordinate.
    static std::vector<std::uint32_t> build_order(std::vector<Point>& points,
                                                  std::uint32_t leaf_size = 64);

    /// Builds over points already in tree order (the output of build_order with the same
    /// leaf_size: the node layout is recomputed from the count, not stored).
    explicit PointIndex(std::vector<Point> points_in_tree_order, std::uint32_t leaf_size = 64);

    /// Calls visit() with ascending, non-overlapping ranges of candidate indices that lie in
    /// `box`; ranges with exact==true are wholly inside, otherwise each index still needs
    /// a contains() check by the caller via point(i). Adjacent ranges of the same kind are
    /// merged, so an exact range may span several tree nodes.
    void query(const BBox& box,
               const std::function<void(IndexRange, bool exact)>& visit) const;

    /// Convenience: ascending indices of all points in box.
    [[nodiscard]] std::vector<std::uint32_t> within(const BBox& box) const;

    [[nodiscard]] std::size_t size() const noexcept { return m_points.size(); }
    [[nodiscard]] Point point(std::uint32_t i) const noexcept { return m_points[i]; }
    [[nodiscard]] BBox extent() const noexcept;

private:
    struct Node {  // implicit tree over [begin, end); split at mid on axis depth%2
        BBox box;
    };
    void build_boxes(std::uint32_t node, std::uint32_t begin, std::uint32_t end, int depth);
    void query_node(std::uint32_t node, std::uint32_t begin, std::uint32_t end, const BBox& box,
                    const std::function<void(IndexRange, bool)>& visit) const;
    std::vector<Point> m_points;
    std::vector<Node> m_nodes;
    std::uint32_t m_leaf_size = 64;
};

}  // namespace lernorte::geo
