#pragma once
// Accounts, passwords and bearer tokens. Passwords are hashed with Argon2id (libsodium
// crypto_pwhash_str); a token is 256 random bits, handed out once and stored only as a hash.
// Failed logins slow down per account and per client address.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <lernorte/storage/store.hpp>

namespace lernorte::engine {

/// Bad input for an account operation (name, role, password rules, unknown user).
class AccountError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A login refused. `retry_after` > 0 when the caller must wait (too many failures).
class LoginError : public std::runtime_error {
public:
    LoginError(const std::string& what, int retry_after_s) : std::runtime_error(what), retry_after(retry_after_s) {}
    int retry_after;
};

struct Identity {
    std::int64_t user_id = 0;
    std::string username;
    std::string role;
    std::string expires;  ///< RFC 3339 UTC
};

struct LoginResult {
    std::string token;
    Identity identity;
};

[[nodiscard]] std::string hash_password(std::string_view password);
[[nodiscard]] bool verify_password(const std::string& hash, std::string_view password);
/// Why a password is not acceptable ("" when it is): at least 10 characters, at most 1024.
[[nodiscard]] std::string password_problem(std::string_view password);
/// Why a user name is not acceptable ("" when it is): 3 to 64 of a-z, 0-9, '.', '_', '-'.
[[nodiscard]] std::string username_problem(std::string_view name);

class Accounts {
public:
    struct Options {
        std::chrono::seconds token_lifetime{std::chrono::hours(8)};
        int free_failures = 5;                     ///< failures before the slow-down starts
        std::chrono::seconds max_delay{15 * 60};  ///< the longest wait after repeated failures
    };

    explicit Accounts(storage::Store& store) : Accounts(store, Options{}) {}
    Accounts(storage::Store& store, Options options);

    // Administration (the command line)
    storage::User add_user(const std::string& name, const std::string& role, const std::string& password);
    void set_password(const std::string& name, const std::string& password);
    void set_disabled(const std::string& name, bool disabled);
    [[nodiscard]] std::vector<storage::User> users() const { return m_store.users(); }

    // Sessions (the HTTP API). `address` is the client's address, kept only in memory.
    LoginResult login(const std::string& name, std::string_view password, const std::string& address);
    /// The identity behind a bearer token; nullopt when unknown, expired, or the user is disabled.
    [[nodiscard]] std::optional<Identity> authenticate(std::string_view token) const;
    void logout(std::string_view token);

private:
    struct Attempts {
        int failures = 0;
        std::chrono::steady_clock::time_point blocked_until{};
        std::chrono::steady_clock::time_point last{};
    };
    int wait_seconds(const std::string& key, std::chrono::steady_clock::time_point now) const;
    void record_failure(const std::string& key, std::chrono::steady_clock::time_point now);

    storage::Store& m_store;
    Options m_options;
    mutable std::mutex m_mutex;
    std::map<std::string, Attempts> m_attempts;
};

}  // namespace lernorte::engine
