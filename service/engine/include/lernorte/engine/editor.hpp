#pragma once
// Writes to the catalogue by people: editors' creates, updates, archiving and restores with a
// revision for each, and the suggestions citizens send in. Every write commits in one store
// transaction and then publishes a new read model, so the next request sees it.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <lernorte/engine/engine.hpp>
#include <lernorte/storage/records.hpp>

namespace lernorte::engine {

struct FieldError {
    std::string field;  ///< e.g. "name", "website", "geometry"
    std::string message;
};

/// Input that breaks the rules; every problem found is listed.
class ValidationError : public std::runtime_error {
public:
    explicit ValidationError(std::vector<FieldError> errors);
    std::vector<FieldError> errors;
};

class NotFoundError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The caller's version is not the stored one (someone else saved first).
class VersionConflict : public std::runtime_error {
public:
    VersionConflict(const std::string& what, std::int64_t current) : std::runtime_error(what), current_version(current) {}
    std::int64_t current_version;
};

/// A state change that is not possible (e.g. deciding a suggestion twice).
class ConflictError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Too many suggestions from one address.
class RateLimited : public std::runtime_error {
public:
    RateLimited(const std::string& what, int retry_after_s) : std::runtime_error(what), retry_after(retry_after_s) {}
    int retry_after;
};

/// Length limits of the fields editors and citizens write.
struct Limits {
    static constexpr std::size_t name = 200;
    static constexpr std::size_t description = 5000;
    static constexpr std::size_t short_text = 200;  // street, city, source, license, phone
    static constexpr std::size_t url = 500;
    static constexpr std::size_t email = 254;
    static constexpr std::size_t opening_hours = 500;
    static constexpr std::size_t tags = 30;
    static constexpr std::size_t tag = 60;
    static constexpr std::size_t reason = 1000;
};

/// The problems of a place as an editor wrote it (id, version, stadtraum are not checked:
/// the store and the point decide them).
[[nodiscard]] std::vector<FieldError> validate_place(const storage::Place& place, const Catalogue& catalogue);

/// Why a text is not in OpenStreetMap opening_hours syntax ("" when it is). Covers the syntax
/// in everyday use: weekday and public-holiday selectors, month and date ranges, times and
/// time ranges (also sunrise/sunset, "+" and times past midnight), off/closed/open/unknown,
/// comments, "24/7", and rules separated by ";", "," or "||".
[[nodiscard]] std::string opening_hours_problem(std::string_view text);
/// http(s) URL with a host and no spaces; anything else (javascript:, data:) is refused.
[[nodiscard]] bool valid_url(std::string_view url);
[[nodiscard]] bool valid_email(std::string_view email);

/// The stored place `id` if it is at `expected_version`; NotFoundError or VersionConflict.
[[nodiscard]] storage::Place current_at(const storage::Store& store, const std::string& id,
                                        std::int64_t expected_version);

/// One entry of the editors' queue: a citizen's suggestion or a candidate place (a place with
/// status "suggested", like the 2016/17 Afeefa list).
struct QueueEntry {
    std::string kind;  ///< "suggestion" or "candidate"
    std::optional<storage::Suggestion> suggestion;
    std::optional<storage::Place> candidate;
    std::string created_at;
};

class Editor {
public:
    explicit Editor(Engine& engine);

    [[nodiscard]] const storage::Store& store() const noexcept { return m_engine.store(); }
    /// A place in the store whatever its status (editors see suggested and archived ones).
    [[nodiscard]] std::optional<storage::Place> place(const std::string& id) const;

    /// Creates a place; fills id, version, stadtraum. Throws ValidationError.
    storage::Place create(storage::Place input, const std::string& author);
    /// Replaces the editable fields of a place at `expected_version`. Throws NotFoundError,
    /// VersionConflict, ValidationError.
    storage::Place update(const std::string& id, storage::Place input, std::int64_t expected_version,
                          const std::string& author);
    /// Archives a place: it leaves the map, its history stays.
    storage::Place archive(const std::string& id, std::int64_t expected_version, const std::string& author,
                           const std::string& note = {});
    /// Makes the state of an earlier version current again, as a new revision.
    storage::Place restore(const std::string& id, std::int64_t version, std::int64_t expected_version,
                           const std::string& author);
    /// The revisions of a place, oldest first. Throws NotFoundError for an unknown place.
    [[nodiscard]] std::vector<storage::Revision> history(const std::string& id) const;

    /// Stores a citizen's suggestion (status pending). Throws ValidationError, RateLimited.
    storage::Suggestion suggest(storage::Suggestion input, const std::string& address);
    [[nodiscard]] std::optional<storage::Suggestion> suggestion(const std::string& id) const;
    /// The queue, oldest first. status: pending (default), accepted, rejected, or all.
    [[nodiscard]] std::vector<QueueEntry> queue(const std::string& status) const;
    /// Accepts a suggestion or a candidate place: the place is published with the editor's
    /// completed version of it (`completed`; empty fields are taken from the suggestion).
    storage::Place accept(const std::string& id, const std::optional<storage::Place>& completed,
                          const std::string& author);
    /// Rejects a suggestion (the reason is public on its status link) or a candidate place
    /// (archived with the reason in its history).
    void reject(const std::string& id, const std::string& reason, const std::string& author);

    struct SuggestionPolicy {
        int per_address = 5;                              ///< suggestions per address ...
        std::chrono::seconds window{std::chrono::hours(1)};  ///< ... within this time
    };
    void set_suggestion_policy(SuggestionPolicy p) { m_policy = p; }

private:
    /// Commits a place and its revision; releases `lock` after the commit and returns once the
    /// read model shows the write.
    storage::Place write(std::unique_lock<std::mutex>& lock, storage::Place next,
                         const std::optional<storage::Place>& previous, const std::string& author,
                         const std::string& action, const std::string& note);

    Engine& m_engine;
    SuggestionPolicy m_policy;
    std::mutex m_rate_mutex;
    std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> m_recent;
};

}  // namespace lernorte::engine
