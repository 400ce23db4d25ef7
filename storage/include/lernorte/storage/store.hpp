#pragma once
// The durable store behind the engine. The engine talks to it only through this
// interface, so a PostGIS store can replace the SpatiaLite one later.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/storage/model.hpp>
#include <lernorte/storage/records.hpp>

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
    /// upsert_place() for each place in order, the outcomes in the same order: the way of
    /// an import, for a store that does the work of many places faster at once. Unlike
    /// upsert_place(), a failure (its error names the place) may end the transaction.
    virtual std::vector<UpsertOutcome> upsert_places(std::span<Place> places) {
        std::vector<UpsertOutcome> outcomes;
        outcomes.reserve(places.size());
        for (Place& place : places) outcomes.push_back(upsert_place(place));
        return outcomes;
    }
    /// upsert_places() for places the caller gives away: the stored ids, versions and
    /// timestamps are not reported back, and a store may finish with the places (make their
    /// search documents, free them) on another thread.
    virtual std::vector<UpsertOutcome> upsert_places(std::vector<Place>&& places) {
        return upsert_places(std::span<Place>(places));
    }

    // Accounts, history and suggestions. A transaction that writes only these does not
    // change the catalogue version (a login must not empty every cache).
    /// Inserts a user; fills user.id. Throws StoreError if the name is taken.
    virtual void add_user(User& user) = 0;
    /// Updates password hash, role and disabled flag of the user with user.id.
    virtual void update_user(const User& user) = 0;
    virtual void add_session(const Session& session) = 0;
    virtual void delete_session(const std::string& token_hash) = 0;
    /// Ends every session of a user (disabled, new password).
    virtual void delete_sessions_of(std::int64_t user_id) = 0;
    /// Removes the sessions that expired before `now` (RFC 3339).
    virtual void delete_expired_sessions(const std::string& now) = 0;
    /// Appends a revision; fills revision.id and created_at when empty.
    virtual void add_revision(Revision& revision) = 0;
    /// Inserts or replaces a suggestion by id.
    virtual void put_suggestion(const Suggestion& suggestion) = 0;

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
    /// The same, handed to `sink` one by one (in the same order) instead of all at once.
    virtual void for_each_place(const std::optional<std::string>& status,
                                const std::function<void(Place&&)>& sink) const = 0;
    [[nodiscard]] virtual std::optional<Place> place(const std::string& id) const = 0;
    /// Ids of places whose FTS5 document matches the query terms (all terms, prefix match),
    /// ranked best first. Terms are passed through search_terms(); FTS syntax is never parsed.
    [[nodiscard]] virtual std::vector<std::string> search(const std::string& text) const = 0;
    [[nodiscard]] virtual std::optional<User> user(const std::string& username) const = 0;
    [[nodiscard]] virtual std::vector<User> users() const = 0;
    /// The session with this token hash and its user (expired ones too: the caller checks).
    [[nodiscard]] virtual std::optional<std::pair<Session, User>> session(const std::string& token_hash) const = 0;
    /// The revisions of a place, oldest first.
    [[nodiscard]] virtual std::vector<Revision> revisions(const std::string& place_id) const = 0;
    [[nodiscard]] virtual std::optional<Suggestion> suggestion(const std::string& id) const = 0;
    /// Suggestions, oldest first, optionally only those with the given status.
    [[nodiscard]] virtual std::vector<Suggestion> suggestions(const std::optional<std::string>& status) const = 0;

    /// A counter that grows with every committed write to the catalogue (catalogue version).
    [[nodiscard]] virtual std::int64_t data_version() const = 0;
    /// A random token replaced with every committed write to the catalogue ("" before the
    /// first): with data_version() it names one state of the catalogue, also across copies.
    [[nodiscard]] virtual std::string catalogue_token() const = 0;
    /// A counter that grows with every committed change of the Stadträume or the outline.
    [[nodiscard]] virtual std::int64_t boundaries_version() const = 0;
    [[nodiscard]] virtual int schema_version() const = 0;
};

/// Opens (creating if absent) a SpatiaLite file, applying migrations up to the current
/// schema version. Throws SchemaTooNew if the file's schema is newer than this program's,
/// StoreError on any other failure. WAL mode, busy timeout 5 s, foreign keys on.
[[nodiscard]] std::unique_ptr<Store> open_spatialite(const std::string& path);

/// The schema version this program writes.
[[nodiscard]] int current_schema_version() noexcept;

}  // namespace lernorte::storage
