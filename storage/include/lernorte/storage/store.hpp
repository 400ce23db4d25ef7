#pragma once
// The durable store behind the engine. The engine talks to it only through this
// interface, so a PostGIS store can replace the SpatiaLite one later.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/storage/model.hpp>

namespace lernorte::storage {

/// A store failure (I/O, constraint, schema), with context in what().
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Opening a file written by a newer Lernorte.
class SchemaTooNew : public StoreError {
public:
    using StoreError::StoreError;
};

/// What an upsert did with one place.
enum class UpsertOutcome { inserted, updated, unchanged };

/// A write transaction. Commit explicitly; destruction without commit rolls back.
/// It holds the store's lock until commit or destruction: other threads' calls wait, the
/// owning thread may still read (and sees its uncommitted writes). Use and destroy it on the
/// thread that began it. An operation that throws leaves the transaction usable unless the
/// error says it ended it; then only rollback (destruction) is left.
class Transaction {
public:
    virtual ~Transaction() = default;
    /// Replace all Stadträume (an import of the 17 areas is a whole).
    virtual void replace_stadtraeume(const std::vector<Stadtraum>& areas) = 0;
    virtual void replace_outline(const geo::MultiPolygon& outline, const std::string& source,
                                 const std::string& license) = 0;
    /// Insert or update by (dataset, source_id) when source_id is set, else (or when that
    /// finds nothing and id is set) by id. On insert
    /// an empty id gets a new UUID; on update id, version+1 and updated_at are managed here.
    /// Returns the outcome and fills place.id / version / updated_at with the stored values.
    virtual UpsertOutcome upsert_place(Place& place) = 0;
    virtual void commit() = 0;
};

class Store {
public:
    virtual ~Store() = default;
    [[nodiscard]] virtual std::unique_ptr<Transaction> begin() = 0;

    [[nodiscard]] virtual std::vector<Stadtraum> stadtraeume() const = 0;
    [[nodiscard]] virtual std::optional<geo::MultiPolygon> outline() const = 0;
    /// All places, optionally only those with the given status.
    [[nodiscard]] virtual std::vector<Place> places(const std::optional<std::string>& status) const = 0;
    [[nodiscard]] virtual std::optional<Place> place(const std::string& id) const = 0;
    /// Ids of places whose FTS5 document matches the query terms (all terms, prefix match),
    /// ranked best first. Terms are passed through search_terms(); FTS syntax is never parsed.
    [[nodiscard]] virtual std::vector<std::string> search(const std::string& text) const = 0;
    /// A counter that grows with every committed write (catalogue version).
    [[nodiscard]] virtual std::int64_t data_version() const = 0;
    [[nodiscard]] virtual int schema_version() const = 0;
};

/// Opens (creating if absent) a SpatiaLite file, applying migrations up to the current
/// schema version. Throws SchemaTooNew if the file's schema is newer than this program's,
/// StoreError on any other failure. WAL mode, busy timeout 5 s, foreign keys on.
[[nodiscard]] std::unique_ptr<Store> open_spatialite(const std::string& path);

/// The schema version this program writes.
[[nodiscard]] int current_schema_version() noexcept;

}  // namespace lernorte::storage
