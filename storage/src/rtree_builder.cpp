#include "rtree_builder.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <utility>

namespace lernorte::storage::detail {
namespace {

constexpr std::size_t batch_size = 4096;
// A node: a big-endian 16-bit depth (the root only; zero elsewhere) and cell count, then cells
// of a big-endian 64-bit id (a row for a leaf, a node for an inner node) and four float32
// bounds, big-endian too. The rest of the node is zero.
constexpr std::size_t node_header_bytes = 4;
constexpr std::size_t cell_bytes = 8 + 4 * 4;

// rtree.c's factors: one unit in the last place of a float32 mantissa.
constexpr double towards_zero = 1.0 - 1.0 / 8388608.0;
constexpr double away_from_zero = 1.0 + 1.0 / 8388608.0;

/// A cell on its way into the tree: a leaf entry (`pos`: its place in id order) or a node.
struct Item {
    float xmin, xmax, ymin, ymax;
    std::int64_t id;
    std::size_t pos;
};

}  // namespace

float rtree_round_down(double d) {
    auto f = static_cast<float>(d);
    if (f > d) f = static_cast<float>(d * (d < 0 ? away_from_zero : towards_zero));
    return f;
}

float rtree_round_up(double d) {
    auto f = static_cast<float>(d);
    if (f < d) f = static_cast<float>(d * (d < 0 ? towards_zero : away_from_zero));
    return f;
}

RtreeBuilder::RtreeBuilder(std::string table, int node_size, double (*align)(double))
    : m_table(std::move(table)), m_node_size(node_size), m_align(align), m_worker("spatial index build") {
    m_batch.reserve(batch_size);
}

RtreeBuilder::~RtreeBuilder() = default;

void RtreeBuilder::add(const Entry& e) {
    m_batch.push_back(e);
    if (m_batch.size() >= batch_size) hand_over();
}

void RtreeBuilder::hand_over() {
    if (m_batch.empty()) return;
    m_worker.post([this, batch = std::move(m_batch)](sqlite3*) {
        for (Entry e : batch) {
            if (e.align && m_align != nullptr) {
                e.xmin = m_align(e.xmin);
                e.xmax = m_align(e.xmax);
                e.ymin = m_align(e.ymin);
                e.ymax = m_align(e.ymax);
            }
            const Cell c{e.id, rtree_round_down(e.xmin), rtree_round_up(e.xmax), rtree_round_down(e.ymin),
                         rtree_round_up(e.ymax), e.replace};
            // The module refuses a box whose bounds are out of order; one that is not a number
            // would have no place in a sorted tree.
            if (!(c.xmin <= c.xmax && c.ymin <= c.ymax)) {
                throw std::runtime_error("entry " + std::to_string(e.id) + ": bounds out of order or not numbers");
            }
            m_cells.push_back(c);
        }
    });
    m_batch = {};
    m_batch.reserve(batch_size);
}

void RtreeBuilder::seal() {
    if (m_sealed) return;
    m_sealed = true;
    hand_over();
    m_worker.post([this](sqlite3* db) { write_tree(db); });
}

DatabaseImage RtreeBuilder::finish() {
    seal();
    return m_worker.finish();
}

void RtreeBuilder::write_tree(sqlite3* db) {
    using W = MemoryDbWorker;

    // The entries in id order, the last of an id winning; an id again without `replace` is
    // refused, as the module's INSERT would refuse it.
    const auto by_id = [](const Cell& a, const Cell& b) { return a.id < b.id; };
    if (!std::is_sorted(m_cells.begin(), m_cells.end(), by_id)) std::stable_sort(m_cells.begin(), m_cells.end(), by_id);
    std::vector<Cell> leaves;
    leaves.reserve(m_cells.size());
    for (const Cell& c : m_cells) {
        if (!leaves.empty() && leaves.back().id == c.id) {
            if (!c.replace) throw std::runtime_error("entry " + std::to_string(c.id) + " given twice");
            leaves.back() = c;
        } else {
            leaves.push_back(c);
        }
    }
    m_cells = {};

    // The module sizes nodes by the page size: the page minus 64 bytes, at most 51 cells.
    int page_size = 512;
    while (page_size < m_node_size + 64 && page_size < 65536) page_size *= 2;
    W::exec(db, "PRAGMA page_size = " + std::to_string(page_size));
    const std::string name = W::quoted(m_table);
    const auto shadow = [&](const char* part) { return W::quoted(m_table + "_" + part); };
    W::exec(db, "CREATE VIRTUAL TABLE " + name + " USING rtree(pkid, xmin, xmax, ymin, ymax)");
    const std::int64_t made = W::query_int(db, "SELECT length(data) FROM " + shadow("node") + " WHERE nodeno = 1");
    if (made != m_node_size) {
        throw std::runtime_error("nodes of " + std::to_string(m_node_size) + " bytes asked for, the rtree module makes " +
                                 std::to_string(made));
    }
    const auto node_size = static_cast<std::size_t>(m_node_size);
    const std::size_t capacity = (node_size - node_header_bytes) / cell_bytes;
    if (capacity < 3) throw std::runtime_error("nodes of " + std::to_string(m_node_size) + " bytes are too small");

    W::exec(db, "BEGIN");
    W::exec(db, "DELETE FROM " + shadow("node") + "; DELETE FROM " + shadow("parent") + "; DELETE FROM " + shadow("rowid"));
    StmtPtr node_st = W::prepare(db, "INSERT INTO " + shadow("node") + " (nodeno, data) VALUES (?1, ?2)");
    StmtPtr parent_st = W::prepare(db, "INSERT INTO " + shadow("parent") + " (nodeno, parentnode) VALUES (?1, ?2)");
    StmtPtr rowid_st = W::prepare(db, "INSERT INTO " + shadow("rowid") + " (rowid, nodeno) VALUES (?1, ?2)");

    std::vector<unsigned char> blob(node_size);
    const auto put = [&](std::size_t at, std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i, v >>= 8) blob[at + static_cast<std::size_t>(i)] = static_cast<unsigned char>(v & 0xff);
    };
    std::vector<std::int64_t> leaf_of(leaves.size());  // by position in id order
    const auto write_node = [&](std::int64_t nodeno, std::span<const Item> cells, int depth) {
        std::fill(blob.begin(), blob.end(), 0);
        put(0, nodeno == 1 ? static_cast<std::uint64_t>(depth) : 0, 2);
        put(2, cells.size(), 2);
        std::size_t at = node_header_bytes;
        for (const Item& c : cells) {
            put(at, static_cast<std::uint64_t>(c.id), 8);
            put(at + 8, std::bit_cast<std::uint32_t>(c.xmin), 4);
            put(at + 12, std::bit_cast<std::uint32_t>(c.xmax), 4);
            put(at + 16, std::bit_cast<std::uint32_t>(c.ymin), 4);
            put(at + 20, std::bit_cast<std::uint32_t>(c.ymax), 4);
            at += cell_bytes;
        }
        sqlite3_bind_int64(node_st.get(), 1, nodeno);
        sqlite3_bind_blob(node_st.get(), 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
        W::step_done(db, node_st.get(), "write a node");
        for (const Item& c : cells) {
            if (depth == 0) {
                leaf_of[c.pos] = nodeno;
            } else {
                sqlite3_bind_int64(parent_st.get(), 1, c.id);
                sqlite3_bind_int64(parent_st.get(), 2, nodeno);
                W::step_done(db, parent_st.get(), "write a parent");
            }
        }
    };

    std::vector<Item> level;
    level.reserve(leaves.size());
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        const Cell& c = leaves[i];
        level.push_back({c.xmin, c.xmax, c.ymin, c.ymax, c.id, i});
    }
    // Sort-Tile-Recursive: vertical slices by x, runs by y within a slice, cut into nodes
    // filled evenly (at least half full, above the module's minimum of a third).
    const auto center_x = [](const Item& b) { return static_cast<double>(b.xmin) + b.xmax; };
    const auto center_y = [](const Item& b) { return static_cast<double>(b.ymin) + b.ymax; };
    std::int64_t next_nodeno = 2;
    int depth = 0;
    while (level.size() > capacity) {
        const std::size_t n = level.size();
        const std::size_t nodes = (n + capacity - 1) / capacity;
        const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
        const auto first_of = [&](std::size_t node) { return node * n / nodes; };
        std::sort(level.begin(), level.end(), [&](const Item& a, const Item& b) {
            return center_x(a) != center_x(b) ? center_x(a) < center_x(b) : a.id < b.id;
        });
        for (std::size_t s = 0; s < slices; ++s) {
            const auto begin = level.begin() + static_cast<std::ptrdiff_t>(first_of(s * nodes / slices));
            const auto end = level.begin() + static_cast<std::ptrdiff_t>(first_of((s + 1) * nodes / slices));
            std::sort(begin, end, [&](const Item& a, const Item& b) {
                return center_y(a) != center_y(b) ? center_y(a) < center_y(b) : a.id < b.id;
            });
        }
        std::vector<Item> parents;
        parents.reserve(nodes);
        for (std::size_t k = 0; k < nodes; ++k) {
            const std::span<const Item> cells(level.data() + first_of(k), first_of(k + 1) - first_of(k));
            Item box = cells.front();
            for (const Item& c : cells) {
                box.xmin = std::min(box.xmin, c.xmin);
                box.xmax = std::max(box.xmax, c.xmax);
                box.ymin = std::min(box.ymin, c.ymin);
                box.ymax = std::max(box.ymax, c.ymax);
            }
            box.id = next_nodeno++;
            write_node(box.id, cells, depth);
            parents.push_back(box);
        }
        level = std::move(parents);
        ++depth;
    }
    write_node(1, level, depth);
    // The row map in id order: appends to its table rather than inserts all over it.
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        sqlite3_bind_int64(rowid_st.get(), 1, leaves[i].id);
        sqlite3_bind_int64(rowid_st.get(), 2, leaf_of[i]);
        W::step_done(db, rowid_st.get(), "write a row's node");
    }
    node_st.reset();
    parent_st.reset();
    rowid_st.reset();
    W::exec(db, "COMMIT");

    StmtPtr check = W::prepare(db, "SELECT rtreecheck(?1)");
    sqlite3_bind_text(check.get(), 1, m_table.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(check.get()) != SQLITE_ROW) throw std::runtime_error(std::string("rtreecheck: ") + sqlite3_errmsg(db));
    const auto* verdict = reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0));
    if (verdict == nullptr || std::string(verdict) != "ok") {
        throw std::runtime_error(std::string("the packed tree fails rtreecheck: ") + (verdict ? verdict : "(no answer)"));
    }
}

}  // namespace lernorte::storage::detail
