// Accounts over a real SpatiaLite file: Argon2id passwords, bearer tokens stored as hashes,
// sessions that end, and the slow-down after failed logins. Hashing is deliberately slow
// (64 MiB per hash), so the users are made once for the whole file.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <lernorte/engine/accounts.hpp>
#include <lernorte/storage/store.hpp>

#include "temp_dir.hpp"

using namespace lernorte;
using engine::AccountError;
using engine::Accounts;
using engine::LoginError;
using test::TempDir;

namespace {

constexpr const char* anna_password = "korrekt-Pferd-Batterie";
constexpr const char* ben_password = "planer-passwort-2026";
constexpr const char* carl_password = "carls-geheimnis-1";
constexpr const char* dora_password = "doras-erstes-Passwort";

/// One store with four users, made once per test binary. Each test that changes a user
/// (disables, new password) has a user of its own, so the random test order does not matter.
struct Users {
    TempDir dir;
    std::unique_ptr<storage::Store> store = storage::open_spatialite(dir.file("accounts.sqlite"));

    Users() {
        Accounts a(*store);
        a.add_user("anna", "editor", anna_password);
        a.add_user("ben", "planner", ben_password);
        a.add_user("carl", "editor", carl_password);
        a.add_user("dora.k-1_x", "admin", dora_password);
    }

    static Users& shared() {
        static Users users;
        return users;
    }

    /// Every text of the sessions table, as someone with a copy of the file would see it.
    [[nodiscard]] std::string sessions_dump() const {
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(dir.file("accounts.sqlite").c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
        std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, &sqlite3_close_v2);
        REQUIRE(rc == SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(raw, "SELECT token_hash, user_id, created_at, expires_at FROM sessions", -1, &st,
                                   nullptr) == SQLITE_OK);
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(st, &sqlite3_finalize);
        std::string out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int i = 0; i < 4; ++i) {
                const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
                out += t != nullptr ? t : "";
                out += '|';
            }
            out += '\n';
        }
        return out;
    }
};

}  // namespace

TEST_CASE("passwords are hashed with Argon2id and verified", "[engine][accounts]") {
    const std::string hash = engine::hash_password("ein langes Passwort");
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(hash.find("ein langes Passwort") == std::string::npos);
    CHECK(engine::verify_password(hash, "ein langes Passwort"));
    CHECK_FALSE(engine::verify_password(hash, "ein langes passwort"));
    CHECK_FALSE(engine::verify_password(hash, ""));
    CHECK_FALSE(engine::verify_password("not a hash", "ein langes Passwort"));
}

TEST_CASE("user name and password rules", "[engine][accounts]") {
    CHECK(engine::password_problem("0123456789").empty());
    CHECK_FALSE(engine::password_problem("012345678").empty());
    CHECK_FALSE(engine::password_problem("").empty());
    CHECK(engine::password_problem(std::string(1024, 'x')).empty());
    CHECK_FALSE(engine::password_problem(std::string(1025, 'x')).empty());

    CHECK(engine::username_problem("anna").empty());
    CHECK(engine::username_problem("a.b_c-9").empty());
    CHECK(engine::username_problem("abc").empty());
    CHECK(engine::username_problem(std::string(64, 'a')).empty());
    CHECK_FALSE(engine::username_problem("ab").empty());
    CHECK_FALSE(engine::username_problem(std::string(65, 'a')).empty());
    CHECK_FALSE(engine::username_problem("Anna").empty());
    CHECK_FALSE(engine::username_problem("anna maria").empty());
    CHECK_FALSE(engine::username_problem("jörg").empty());
    CHECK_FALSE(engine::username_problem("x'; --").empty());
}

TEST_CASE("add_user refuses bad names, roles, passwords and duplicates", "[engine][accounts]") {
    auto& u = Users::shared();
    Accounts a(*u.store);
    CHECK_THROWS_AS(a.add_user("anna", "editor", "another-password"), AccountError);
    CHECK_THROWS_AS(a.add_user("Eva", "editor", "a-good-password"), AccountError);
    CHECK_THROWS_AS(a.add_user("eva", "superuser", "a-good-password"), AccountError);
    CHECK_THROWS_AS(a.add_user("eva", "editor", "short"), AccountError);
    CHECK_FALSE(u.store->user("eva").has_value());
    const auto users = a.users();
    CHECK(users.size() == 4);
    const auto anna = u.store->user("anna");
    REQUIRE(anna.has_value());
    CHECK(anna->role == "editor");
    CHECK(anna->password_hash.rfind("$argon2id$", 0) == 0);
    CHECK(anna->password_hash.find(anna_password) == std::string::npos);
    CHECK_THROWS_AS(a.set_password("nobody", "a-good-password"), AccountError);
    CHECK_THROWS_AS(a.set_password("anna", "short"), AccountError);
    CHECK_THROWS_AS(a.set_disabled("nobody", true), AccountError);
}

TEST_CASE("login hands out a token once; only its hash is stored; logout ends it", "[engine][accounts]") {
    auto& u = Users::shared();
    Accounts a(*u.store);
    const auto rows = [&] {
        const std::string dump = u.sessions_dump();
        return std::count(dump.begin(), dump.end(), '\n');
    };
    const auto before = rows();
    const auto result = a.login("ben", ben_password, "192.0.2.10");
    CHECK(result.token.size() == 43);  // 256 bits, base64url without padding
    CHECK(result.identity.username == "ben");
    CHECK(result.identity.role == "planner");
    CHECK(result.identity.user_id == u.store->user("ben")->id);
    CHECK(result.identity.expires > storage::now_rfc3339());

    const std::string dump = u.sessions_dump();
    CHECK(dump.find(result.token) == std::string::npos);
    CHECK(dump.find(result.token.substr(0, 16)) == std::string::npos);
    CHECK(dump.find(result.identity.expires) != std::string::npos);  // the session is there
    CHECK(rows() == before + 1);

    const auto id = a.authenticate(result.token);
    REQUIRE(id.has_value());
    CHECK(id->username == "ben");
    CHECK(id->role == "planner");
    CHECK_FALSE(a.authenticate(result.token + "x").has_value());
    CHECK_FALSE(a.authenticate("").has_value());
    CHECK_FALSE(a.authenticate(std::string(500, 'a')).has_value());

    // Another Accounts over the same store (a restarted server) knows the token too.
    Accounts restarted(*u.store);
    CHECK(restarted.authenticate(result.token).has_value());

    a.logout(result.token);
    CHECK_FALSE(a.authenticate(result.token).has_value());
    CHECK_FALSE(restarted.authenticate(result.token).has_value());
    CHECK(rows() == before);
}

TEST_CASE("a wrong password or an unknown name is refused without a wait", "[engine][accounts]") {
    auto& u = Users::shared();
    Accounts a(*u.store);
    try {
        (void)a.login("anna", "wrong-password!", "192.0.2.20");
        FAIL("a wrong password logged in");
    } catch (const LoginError& e) {
        CHECK(e.retry_after == 0);
    }
    try {
        (void)a.login("nobody", anna_password, "192.0.2.20");
        FAIL("an unknown user logged in");
    } catch (const LoginError& e) {
        CHECK(e.retry_after == 0);
    }
}

TEST_CASE("a disabled user cannot log in and loses every session", "[engine][accounts]") {
    auto& u = Users::shared();
    Accounts a(*u.store);
    const auto session = a.login("carl", carl_password, "192.0.2.30");
    REQUIRE(a.authenticate(session.token).has_value());
    a.set_disabled("carl", true);
    CHECK(u.store->user("carl")->disabled);
    CHECK_FALSE(a.authenticate(session.token).has_value());
    CHECK_THROWS_AS(a.login("carl", carl_password, "192.0.2.30"), LoginError);
    a.set_disabled("carl", false);
    CHECK_FALSE(a.authenticate(session.token).has_value());  // the session is gone, not just hidden
}

TEST_CASE("a new password ends every session of the user", "[engine][accounts]") {
    auto& u = Users::shared();
    Accounts a(*u.store);
    const auto first = a.login("dora.k-1_x", dora_password, "192.0.2.40");
    CHECK(first.identity.role == "admin");
    REQUIRE(a.authenticate(first.token).has_value());
    a.set_password("dora.k-1_x", "doras-zweites-Passwort");
    CHECK_FALSE(a.authenticate(first.token).has_value());
    CHECK_THROWS_AS(a.login("dora.k-1_x", dora_password, "192.0.2.40"), LoginError);
    const auto second = a.login("dora.k-1_x", "doras-zweites-Passwort", "192.0.2.40");
    CHECK(a.authenticate(second.token).has_value());
}

TEST_CASE("a token expires after its lifetime", "[engine][accounts][slow]") {
    auto& u = Users::shared();
    Accounts::Options o;
    o.token_lifetime = std::chrono::seconds(1);
    Accounts a(*u.store, o);
    const auto result = a.login("anna", anna_password, "192.0.2.50");
    REQUIRE(a.authenticate(result.token).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    CHECK_FALSE(a.authenticate(result.token).has_value());
    a.logout(result.token);  // leaves no expired row behind for the other tests to count
}

TEST_CASE("failed logins slow down the account and the address", "[engine][accounts][throttle]") {
    auto& u = Users::shared();
    Accounts::Options o;
    o.free_failures = 2;

    SECTION("per account: after the free failures even the right password waits") {
        Accounts a(*u.store, o);
        CHECK_THROWS_AS(a.login("anna", "wrong-password-1", "198.51.100.1"), LoginError);
        CHECK_THROWS_AS(a.login("anna", "wrong-password-2", "198.51.100.2"), LoginError);
        try {
            (void)a.login("anna", anna_password, "198.51.100.3");
            FAIL("logged in right after the free failures");
        } catch (const LoginError& e) {
            CHECK(e.retry_after > 0);
            CHECK(e.retry_after <= 15 * 60);
        }
    }
    SECTION("per address: different names from one address") {
        Accounts a(*u.store, o);
        CHECK_THROWS_AS(a.login("nobody-1", "wrong-password-1", "203.0.113.9"), LoginError);
        CHECK_THROWS_AS(a.login("nobody-2", "wrong-password-2", "203.0.113.9"), LoginError);
        try {
            (void)a.login("ben", ben_password, "203.0.113.9");
            FAIL("the address was not slowed down");
        } catch (const LoginError& e) {
            CHECK(e.retry_after > 0);
        }
        // Another address is not affected.
        const auto ok = a.login("ben", ben_password, "203.0.113.10");
        CHECK(a.authenticate(ok.token).has_value());
    }
}
