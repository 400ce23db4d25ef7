// Builds an SQLite R*Tree on a thread of its own, in a private in-memory database, while the
// caller goes on writing rows. Used by a bulk load into an empty spatial index: SQLite's rtree
// module adds one entry at a time (a descent from the root and a rewrite of a leaf and often
// of its parents, about 6 µs an entry), which cost an import more CPU than reading its file.
// Here the whole tree is written at once, Sort-Tile-Recursive packed, in a tenth of that.
//
// The tree is written into the shadow tables of an rtree virtual table that the module itself
// created, in the module's node format: the format of the database file, documented at the
// top of SQLite's ext/rtree/rtree.c, which every later SQLite reads (GDAL 3.7 and SpatiaLite
// 5.1 bulk-load R*Trees the same way). Before the image is handed over, the module's own
// rtreecheck() must find the tree sound; the store then copies the shadow tables into the
// real index.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memory_db_worker.hpp"

namespace lernorte::storage::detail {

/// The module's rounding of a bound to float32 (rtreeValueDown, rtreeValueUp in rtree.c): the
/// stored box never shrinks.
float rtree_round_down(double d);
float rtree_round_up(double d);

class RtreeBuilder {
public:
    /// One operation on the tree, in the order the store decided it.
    struct Entry {
        std::int64_t id;
        double xmin, xmax, ymin, ymax;
        bool replace;  // an earlier entry of this id goes (as DELETE, then INSERT, would do)
        bool align;    // pass the bounds through the builder's `align` function (on its thread)
    };

    /// The tree is `table USING rtree(pkid, xmin, xmax, ymin, ymax)` with nodes of `node_size`
    /// bytes: the length of the real index's root node, which every node of it must have.
    /// `align`, if given, maps the bounds of entries marked `align` before they are stored.
    RtreeBuilder(std::string table, int node_size, double (*align)(double) = nullptr);
    ~RtreeBuilder();  // an unfinished tree is thrown away
    RtreeBuilder(const RtreeBuilder&) = delete;
    RtreeBuilder& operator=(const RtreeBuilder&) = delete;

    void add(const Entry& e);
    /// No more entries: the tree is written from here on, while the caller does other work.
    void seal();
    /// Seals if not yet done, waits for every entry, writes the tree and checks it, then returns the database image.
    /// Throws std::runtime_error ("spatial index build: ...") for bounds out of order or not
    /// numbers, an id given twice without `replace`, or a tree rtreecheck() finds fault with.
    /// Call at most once.
    DatabaseImage finish();

    /// A leaf cell, as the module stores it.
    struct Cell {
        std::int64_t id;
        float xmin, xmax, ymin, ymax;
        bool replace;
    };

private:
    void hand_over();  // posts m_batch to the worker
    void write_tree(sqlite3* db);

    std::string m_table;
    int m_node_size;
    double (*m_align)(double);
    std::vector<Entry> m_batch;  // the caller's thread only
    bool m_sealed = false;
    std::vector<Cell> m_cells;   // the worker's thread only
    MemoryDbWorker m_worker;     // last: stops before the members its tasks use go
};

}  // namespace lernorte::storage::detail
