#include <lernorte/engine/accounts.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <sodium.h>

namespace lernorte::engine {
namespace {

void ensure_sodium() {
    static const bool ready = [] { return sodium_init() >= 0; }();
    if (!ready) throw std::runtime_error("libsodium could not be initialised");
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// The stored form of a token: BLAKE2b-256, hex.
std::string token_hash(std::string_view token) {
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       nullptr, 0);
    char hex[sizeof digest * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

std::string new_token() {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char out[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/// A hash to verify against when the user does not exist, so that a wrong name and a wrong
/// password take the same time.
const std::string& dummy_hash() {
    static const std::string hash = hash_password("no such user, no such password");
    return hash;
}

}  // namespace

std::string hash_password(std::string_view password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw std::runtime_error("password hashing ran out of memory");
    }
    return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
    ensure_sodium();
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string password_problem(std::string_view password) {
    if (password.size() < 10) return "a password needs at least 10 characters";
    if (password.size() > 1024) return "a password has at most 1024 characters";
    return {};
}

std::string username_problem(std::string_view name) {
    if (name.size() < 3 || name.size() > 64) return "a user name has 3 to 64 characters";
    const bool ok = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
    if (!ok) return "a user name consists of a-z, 0-9, '.', '_' and '-'";
    return {};
}

Accounts::Accounts(storage::Store& store, Options options) : m_store(store), m_options(options) {}

storage::User Accounts::add_user(const std::string& name, const std::string& role, const std::string& password) {
    if (auto p = username_problem(name); !p.empty()) throw AccountError(p);
    if (!storage::is_role(role)) throw AccountError("unknown role '" + role + "'; roles are admin, editor, planner");
    if (auto p = password_problem(password); !p.empty()) throw AccountError(p);
    if (m_store.user(name)) throw AccountError("a user '" + name + "' exists already");
    storage::User user;
    user.username = name;
    user.role = role;
    user.password_hash = hash_password(password);
    auto tx = m_store.begin();
    tx->add_user(user);
    tx->commit();
    return user;
}

void Accounts::set_password(const std::string& name, const std::string& password) {
    if (auto p = password_problem(password); !p.empty()) throw AccountError(p);
    auto user = m_store.user(name);
    if (!user) throw AccountError("no user '" + name + "'");
    user->password_hash = hash_password(password);
    auto tx = m_store.begin();
    tx->update_user(*user);
    tx->delete_sessions_of(user->id);  // a new password ends every session
    tx->commit();
}

void Accounts::set_disabled(const std::string& name, bool disabled) {
    auto user = m_store.user(name);
    if (!user) throw AccountError("no user '" + name + "'");
    user->disabled = disabled;
    auto tx = m_store.begin();
    tx->update_user(*user);
    if (disabled) tx->delete_sessions_of(user->id);
    tx->commit();
}

int Accounts::wait_seconds(const std::string& key, std::chrono::steady_clock::time_point now) const {
    const auto it = m_attempts.find(key);
    if (it == m_attempts.end() || it->second.blocked_until <= now) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::seconds>(it->second.blocked_until - now).count());
}

void Accounts::record_failure(const std::string& key, std::chrono::steady_clock::time_point now) {
    // Bounded memory: forget entries idle for longer than the longest wait.
    if (m_attempts.size() > 10000) {
        std::erase_if(m_attempts, [&](const auto& e) { return now - e.second.last > m_options.max_delay; });
    }
    Attempts& a = m_attempts[key];
    a.failures += 1;
    a.last = now;
    // The slow-down starts once the free failures are used up: the attempt after the
    // free_failures-th failure already waits.
    const int over = a.failures - m_options.free_failures + 1;
    if (over > 0) {
        // 1 s, 2 s, 4 s, ... up to max_delay.
        const auto delay = std::min<std::chrono::seconds>(std::chrono::seconds(1LL << std::min(over - 1, 20)),
                                                          m_options.max_delay);
        a.blocked_until = now + delay;
    }
}

LoginResult Accounts::login(const std::string& name, std::string_view password, const std::string& address) {
    const std::string user_key = "user:" + name;
    const std::string address_key = "address:" + address;
    {
        std::lock_guard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        const int wait = std::max(wait_seconds(user_key, now), wait_seconds(address_key, now));
        if (wait > 0) {
            throw LoginError("too many failed logins; try again in " + std::to_string(wait) + " s", wait);
        }
    }
    const auto user = m_store.user(name);
    // Verify even without a user, so that the answer time does not tell which names exist.
    const bool ok = verify_password(user ? user->password_hash : dummy_hash(), password) && user && !user->disabled;
    if (!ok) {
        std::lock_guard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        record_failure(user_key, now);
        record_failure(address_key, now);
        throw LoginError("unknown user name or wrong password", 0);
    }
    {
        std::lock_guard lock(m_mutex);
        m_attempts.erase(user_key);
    }
    const auto now = std::chrono::system_clock::now();
    LoginResult result;
    result.token = new_token();
    result.identity = Identity{user->id, user->username, user->role, rfc3339(now + m_options.token_lifetime)};
    storage::Session session{token_hash(result.token), user->id, rfc3339(now), result.identity.expires};
    auto tx = m_store.begin();
    tx->delete_expired_sessions(rfc3339(now));
    tx->add_session(session);
    tx->commit();
    return result;
}

std::optional<Identity> Accounts::authenticate(std::string_view token) const {
    if (token.empty() || token.size() > 128) return std::nullopt;
    ensure_sodium();
    const auto found = m_store.session(token_hash(token));
    if (!found) return std::nullopt;
    const auto& [session, user] = *found;
    // RFC 3339 UTC with a fixed width compares as text.
    if (session.expires_at <= rfc3339(std::chrono::system_clock::now()) || user.disabled) return std::nullopt;
    return Identity{user.id, user.username, user.role, session.expires_at};
}

void Accounts::logout(std::string_view token) {
    ensure_sodium();
    auto tx = m_store.begin();
    tx->delete_session(token_hash(token));
    tx->commit();
}

}  // namespace lernorte::engine
