#pragma once
// The read-model snapshot file: the places part of a Catalogue (compact table, id order,
// points in index order, text index) written next to the store, so that a server starts by
// reading one file instead of re-reading and re-indexing every place from SQLite.
//
// The file names the state of the store it was made from (catalogue version and token,
// boundaries version, schema version) and the layout of the build that wrote it. It is used
// only when all of them match; otherwise the server loads from the store and writes a new one.

#include <cstdint>
#include <memory>
#include <string>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/storage/store.hpp>

namespace lernorte::engine {

/// One state of a store's catalogue.
struct SnapshotKey {
    std::int64_t data_version = 0;
    std::string catalogue_token;
    std::int64_t boundaries_version = 0;
    int schema_version = 0;
    friend bool operator==(const SnapshotKey&, const SnapshotKey&) = default;
};

/// The key of the store's state now. data_version is read first: a catalogue loaded after
/// this call holds at least that version (a later write makes the key stale, never wrong).
[[nodiscard]] SnapshotKey snapshot_key(const storage::Store& store);

/// The default snapshot path of a store file: "<db>.readmodel".
[[nodiscard]] std::string default_snapshot_path(const std::string& db_path);

/// Writes the snapshot atomically (a temporary file, fsync, rename). Throws SnapshotError.
void write_snapshot(const Catalogue& catalogue, const SnapshotKey& key, const std::string& path);

/// Reads a snapshot made for `expected`; throws SnapshotError saying why it cannot be used
/// (missing, another state of the store, another build's layout, damaged).
[[nodiscard]] std::shared_ptr<const Catalogue> read_snapshot(const std::string& path, const SnapshotKey& expected,
                                                             std::shared_ptr<const Boundaries> boundaries);

}  // namespace lernorte::engine
