#pragma once
// What the store keeps besides the catalogue: accounts, their sessions, the history of every
// place and the suggestions citizens send in.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/storage/model.hpp>

namespace lernorte::storage {

inline constexpr std::string_view role_values[] = {"admin", "editor", "planner"};
[[nodiscard]] bool is_role(std::string_view v);

struct User {
    std::int64_t id = 0;
    std::string username;
    std::string password_hash;  ///< libsodium crypto_pwhash_str output (Argon2id); never a password
    std::string role;           ///< admin, editor, planner
    bool disabled = false;
    std::string created_at;
};

/// A login. Only a hash of the bearer token is stored; the token itself is shown once.
struct Session {
    std::string token_hash;
    std::int64_t user_id = 0;
    std::string created_at;
    std::string expires_at;  ///< RFC 3339 UTC
};

/// One change of a place: who, when, what, and the full state before and after.
struct Revision {
    std::int64_t id = 0;
    std::string place_id;
    std::int64_t version = 0;  ///< the version this change created
    std::string author;
    std::string created_at;
    std::string action;  ///< create, update, archive, restore, publish, import
    std::string note;    ///< e.g. "from suggestion <id>", "restored version 3"
    std::optional<Place> previous;
    std::optional<Place> state;
};

inline constexpr std::string_view suggestion_status_values[] = {"pending", "accepted", "rejected"};

/// A place a citizen proposed. The contact address is for editors only and is deleted
/// when the suggestion is decided.
struct Suggestion {
    std::string id;
    std::string status = "pending";
    std::string name;
    std::string category;
    std::string description;
    std::string website;
    geo::Point position;
    std::string contact_email;
    std::string created_at;
    std::string decided_at;
    std::string decided_by;
    std::string reason;    ///< why it was rejected (public on the status link)
    std::string place_id;  ///< the place created when it was accepted
};

}  // namespace lernorte::storage
