#include <lernorte/engine/editor.hpp>

#include <algorithm>

namespace lernorte::engine {
namespace {

constexpr const char* citizen_source = "Vorschlag aus der Bürgerschaft, geprüft von der Redaktion";

/// Fills what an editor never sets: the Stadtraum comes from the point.
void derive(storage::Place& p, const Catalogue& c) { p.stadtraum = c.locate(p.position); }

void check(const storage::Place& p, const Catalogue& c) {
    auto errors = validate_place(p, c);
    if (!errors.empty()) throw ValidationError(std::move(errors));
}

storage::Place draft_of(const storage::Suggestion& s) {
    storage::Place p;
    p.name = s.name;
    p.category = s.category;
    p.description = s.description;
    p.website = s.website;
    p.position = s.position;
    p.source = citizen_source;
    return p;
}

}  // namespace

storage::Place current_at(const storage::Store& store, const std::string& id, std::int64_t expected_version) {
    auto current = store.place(id);
    if (!current) throw NotFoundError("no place with id '" + id + "'");
    if (current->version != expected_version) {
        throw VersionConflict("place '" + id + "' is at version " + std::to_string(current->version) + ", not " +
                                  std::to_string(expected_version) + "; someone saved it meanwhile",
                              current->version);
    }
    return *current;
}

Editor::Editor(Engine& engine) : m_engine(engine) {}

std::optional<storage::Place> Editor::place(const std::string& id) const { return m_engine.store().place(id); }

storage::Place Editor::write(std::unique_lock<std::mutex>& lock, storage::Place next,
                             const std::optional<storage::Place>& previous, const std::string& author,
                             const std::string& action, const std::string& note) {
    auto& store = m_engine.store();
    auto tx = store.begin();
    const auto outcome = tx->upsert_place(next);
    if (outcome == storage::UpsertOutcome::unchanged) return next;  // nothing to record
    storage::Revision r;
    r.place_id = next.id;
    r.version = next.version;
    r.author = author;
    r.action = action;
    r.note = note;
    r.previous = previous;
    r.state = next;
    tx->add_revision(r);
    tx->commit();
    // The next writer may commit while this one waits for its publication.
    const std::int64_t version = store.data_version();
    lock.unlock();
    m_engine.publish_at_least(version);
    return next;
}

storage::Place Editor::create(storage::Place input, const std::string& author) {
    auto lock = m_engine.lock_writes();
    const auto catalogue = m_engine.catalogue();
    input.id.clear();
    input.dataset.clear();
    input.source_id.clear();
    if (input.status.empty()) input.status = "published";
    derive(input, *catalogue);
    check(input, *catalogue);
    return write(lock, std::move(input), std::nullopt, author, "create", {});
}

storage::Place Editor::update(const std::string& id, storage::Place input, std::int64_t expected_version,
                              const std::string& author) {
    auto lock = m_engine.lock_writes();
    const std::optional<storage::Place> current = current_at(m_engine.store(), id, expected_version);
    const auto catalogue = m_engine.catalogue();
    input.id = current->id;
    input.dataset = current->dataset;
    input.source_id = current->source_id;
    if (input.status.empty()) input.status = current->status == "archived" ? "published" : current->status;
    derive(input, *catalogue);
    check(input, *catalogue);
    return write(lock, std::move(input), current, author, "update", {});
}

storage::Place Editor::archive(const std::string& id, std::int64_t expected_version, const std::string& author,
                               const std::string& note) {
    auto lock = m_engine.lock_writes();
    const std::optional<storage::Place> current = current_at(m_engine.store(), id, expected_version);
    if (current->status == "archived") return *current;
    storage::Place next = *current;
    next.status = "archived";
    return write(lock, std::move(next), current, author, "archive", note);
}

storage::Place Editor::restore(const std::string& id, std::int64_t version, std::int64_t expected_version,
                               const std::string& author) {
    auto lock = m_engine.lock_writes();
    const std::optional<storage::Place> current = current_at(m_engine.store(), id, expected_version);
    if (version == current->version) return *current;
    std::optional<storage::Place> state;
    for (const auto& r : m_engine.store().revisions(id)) {
        if (r.state && r.version == version) state = r.state;
        if (!state && r.previous && r.previous->version == version) state = r.previous;
    }
    if (!state) throw NotFoundError("place '" + id + "' has no version " + std::to_string(version) + " in its history");
    storage::Place next = *state;
    next.id = current->id;
    next.dataset = current->dataset;
    next.source_id = current->source_id;
    next.version = current->version;
    next.updated_at = current->updated_at;
    derive(next, *m_engine.catalogue());
    return write(lock, std::move(next), current, author, "restore", "restored version " + std::to_string(version));
}

std::vector<storage::Revision> Editor::history(const std::string& id) const {
    if (!m_engine.store().place(id)) throw NotFoundError("no place with id '" + id + "'");
    return m_engine.store().revisions(id);
}

storage::Suggestion Editor::suggest(storage::Suggestion input, const std::string& address) {
    const auto catalogue = m_engine.catalogue();
    storage::Place draft = draft_of(input);
    draft.status = "suggested";
    std::vector<FieldError> errors;
    for (auto& e : validate_place(draft, *catalogue)) {
        if (e.field == "name" || e.field == "category" || e.field == "description" || e.field == "website" ||
            e.field == "geometry") {
            errors.push_back(std::move(e));
        }
    }
    if (input.description.size() > 2000) errors.push_back({"description", "at most 2000 characters in a suggestion"});
    if (!input.contact_email.empty() && !valid_email(input.contact_email)) {
        errors.push_back({"contact_email", "is not an e-mail address (name@example.org)"});
    }
    if (!errors.empty()) throw ValidationError(std::move(errors));
    {
        std::lock_guard lock(m_rate_mutex);
        const auto now = std::chrono::steady_clock::now();
        if (m_recent.size() > 10000) {
            std::erase_if(m_recent, [&](const auto& e) { return e.second.empty() || now - e.second.back() > m_policy.window; });
        }
        auto& times = m_recent[address];
        std::erase_if(times, [&](auto t) { return now - t > m_policy.window; });
        if (static_cast<int>(times.size()) >= m_policy.per_address) {
            const auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + m_policy.window - now);
            throw RateLimited("too many suggestions from this address; try again later", static_cast<int>(wait.count()));
        }
        times.push_back(now);
    }
    input.id = storage::new_uuid();
    input.status = "pending";
    input.created_at = storage::now_rfc3339();
    input.decided_at.clear();
    input.decided_by.clear();
    input.reason.clear();
    input.place_id.clear();
    auto tx = m_engine.store().begin();
    tx->put_suggestion(input);
    tx->commit();
    return input;
}

std::optional<storage::Suggestion> Editor::suggestion(const std::string& id) const {
    return m_engine.store().suggestion(id);
}

std::vector<QueueEntry> Editor::queue(const std::string& status) const {
    std::vector<QueueEntry> out;
    const auto& store = m_engine.store();
    const std::optional<std::string> filter = status == "all" ? std::nullopt : std::optional<std::string>(status);
    for (auto& s : store.suggestions(filter)) {
        QueueEntry e{"suggestion", s, std::nullopt, s.created_at};
        out.push_back(std::move(e));
    }
    if (status == "pending" || status == "all") {
        for (auto& p : store.places("suggested")) {
            QueueEntry e{"candidate", std::nullopt, p, p.updated_at};
            out.push_back(std::move(e));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const QueueEntry& a, const QueueEntry& b) { return a.created_at < b.created_at; });
    return out;
}

storage::Place Editor::accept(const std::string& id, const std::optional<storage::Place>& completed,
                              const std::string& author) {
    auto lock = m_engine.lock_writes();
    auto& store = m_engine.store();
    const auto catalogue = m_engine.catalogue();
    if (auto s = store.suggestion(id)) {
        if (s->status != "pending") throw ConflictError("suggestion '" + id + "' was " + s->status + " already");
        storage::Place next = completed ? *completed : draft_of(*s);
        next.id.clear();
        next.dataset.clear();
        next.source_id.clear();
        if (next.source.empty()) next.source = citizen_source;
        next.status = "published";
        derive(next, *catalogue);
        check(next, *catalogue);
        s->status = "accepted";
        s->decided_at = storage::now_rfc3339();
        s->decided_by = author;
        s->contact_email.clear();  // only needed while the suggestion was open
        // The id of the new place is known only after the insert: write it, then record it.
        auto tx = store.begin();
        tx->upsert_place(next);
        s->place_id = next.id;
        storage::Revision r;
        r.place_id = next.id;
        r.version = next.version;
        r.author = author;
        r.action = "create";
        r.note = "from suggestion " + s->id;
        r.state = next;
        tx->add_revision(r);
        tx->put_suggestion(*s);
        tx->commit();
        const std::int64_t version = store.data_version();
        lock.unlock();
        m_engine.publish_at_least(version);
        return next;
    }
    const auto current = store.place(id);
    if (!current) throw NotFoundError("no suggestion or candidate place with id '" + id + "'");
    if (current->status != "suggested") {
        throw ConflictError("place '" + id + "' is " + current->status + ", not a candidate waiting for review");
    }
    storage::Place next = completed ? *completed : *current;
    next.id = current->id;
    next.dataset = current->dataset;
    next.source_id = current->source_id;
    next.status = "published";
    derive(next, *catalogue);
    check(next, *catalogue);
    return write(lock, std::move(next), current, author, "publish", "verified candidate");
}

void Editor::reject(const std::string& id, const std::string& reason, const std::string& author) {
    const auto first = reason.find_first_not_of(" \t\n\r");
    if (first == std::string::npos) throw ValidationError(std::vector<FieldError>{{"reason", "is required: the person who suggested it reads it"}});
    if (reason.size() > Limits::reason) throw ValidationError(std::vector<FieldError>{{"reason", "at most 1000 characters"}});
    auto lock = m_engine.lock_writes();
    auto& store = m_engine.store();
    if (auto s = store.suggestion(id)) {
        if (s->status != "pending") throw ConflictError("suggestion '" + id + "' was " + s->status + " already");
        s->status = "rejected";
        s->reason = reason;
        s->decided_at = storage::now_rfc3339();
        s->decided_by = author;
        s->contact_email.clear();
        auto tx = store.begin();
        tx->put_suggestion(*s);
        tx->commit();
        return;
    }
    const auto current = store.place(id);
    if (!current) throw NotFoundError("no suggestion or candidate place with id '" + id + "'");
    if (current->status != "suggested") {
        throw ConflictError("place '" + id + "' is " + current->status + ", not a candidate waiting for review");
    }
    storage::Place next = *current;
    next.status = "archived";
    write(lock, std::move(next), current, author, "archive", "rejected: " + reason);
}

}  // namespace lernorte::engine
