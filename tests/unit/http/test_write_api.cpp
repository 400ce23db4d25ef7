// The write side of the API through Api::handle: login, places (OGC API - Features Part 4 with
// ETag/If-Match), history, suggestions. One Api over its own copy of the seeded Dresden store
// for this file (the shared read-only fixture of the other tests is never written).
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include <lernorte/engine/accounts.hpp>
#include <lernorte/http/api.hpp>

#include "dresden_api.hpp"
#include "write_support.hpp"

using namespace lernorte;
using test::json;

namespace {

constexpr const char* anna_password = "anna-schreibt-gern";
constexpr const char* bert_password = "bert-schreibt-auch";
constexpr const char* paula_password = "paula-plant-nur-1";

constexpr const char* items = "/api/collections/places/items";

using Headers = std::map<std::string, std::string>;

/// An Api over its own seeded store, with two editors and a planner logged in. Made once:
/// passwords are hashed with Argon2id, which is slow on purpose.
struct WriteApi {
    test::TempDir dir;
    engine::Engine engine{storage::open_spatialite(test::seeded_copy(dir))};
    http::Api api{engine, config()};
    std::string anna;   // editor
    std::string bert;   // editor
    std::string paula;  // planner

    WriteApi() {
        api.set_ready(true);
        engine::Accounts accounts(engine.store());
        accounts.add_user("anna", "editor", anna_password);
        accounts.add_user("bert", "editor", bert_password);
        accounts.add_user("paula", "planner", paula_password);
        anna = login("anna", anna_password);
        bert = login("bert", bert_password);
        paula = login("paula", paula_password);
    }

    static http::ApiConfig config() {
        http::ApiConfig c;  // by name: the config grows fields
        c.frontend_dir = LERNORTE_FRONTEND_DIR;
        c.openapi_path = LERNORTE_OPENAPI_PATH;
        c.sources_path = LERNORTE_SOURCES_PATH;
        c.base_url = "http://127.0.0.1:8080";
        c.data_dir = LERNORTE_TEST_DATA_DIR;
        return c;
    }

    static WriteApi& shared() {
        static WriteApi instance;
        return instance;
    }

    std::string login(const std::string& user, const std::string& password) {
        const auto r = send("POST", "/api/auth/login", R"({"username":")" + user + R"(","password":")" + password + R"("})",
                            {{"content-type", "application/json"}});
        REQUIRE(r.status == 200);
        return json(r)["token"].GetString();
    }

    /// A request as the server would hand it to the Api. Headers are lower case.
    http::Response send(const std::string& method, const std::string& target, const std::string& body = {},
                        Headers headers = {}, const std::string& remote = "192.0.2.100") const {
        http::Request r = test::get(target, std::move(headers));
        r.method = method;
        r.body = body;
        r.remote = remote;
        return api.handle(r);
    }

    http::Response as(const std::string& token, const std::string& method, const std::string& target,
                      const std::string& body = {}, Headers headers = {}) const {
        headers.emplace("authorization", "Bearer " + token);
        if (!body.empty()) headers.emplace("content-type", "application/geo+json");
        return send(method, target, body, std::move(headers));
    }
};

std::string feature(const std::string& name, double lon = 13.76, double lat = 51.05, const std::string& extra = "") {
    return R"({"type":"Feature","geometry":{"type":"Point","coordinates":[)" + std::to_string(lon) + "," +
           std::to_string(lat) + R"(]},"properties":{"name":")" + name + R"(","category":"werkstatt")" +
           (extra.empty() ? "" : "," + extra) + "}}";
}

std::string header_or_empty(const http::Response& r, const std::string& name) {
    const std::string* h = r.header(name);
    return h != nullptr ? *h : std::string();
}

/// The path of the Location header (the API answers with absolute URLs).
std::string location_path(const http::Response& r) {
    const std::string loc = header_or_empty(r, "Location");
    const auto api = loc.find("/api/");
    return api == std::string::npos ? loc : loc.substr(api);
}

std::string first_error_field(const http::Response& r) {
    const auto d = json(r);
    if (!d.IsObject() || !d.HasMember("errors") || d["errors"].Empty()) return {};
    return d["errors"][0]["field"].GetString();
}

/// Creates a place as anna; returns its id.
std::string create(WriteApi& w, const std::string& name, double lon = 13.76, double lat = 51.05) {
    const auto r = w.as(w.anna, "POST", items, feature(name, lon, lat));
    REQUIRE(r.status == 201);
    return json(r)["id"].GetString();
}

/// The slippy-map tile of a point at zoom z.
std::pair<int, int> tile_of(double lon, double lat, int z) {
    const double n = std::ldexp(1.0, z);
    const double lat_rad = lat * M_PI / 180.0;
    const int x = static_cast<int>(std::floor((lon + 180.0) / 360.0 * n));
    const int y = static_cast<int>(std::floor((1.0 - std::asinh(std::tan(lat_rad)) / M_PI) / 2.0 * n));
    return {x, y};
}

}  // namespace

TEST_CASE("writes, history and the queue need a token; planners may not write", "[http][write][auth]") {
    auto& w = WriteApi::shared();
    const std::string id = create(w, "Schutzraum");
    const std::string item = std::string(items) + "/" + id;
    const Headers geojson{{"content-type", "application/geo+json"}, {"if-match", "\"1\""}};
    const std::pair<std::string, std::string> calls[] = {
        {"POST", items},       {"PUT", item},
        {"PATCH", item},       {"DELETE", item},
        {"GET", item + "/history"}, {"GET", "/api/suggestions"},
        {"POST", item + "/restore"}, {"GET", "/api/auth/me"},
    };
    for (const auto& [method, target] : calls) {
        INFO(method << ' ' << target);
        const auto anonymous = w.send(method, target, feature("X"), geojson);
        CHECK(anonymous.status == 401);
        CHECK(header_or_empty(anonymous, "WWW-Authenticate").find("Bearer") == 0);
        CHECK(anonymous.content_type == "application/problem+json");
        CHECK(header_or_empty(anonymous, "Cache-Control") == "no-store");
        auto with_bad_token = geojson;
        with_bad_token["authorization"] = "Bearer not-a-token";
        CHECK(w.send(method, target, feature("X"), with_bad_token).status == 401);
        auto basic = geojson;
        basic["authorization"] = "Basic YW5uYTp4";
        CHECK(w.send(method, target, feature("X"), basic).status == 401);
    }
    for (const auto& [method, target] : calls) {
        if (target == "/api/auth/me") continue;
        INFO(method << ' ' << target);
        const auto planner = w.as(w.paula, method, target, feature("X"), {{"if-match", "\"1\""}});
        CHECK(planner.status == 403);
    }
    CHECK(w.as(w.paula, "GET", "/api/auth/me").status == 200);
    CHECK(json(w.as(w.paula, "GET", "/api/auth/me"))["role"] == "planner");
    CHECK(w.send("GET", item).status == 200);  // reading stays public
    CHECK(json(w.send("GET", item))["properties"]["name"] == "Schutzraum");
}

TEST_CASE("login and logout", "[http][write][auth]") {
    auto& w = WriteApi::shared();
    const Headers json_type{{"content-type", "application/json"}};
    const auto wrong = w.send("POST", "/api/auth/login", R"({"username":"anna","password":"falsch-falsch"})", json_type,
                              "198.51.100.7");
    CHECK(wrong.status == 401);
    CHECK(header_or_empty(wrong, "WWW-Authenticate").find("Bearer") == 0);
    CHECK(wrong.body.find("token") == std::string::npos);

    const auto ok = w.send("POST", "/api/auth/login",
                           std::string(R"({"username":"anna","password":")") + anna_password + "\"}", json_type,
                           "198.51.100.7");
    REQUIRE(ok.status == 200);
    CHECK(header_or_empty(ok, "Cache-Control") == "no-store");
    const auto d = json(ok);
    const std::string token = d["token"].GetString();
    CHECK(token.size() == 43);
    CHECK(d["role"] == "editor");
    CHECK(d["username"] == "anna");
    CHECK(d.HasMember("expires"));

    const auto me = w.as(token, "GET", "/api/auth/me");
    REQUIRE(me.status == 200);
    CHECK(json(me)["username"] == "anna");
    CHECK(w.as(token, "POST", "/api/auth/logout").status == 204);
    CHECK(w.as(token, "GET", "/api/auth/me").status == 401);
    CHECK(w.as(token, "POST", items, feature("Nach dem Logout")).status == 401);
    CHECK(w.as(w.anna, "GET", "/api/auth/me").status == 200);  // other sessions live on

    // Logout ends the session for every header form that authenticates.
    const std::string second = w.login("anna", anna_password);
    const Headers spaced{{"authorization", "bearer   " + second}};
    REQUIRE(w.send("GET", "/api/auth/me", {}, spaced).status == 200);
    CHECK(w.send("POST", "/api/auth/logout", {}, spaced).status == 204);
    CHECK(w.as(second, "GET", "/api/auth/me").status == 401);

    CHECK(w.send("POST", "/api/auth/login", R"({"username":"anna"})", json_type).status == 400);
    CHECK(first_error_field(w.send("POST", "/api/auth/login", R"({"username":"anna"})", json_type)) == "password");
    CHECK(w.send("POST", "/api/auth/login", R"({"username":"anna","password":"x"})",
                 {{"content-type", "text/plain"}}).status == 415);
    CHECK(w.send("GET", "/api/auth/login").status == 405);
}

TEST_CASE("create, read, and change only with the version read (ETag / If-Match)", "[http][write][places]") {
    auto& w = WriteApi::shared();
    const auto created = w.as(w.anna, "POST", items,
                              feature("Repair-Café Johannstadt", 13.76, 51.05,
                                      R"("description":"Jeden 2. Samstag","free":true,"opening_hours":"Sa[2] 10:00-14:00")"));
    REQUIRE(created.status == 201);
    CHECK(header_or_empty(created, "ETag") == "\"1\"");
    CHECK(created.content_type == "application/geo+json");
    const auto body = json(created);
    const std::string id = body["id"].GetString();
    const std::string item = location_path(created);
    CHECK(item == std::string(items) + "/" + id);
    CHECK(body["properties"]["stadtraum"].GetInt() == 2);
    CHECK(body["properties"]["version"].GetInt() == 1);

    const auto read = w.send("GET", item);
    REQUIRE(read.status == 200);
    CHECK(header_or_empty(read, "ETag") == "\"1\"");
    CHECK(json(read)["properties"]["name"] == "Repair-Café Johannstadt");

    const std::string rename = R"({"properties":{"name":"Repair-Café am Fetscherplatz"}})";
    const Headers patch_type{{"content-type", "application/merge-patch+json"}};
    auto with_match = [&](const std::string& etag) {
        Headers h = patch_type;
        h["if-match"] = etag;
        return h;
    };
    const auto no_match = w.as(w.anna, "PATCH", item, rename, patch_type);
    CHECK(no_match.status == 428);
    CHECK(w.as(w.anna, "PATCH", item, rename, with_match("\"7\"")).status == 412);
    CHECK(w.as(w.anna, "PATCH", item, rename, with_match("kein-etag")).status == 412);
    CHECK(w.as(w.anna, "PUT", item, feature("Ohne If-Match")).status == 428);
    CHECK(w.as(w.anna, "DELETE", item).status == 428);

    SECTION("two editors save the same version: the first wins, the second is told") {
        const auto first = w.as(w.anna, "PATCH", item, R"({"properties":{"name":"Annas Name"}})", with_match("\"1\""));
        REQUIRE(first.status == 200);
        CHECK(header_or_empty(first, "ETag") == "\"2\"");
        const auto second = w.as(w.bert, "PATCH", item, R"({"properties":{"name":"Berts Name"}})", with_match("\"1\""));
        CHECK(second.status == 412);
        CHECK(header_or_empty(second, "ETag") == "\"2\"");
        const auto now = w.send("GET", item);
        CHECK(json(now)["properties"]["name"] == "Annas Name");
        CHECK(header_or_empty(now, "ETag") == "\"2\"");
        // With the weak form of the ETag the list answers use, too.
        CHECK(w.as(w.bert, "PATCH", item, R"({"properties":{"name":"Berts Name"}})", with_match("W/\"2\"")).status == 200);
    }
    SECTION("merge patch: null removes a value, what is not named stays") {
        const auto r = w.as(w.anna, "PATCH", item, R"({"properties":{"free":null,"tags":["reparieren"]}})", with_match("\"1\""));
        REQUIRE(r.status == 200);
        const auto now = json(w.send("GET", item));
        CHECK(now["properties"]["free"].IsNull());
        CHECK(now["properties"]["tags"].Size() == 1);
        CHECK(now["properties"]["description"] == "Jeden 2. Samstag");
        CHECK(now["properties"]["opening_hours"] == "Sa[2] 10:00-14:00");
        CHECK(now["properties"]["name"] == "Repair-Café Johannstadt");
    }
    SECTION("PUT replaces: what is not sent is gone") {
        Headers h{{"if-match", "\"1\""}};
        const auto r = w.as(w.anna, "PUT", item, feature("Repair-Café Neu", 13.7605, 51.0502), h);
        REQUIRE(r.status == 200);
        CHECK(header_or_empty(r, "ETag") == "\"2\"");
        const auto now = json(w.send("GET", item));
        CHECK(now["properties"]["name"] == "Repair-Café Neu");
        CHECK(now["properties"]["description"] == "");
        CHECK(now["properties"]["free"].IsNull());
        CHECK(now["geometry"]["coordinates"][0].GetDouble() == Approx(13.7605));
        CHECK(w.as(w.anna, "PUT", std::string(items) + "/00000000-0000-4000-8000-000000000000",
                   feature("Niemand"), h).status == 404);
    }
    SECTION("DELETE archives: 204, then 404, the history stays") {
        CHECK(w.as(w.anna, "DELETE", item, "", {{"if-match", "\"1\""}}).status == 204);
        CHECK(w.send("GET", item).status == 404);
        CHECK(w.as(w.anna, "DELETE", item, "", {{"if-match", "\"2\""}}).status == 204);  // already archived
        const auto history = w.as(w.anna, "GET", item + "/history");
        REQUIRE(history.status == 200);
        CHECK(json(history)["status"] == "archived");
        CHECK(json(history)["revisions"].Size() == 2);
    }
}

TEST_CASE("OPTIONS on an item lists the write methods", "[http][write]") {
    auto& w = WriteApi::shared();
    const auto r = w.send("OPTIONS", std::string(items) + "/any-id");
    CHECK(r.status == 204);
    const std::string allow = header_or_empty(r, "Allow");
    for (const char* m : {"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        INFO(m);
        CHECK(allow.find(m) != std::string::npos);
    }
    CHECK(allow.find("POST") == std::string::npos);
    CHECK(header_or_empty(w.send("OPTIONS", items), "Allow").find("POST") != std::string::npos);
    CHECK(header_or_empty(r, "Access-Control-Allow-Headers").find("If-Match") != std::string::npos);
    CHECK(header_or_empty(r, "Access-Control-Allow-Headers").find("Authorization") != std::string::npos);
}

TEST_CASE("bad bodies are refused with the field at fault", "[http][write][bad-input]") {
    auto& w = WriteApi::shared();
    const auto count = [&] { return w.engine.store().places(std::nullopt).size(); };
    const auto before = count();

    const auto huge = w.as(w.anna, "POST", items, feature(std::string(1024 * 1024 + 1, 'a')));
    CHECK(huge.status == 413);

    const auto malformed = w.as(w.anna, "POST", items, R"({"type":"Feature","geometry":)");
    CHECK(malformed.status == 400);
    CHECK(first_error_field(malformed) == "body");
    CHECK(w.as(w.anna, "POST", items, "[1,2,3]").status == 400);
    CHECK(w.as(w.anna, "POST", items, std::string("{\"type\":\"Feature\",\"x\":\"\xff\"}")).status == 400);

    const auto line = w.as(w.anna, "POST", items,
                           R"({"type":"Feature","geometry":{"type":"LineString","coordinates":[[13.7,51.0],[13.8,51.1]]},)"
                           R"("properties":{"name":"Linie","category":"kultur"}})");
    CHECK(line.status == 400);
    CHECK(first_error_field(line) == "geometry.type");

    const auto strings = w.as(w.anna, "POST", items,
                              R"({"type":"Feature","geometry":{"type":"Point","coordinates":["13.76","51.05"]},)"
                              R"("properties":{"name":"Text","category":"kultur"}})");
    CHECK(strings.status == 400);
    CHECK(first_error_field(strings) == "geometry.coordinates");

    const auto unknown = w.as(w.anna, "POST", items, feature("Unbekannt", 13.76, 51.05, R"("colour":"red")"));
    CHECK(unknown.status == 400);
    CHECK(first_error_field(unknown) == "properties.colour");

    const auto script = w.as(w.anna, "POST", items, feature("Skript", 13.76, 51.05, R"~("website":"javascript:alert(1)")~"));
    CHECK(script.status == 400);
    CHECK(first_error_field(script) == "website");

    const auto outside = w.as(w.anna, "POST", items, feature("Berlin", 13.40, 52.52));
    CHECK(outside.status == 400);
    CHECK(first_error_field(outside) == "geometry");

    const auto plain = w.send("POST", items, feature("Text"), {{"authorization", "Bearer " + w.anna}, {"content-type", "text/plain"}});
    CHECK(plain.status == 415);
    const auto none = w.send("POST", items, feature("Ohne Typ"), {{"authorization", "Bearer " + w.anna}});
    CHECK(none.status == 415);

    CHECK(count() == before);  // nothing was written
}

TEST_CASE("SQL and HTML in text fields are stored and returned verbatim", "[http][write][bad-input]") {
    auto& w = WriteApi::shared();
    const std::string sql = "'; DROP TABLE places; --";
    const std::string body =
        R"({"type":"Feature","geometry":{"type":"Point","coordinates":[13.76,51.05]},"properties":{)"
        R"("name":"'; DROP TABLE places; --","description":"Robert'); DROP TABLE revisions;--",)"
        R"("category":"kultur","tags":["'; DROP TABLE places; --","x' OR '1'='1"],)"
        R"("address":{"street":"'; DROP TABLE places; --","postcode":"01307","city":"\" OR \"\"=\""},)"
        R"("website":"https://example.org/?q=';DROP%20TABLE%20places;--","email":"o'reilly--@example.org",)"
        R"("opening_hours":"Mo 10:00-12:00 \"'; DROP TABLE places; --\"",)"
        R"("source":"'; DROP TABLE places; --","license":"1' OR '1'='1"}})";
    const auto created = w.as(w.anna, "POST", items, body);
    REQUIRE(created.status == 201);
    const auto read = w.send("GET", location_path(created));
    REQUIRE(read.status == 200);
    const auto d = json(read);
    const auto& p = d["properties"];
    CHECK(p["name"] == sql.c_str());
    CHECK(p["description"] == "Robert'); DROP TABLE revisions;--");
    CHECK(p["tags"][0] == sql.c_str());
    CHECK(p["tags"][1] == "x' OR '1'='1");
    CHECK(p["address"]["street"] == sql.c_str());
    CHECK(p["address"]["city"] == "\" OR \"\"=\"");
    CHECK(p["website"] == "https://example.org/?q=';DROP%20TABLE%20places;--");
    CHECK(p["email"] == "o'reilly--@example.org");
    CHECK(p["opening_hours"] == "Mo 10:00-12:00 \"'; DROP TABLE places; --\"");
    CHECK(p["source"] == sql.c_str());
    CHECK(p["license"] == "1' OR '1'='1");
    CHECK(json(w.send("GET", std::string(items) + "?limit=1"))["numberMatched"].GetInt() > 200);  // the table is there

    const std::string img = "<img src=x onerror=alert(1)>";
    const auto html = w.as(w.anna, "POST", items, feature(img));
    REQUIRE(html.status == 201);
    const auto back = w.send("GET", location_path(html));
    REQUIRE(back.status == 200);
    CHECK(back.content_type == "application/geo+json");
    CHECK(json(back)["properties"]["name"] == img.c_str());
}

TEST_CASE("a write is in the very next answer of every read route", "[http][write][freshness]") {
    auto& w = WriteApi::shared();
    const double lon = 13.7701;
    const double lat = 51.0467;
    const std::string name = "Zauberwerkstatt Quokka";
    const std::string search = std::string(items) + "?q=quokka";
    const std::string lookup = "/api/lookup?lon=13.7701&lat=51.0467";
    const auto [x, y] = tile_of(lon, lat, 14);
    const std::string tile = "/tiles/14/" + std::to_string(x) + "/" + std::to_string(y) + ".mvt";

    const auto list_before = w.send("GET", items);
    const auto search_before = w.send("GET", search);
    CHECK(json(search_before)["numberMatched"].GetInt() == 0);
    const auto lookup_before = w.send("GET", lookup);
    REQUIRE(lookup_before.status == 200);
    CHECK(json(lookup_before)["stadtraum"]["nr"].GetInt() == 2);
    const auto stats_before = json(w.send("GET", "/api/stadtraeume/stats"));
    const auto tile_before = w.send("GET", tile);
    CHECK(tile_before.body.find(name) == std::string::npos);

    const auto created = w.as(w.anna, "POST", items, feature(name, lon, lat));
    REQUIRE(created.status == 201);

    const auto list_after = w.send("GET", items);
    CHECK(header_or_empty(list_after, "ETag") != header_or_empty(list_before, "ETag"));
    CHECK(json(list_after)["numberMatched"].GetInt() == json(list_before)["numberMatched"].GetInt() + 1);
    // A client revalidating with the old ETag gets the new answer.
    CHECK(w.send("GET", items, {}, {{"if-none-match", header_or_empty(list_before, "ETag")}}).status == 200);
    const auto search_after = json(w.send("GET", search));
    CHECK(search_after["numberMatched"].GetInt() == 1);
    CHECK(search_after["features"][0]["properties"]["name"] == name.c_str());
    const auto lookup_after = w.send("GET", lookup);
    CHECK(header_or_empty(lookup_after, "ETag") != header_or_empty(lookup_before, "ETag"));
    const auto stats_after = json(w.send("GET", "/api/stadtraeume/stats"));
    CHECK(stats_after["total"]["places"].GetInt() == stats_before["total"]["places"].GetInt() + 1);
    CHECK(stats_after["stadtraeume"][1]["nr"].GetInt() == 2);
    CHECK(stats_after["stadtraeume"][1]["places"].GetInt() == stats_before["stadtraeume"][1]["places"].GetInt() + 1);
    const auto tile_after = w.send("GET", tile);
    REQUIRE(tile_after.status == 200);
    CHECK(tile_after.body.find(name) != std::string::npos);

    // And archiving takes it out of all of them again.
    REQUIRE(w.as(w.anna, "DELETE", location_path(created), "", {{"if-match", "\"1\""}}).status == 204);
    CHECK(json(w.send("GET", search))["numberMatched"].GetInt() == 0);
    CHECK(w.send("GET", tile).body.find(name) == std::string::npos);
    CHECK(json(w.send("GET", "/api/stadtraeume/stats"))["total"]["places"] == stats_before["total"]["places"]);
}

TEST_CASE("history lists each revision with its changes, and restore brings a version back", "[http][write][history]") {
    auto& w = WriteApi::shared();
    const auto created = w.as(w.anna, "POST", items, feature("Erster Name", 13.76, 51.05, R"("phone":"0351 1")"));
    REQUIRE(created.status == 201);
    const std::string item = location_path(created);
    REQUIRE(w.as(w.bert, "PATCH", item, R"({"properties":{"name":"Zweiter Name","phone":null}})",
                 {{"content-type", "application/merge-patch+json"}, {"if-match", "\"1\""}}).status == 200);

    const auto history = w.as(w.anna, "GET", item + "/history");
    REQUIRE(history.status == 200);
    const auto h = json(history);
    CHECK(h["current_version"].GetInt() == 2);
    REQUIRE(h["revisions"].Size() == 2);
    const auto& create_rev = h["revisions"][0];
    CHECK(create_rev["action"] == "create");
    CHECK(create_rev["author"] == "anna");
    CHECK(create_rev["version"].GetInt() == 1);
    const auto& update = h["revisions"][1];
    CHECK(update["action"] == "update");
    CHECK(update["author"] == "bert");
    CHECK(update["previous_version"].GetInt() == 1);
    std::map<std::string, std::pair<std::string, std::string>> changes;
    for (const auto& c : update["changes"].GetArray()) {
        changes[c["field"].GetString()] = {c["old"].IsString() ? c["old"].GetString() : "",
                                           c["new"].IsString() ? c["new"].GetString() : ""};
    }
    REQUIRE(changes.count("name") == 1);
    CHECK(changes["name"] == std::make_pair(std::string("Erster Name"), std::string("Zweiter Name")));
    REQUIRE(changes.count("phone") == 1);
    CHECK(changes["phone"].first == "0351 1");
    CHECK(changes.count("category") == 0);  // unchanged fields are not listed
    CHECK(changes.count("geometry") == 0);
    CHECK(w.as(w.anna, "GET", std::string(items) + "/00000000-0000-4000-8000-000000000000/history").status == 404);

    const Headers restore_headers{{"content-type", "application/json"}, {"if-match", "\"2\""}};
    CHECK(w.as(w.anna, "POST", item + "/restore", R"({"version":1})",
               {{"content-type", "application/json"}, {"if-match", "\"1\""}}).status == 412);
    CHECK(w.as(w.anna, "POST", item + "/restore", R"({"version":"eins"})", restore_headers).status == 400);
    CHECK(w.as(w.anna, "POST", item + "/restore", R"({"version":9})", restore_headers).status == 404);
    const auto restored = w.send("POST", item + "/restore", R"({"version":1})",
                                 {{"authorization", "Bearer " + w.anna}, {"content-type", "application/json"},
                                  {"if-match", "\"2\""}});
    REQUIRE(restored.status == 200);
    CHECK(header_or_empty(restored, "ETag") == "\"3\"");
    const auto now = json(w.send("GET", item));
    CHECK(now["properties"]["name"] == "Erster Name");
    CHECK(now["properties"]["phone"] == "0351 1");
    const auto after = json(w.as(w.anna, "GET", item + "/history"));
    REQUIRE(after["revisions"].Size() == 3);
    CHECK(after["revisions"][2]["action"] == "restore");
    CHECK(after["revisions"][2]["note"] == "restored version 1");
}

TEST_CASE("citizens suggest places; editors decide", "[http][write][suggestions]") {
    auto& w = WriteApi::shared();
    const Headers json_type{{"content-type", "application/json"}};
    const std::string garden =
        R"({"name":"Gemeinschaftsgarten Pieschen","category":"garten","description":"Samstags offen",)"
        R"("website":"https://garten.example.org","contact_email":"nachbarin@example.org",)"
        R"("location":{"type":"Point","coordinates":[13.7400,51.0780]}})";
    const auto queue_size = [&] {
        const auto r = w.as(w.anna, "GET", "/api/suggestions?status=all");
        REQUIRE(r.status == 200);
        return json(r)["numberMatched"].GetInt();
    };
    const int queued = queue_size();
    CHECK(queued >= 191);  // the candidate places are in the queue

    // Every run of this test case (one per section) suggests once, from an address of its own.
    static int run = 0;
    const std::string citizen = "2001:db8::" + std::to_string(++run);
    const auto posted = w.send("POST", "/api/suggestions", garden, json_type, citizen);
    REQUIRE(posted.status == 201);
    const auto p = json(posted);
    CHECK(p["status"] == "pending");
    const std::string status_url = p["status_url"].GetString();
    const std::string status_path = status_url.substr(status_url.find("/api/"));
    const std::string sid = p["id"].GetString();
    CHECK(status_path == "/api/suggestions/" + sid);
    CHECK(queue_size() == queued + 1);

    const auto public_status = w.send("GET", status_path);
    REQUIRE(public_status.status == 200);
    CHECK(public_status.body.find("nachbarin@example.org") == std::string::npos);
    CHECK_FALSE(json(public_status).HasMember("contact_email"));
    CHECK(json(public_status)["status"] == "pending");
    const auto editor_status = w.as(w.anna, "GET", status_path);
    REQUIRE(editor_status.status == 200);
    CHECK(json(editor_status)["contact_email"] == "nachbarin@example.org");

    SECTION("the honeypot: a robot gets 201, nothing is stored") {
        std::string robot = garden;
        robot.insert(1, R"("nickname":"bot",)");
        const auto r = w.send("POST", "/api/suggestions", robot, json_type, "203.0.113.2");
        CHECK(r.status == 201);
        CHECK(queue_size() == queued + 1);
        const std::string url = json(r)["status_url"].GetString();
        CHECK(w.send("GET", url.substr(url.find("/api/"))).status == 404);
    }
    SECTION("a suggestion needs a location inside the city") {
        const auto missing = w.send("POST", "/api/suggestions", R"({"name":"Irgendwo","category":"garten"})", json_type,
                                    "203.0.113.3");
        CHECK(missing.status == 400);
        CHECK(first_error_field(missing) == "location");
        const auto berlin = w.send("POST", "/api/suggestions",
                                   R"({"name":"Berlin","category":"garten","location":{"type":"Point","coordinates":[13.4,52.52]}})",
                                   json_type, "203.0.113.3");
        CHECK(berlin.status == 400);
        CHECK(first_error_field(berlin) == "location");
        CHECK(w.send("POST", "/api/suggestions", R"({"name":"X","category":"garten","location":[13.74,51.07]})",
                     json_type, "203.0.113.3").status == 400);
        CHECK(w.send("POST", "/api/suggestions", garden, {{"content-type", "text/plain"}}, "203.0.113.3").status == 415);
        CHECK(queue_size() == queued + 1);
    }
    SECTION("too many from one address: 429 with Retry-After") {
        int created = 0;
        http::Response last;
        for (int i = 0; i < 10; ++i) {
            last = w.send("POST", "/api/suggestions", garden, json_type, "203.0.113.50");
            if (last.status != 201) break;
            ++created;
        }
        CHECK(created == 5);
        CHECK(last.status == 429);
        CHECK(std::stoi(header_or_empty(last, "Retry-After")) > 0);
        CHECK(w.send("POST", "/api/suggestions", garden, json_type, "203.0.113.51").status == 201);
    }
    SECTION("the queue is for editors") {
        CHECK(w.send("GET", "/api/suggestions").status == 401);
        CHECK(w.as(w.paula, "GET", "/api/suggestions").status == 403);
        const auto q = json(w.as(w.anna, "GET", "/api/suggestions"));
        bool found = false;
        std::string previous;
        for (const auto& e : q["items"].GetArray()) {
            const std::string created_at = e["created_at"].GetString();
            CHECK(previous <= created_at);  // oldest first
            previous = created_at;
            if (e["id"] == sid.c_str()) found = true;
        }
        CHECK(found);
        CHECK(w.as(w.paula, "POST", "/api/suggestions/" + sid + "/accept").status == 403);
    }
    SECTION("accept publishes the place; deciding twice is a conflict") {
        const auto accepted = w.as(w.anna, "POST", "/api/suggestions/" + sid + "/accept");
        REQUIRE(accepted.status == 201);
        const std::string place_path = location_path(accepted);
        const auto place = w.send("GET", place_path);
        REQUIRE(place.status == 200);
        CHECK(json(place)["properties"]["name"] == "Gemeinschaftsgarten Pieschen");
        const auto s = json(w.send("GET", status_path));
        CHECK(s["status"] == "accepted");
        CHECK(std::string(s["place"].GetString()).find(json(place)["id"].GetString()) != std::string::npos);
        CHECK(json(w.as(w.anna, "GET", status_path))["contact_email"] == "");
        CHECK(w.as(w.anna, "POST", "/api/suggestions/" + sid + "/accept").status == 409);
        CHECK(w.as(w.anna, "POST", "/api/suggestions/" + sid + "/reject", R"({"reason":"doch nicht"})", json_type).status == 409);
    }
    SECTION("accept with the editor's completion as a merge patch") {
        const auto accepted = w.as(w.anna, "POST", "/api/suggestions/" + sid + "/accept",
                                   R"({"properties":{"name":"Gemeinschaftsgarten Pieschen e.V.","opening_hours":"Sa 10:00-14:00"}})",
                                   {{"content-type", "application/merge-patch+json"}});
        REQUIRE(accepted.status == 201);
        const auto place = json(w.send("GET", location_path(accepted)));
        CHECK(place["properties"]["name"] == "Gemeinschaftsgarten Pieschen e.V.");
        CHECK(place["properties"]["opening_hours"] == "Sa 10:00-14:00");
    }
    SECTION("reject needs a reason, which the public status shows") {
        CHECK(w.as(w.anna, "POST", "/api/suggestions/" + sid + "/reject", R"({})", json_type).status == 400);
        CHECK(w.as(w.anna, "POST", "/api/suggestions/" + sid + "/reject", R"({"reason":"  "})", json_type).status == 400);
        const auto rejected = w.as(w.anna, "POST", "/api/suggestions/" + sid + "/reject",
                                   R"({"reason":"Gibt es schon als Eintrag."})", json_type);
        REQUIRE(rejected.status == 200);
        CHECK(json(rejected)["status"] == "rejected");
        const auto s = json(w.send("GET", status_path));
        CHECK(s["status"] == "rejected");
        CHECK(s["reason"] == "Gibt es schon als Eintrag.");
        CHECK(json(w.as(w.anna, "GET", status_path))["contact_email"] == "");
    }
    SECTION("a candidate place from the queue is published or archived") {
        const auto q = json(w.as(w.anna, "GET", "/api/suggestions"));
        std::string first;
        std::string second;
        for (const auto& e : q["items"].GetArray()) {
            if (e["kind"] != "candidate") continue;
            (first.empty() ? first : second) = e["id"].GetString();
            if (!second.empty()) break;
        }
        REQUIRE_FALSE(second.empty());
        const std::string first_path = std::string(items) + "/" + first;
        CHECK(w.send("GET", first_path).status == 404);  // not on the map yet
        REQUIRE(w.as(w.anna, "POST", "/api/suggestions/" + first + "/accept").status == 201);
        CHECK(w.send("GET", first_path).status == 200);
        REQUIRE(w.as(w.anna, "POST", "/api/suggestions/" + second + "/reject", R"({"reason":"geschlossen"})", json_type).status == 200);
        CHECK(w.send("GET", std::string(items) + "/" + second).status == 404);
        CHECK(json(w.as(w.anna, "GET", std::string(items) + "/" + second + "/history"))["status"] == "archived");
    }
}

TEST_CASE("geo-target exports answer planners with the platform's file and refuse bad requests", "[write][targets]") {
    auto& w = WriteApi::shared();
    const std::string meta = "/api/targets?stadtraum=11&platform=meta";
    SECTION("a token of a planner or an editor is needed") {
        const auto anonymous = w.send("GET", meta);
        CHECK(anonymous.status == 401);
        REQUIRE(anonymous.header("WWW-Authenticate") != nullptr);
        CHECK(w.as(w.paula, "GET", meta).status == 200);
        CHECK(w.as(w.anna, "GET", meta).status == 200);
        CHECK(w.send("GET", "/api/targets/platforms").status == 200);  // the limits are public
    }
    SECTION("the file is the platform's, with a download name and no caching") {
        const auto r = w.as(w.paula, "GET", "/api/targets?stadtraum=2,11,16&platform=google");
        REQUIRE(r.status == 200);
        CHECK(r.content_type.rfind("text/csv", 0) == 0);
        REQUIRE(r.header("Content-Disposition") != nullptr);
        CHECK(r.header("Content-Disposition")->find("lernorte-google-stadtraum-2-11-16.csv") != std::string::npos);
        REQUIRE(r.header("Cache-Control") != nullptr);
        CHECK(*r.header("Cache-Control") == "no-store");
        CHECK(r.body.rfind("Campaign,Latitude,Longitude,Radius,Unit", 0) == 0);
        const auto m = json(w.as(w.paula, "GET", meta));
        REQUIRE(m.HasMember("report"));
        for (const char* key : {"circles", "coverage", "spill", "residents_inside"}) CHECK(m["report"].HasMember(key));
        const auto& loc = m["ad_sets"][0]["targeting"]["geo_locations"]["custom_locations"][0];
        CHECK(loc["distance_unit"] == "kilometer");
        CHECK(loc["radius"].GetDouble() >= 1.0);
    }
    SECTION("the preview has the figures, the warnings, the landing link and the areas to draw") {
        const auto r = w.as(w.paula, "GET", "/api/targets/preview?stadtraum=16&platform=snapchat&radius=300&target=90");
        REQUIRE(r.status == 200);
        const auto p = json(r);
        CHECK(p["platform"] == "snapchat");
        CHECK(p["report"]["circles"].GetInt() > 1);
        CHECK(p["report"]["coverage"].GetDouble() >= 90.0);
        CHECK(std::string(p["landing_link"].GetString()).find("stadtraum=16") != std::string::npos);
        CHECK(std::string(p["landing_link"].GetString()).find("utm_source=") != std::string::npos);
        CHECK(p["features"]["type"] == "FeatureCollection");
        CHECK(p["features"]["features"].Size() == p["report"]["circles"].GetUint() + 1);  // the Stadtraum and the circles
    }
    SECTION("bad requests are problems naming the parameter") {
        const std::pair<const char*, const char*> cases[] = {
            {"/api/targets?platform=meta", "stadtraum"},
            {"/api/targets?stadtraum=18&platform=meta", "stadtraum"},
            {"/api/targets?stadtraum=eleven&platform=meta", "stadtraum"},
            {"/api/targets?stadtraum=11", "platform"},
            {"/api/targets?stadtraum=11&platform=myspace", "platform"},
            {"/api/targets?stadtraum=11&platform=meta&radius=500", "radius"},
            {"/api/targets?stadtraum=11&platform=meta&radius=90000", "radius"},
            {"/api/targets?stadtraum=11&platform=snapchat&radius=50", "radius"},
            {"/api/targets?stadtraum=11&platform=meta&target=0", "target"},
            {"/api/targets?stadtraum=11&platform=meta&target=101", "target"},
            {"/api/targets?stadtraum=11&platform=meta&mode=postcodes&threshold=0", "threshold"},
            {"/api/targets?stadtraum=11&platform=tiktok&mode=circles", "mode"},
            {"/api/targets?stadtraum=11&platform=google&exclude_neighbours=true", "exclude_neighbours"},
            {"/api/targets?stadtraum=11&platform=meta&share=both", "share"},
            {"/api/targets?stadtraum=11&platform=meta&colour=red", "colour"},
        };
        for (const auto& [target, field] : cases) {
            INFO(target);
            const auto r = w.as(w.paula, "GET", target);
            CHECK(r.status == 400);
            CHECK(r.content_type == "application/problem+json");
            const auto p = json(r);
            REQUIRE(p.HasMember("detail"));
            if (std::string(field) != "colour") {
                REQUIRE(p.HasMember("errors"));
                CHECK(p["errors"][0]["field"] == field);
            }
        }
        CHECK(w.as(w.paula, "POST", meta).status == 405);
    }
}
