// Bad input on every query path: a clear 4xx problem, and nothing changes.
#include <string>

#include <catch2/catch.hpp>

#include "dresden_api.hpp"

using namespace lernorte;
using test::call;
using test::get;
using test::json;

namespace {

/// Asserts a problem+json answer with the status, and a detail that names `mentions`.
void expect_problem(const std::string& target, int status, const std::string& mentions) {
    INFO(target);
    const auto version = test::DresdenApi::shared().engine.catalogue()->version();
    const auto r = call(target);
    CHECK(r.status == status);
    CHECK(r.content_type == "application/problem+json");
    const auto d = json(r);
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["status"].GetInt() == status);
    CHECK(d["title"].GetStringLength() > 0);
    CHECK_THAT(d["detail"].GetString(), Catch::Contains(mentions));
    CHECK(test::DresdenApi::shared().engine.catalogue()->version() == version);
    CHECK(test::DresdenApi::shared().engine.catalogue()->size() == 200);
}

const std::string items = "/api/collections/places/items";

}  // namespace

TEST_CASE("bad bbox values", "[http][bad-input]") {
    expect_problem(items + "?bbox=13.7,51.0,13.8", 400, "4 numbers");
    expect_problem(items + "?bbox=13.7,NaN,13.8,51.1", 400, "finite number");
    expect_problem(items + "?bbox=13.8,51.0,13.7,51.1", 400, "greater than");
    expect_problem(items + "?bbox=13.7,51.0,13.8,91", 400, "-90..90");
    expect_problem(items + "?bbox=13.7,-95,13.8,51", 400, "-90..90");
    expect_problem(items + "?bbox=a,b,c,d", 400, "finite number");
    expect_problem("/api/collections/stadtraeume/items?bbox=1,2,3", 400, "4 numbers");
    const auto d = json(call(items + "?bbox=13.7,NaN,13.8,51.1"));
    CHECK(d["errors"][0]["field"] == "bbox");
}

TEST_CASE("bad limit and offset values", "[http][bad-input]") {
    expect_problem(items + "?limit=-1", 400, "limit");
    expect_problem(items + "?limit=abc", 400, "limit");
    expect_problem(items + "?limit=1e99", 400, "limit");
    expect_problem(items + "?limit=0", 400, "limit");
    expect_problem(items + "?offset=-5", 400, "offset");
    CHECK(call(items + "?limit=99999999").status == 200);  // clamped, never an error
}

TEST_CASE("unknown parameters, collections and ids", "[http][bad-input]") {
    expect_problem(items + "?colour=red", 400, "unknown query parameter 'colour'");
    expect_problem("/api/collections/stadtraeume/items?category=schule", 400, "unknown query parameter 'category'");
    expect_problem("/api/lookup?lon=13.7&lat=51&x=1", 400, "unknown query parameter 'x'");
    expect_problem("/api/collections/rivers/items", 404, "no collection 'rivers'");
    expect_problem("/api/collections/rivers", 404, "no collection");
    expect_problem(items + "/does-not-exist", 404, "no published place");
    expect_problem("/api/nothing-here", 404, "no such resource");
    expect_problem(items + "?category=zirkus", 400, "'zirkus' is not one of");
    expect_problem(items + "?stadtraum=18", 400, "stadtraum");
    expect_problem(items + "?language=xx", 400, "language");
    expect_problem(items + "?free=maybe", 400, "free");
    expect_problem(items + "?orte100=101", 400, "orte100");
    expect_problem(items + "?abc=AB", 400, "abc");
    expect_problem(items + "?f=xml", 400, "f");
}

TEST_CASE("full-text queries with FTS syntax and SQL stay text", "[http][bad-input]") {
    for (const char* q : {"%22", "*", "NEAR(", "%27%3B%20DROP%20TABLE%20places%3B%20--", "bibl*%20OR%20x", "%22a%22%20AND%20"}) {
        INFO(q);
        const auto r = call(items + "?q=" + q);
        CHECK((r.status == 200 || r.status == 400));
        if (r.status == 400) CHECK(r.content_type == "application/problem+json");
        if (r.status == 200) CHECK(json(r)["type"] == "FeatureCollection");
    }
    expect_problem(items + "?q=%22", 400, "no word");
    CHECK(test::DresdenApi::shared().engine.store().places("published").size() == 200);
}

TEST_CASE("an overlong query string is 414", "[http][bad-input]") {
    expect_problem(items + "?q=" + std::string(9000, 'a'), 414, "8192");
}

TEST_CASE("invalid UTF-8 and malformed escapes are 400", "[http][bad-input]") {
    expect_problem(items + "?q=%FF%FE", 400, "UTF-8");
    expect_problem(items + "?q=%C0%AF", 400, "UTF-8");
    expect_problem(items + "?q=%E2%82", 400, "UTF-8");
    expect_problem(items + "?q=%G1", 400, "percent-encoding");
    expect_problem(items + "?q=abc%", 400, "percent-encoding");
}

TEST_CASE("near needs a radius, a positive one", "[http][bad-input]") {
    expect_problem(items + "?near=13.74,51.05", 400, "radius");
    expect_problem(items + "?near=13.74,51.05&radius=-5", 400, "radius");
    expect_problem(items + "?near=13.74,51.05&radius=0", 400, "radius");
    expect_problem(items + "?near=13.74&radius=100", 400, "lon,lat");
    expect_problem(items + "?radius=100", 400, "near");
    expect_problem("/api/lookup?lon=13.7", 400, "lat");
    expect_problem("/api/lookup?lon=abc&lat=51", 400, "finite number");
    expect_problem("/api/lookup?lon=13.7&lat=95", 400, "-90..90");
}

TEST_CASE("datetime intervals filter by last change; bad ones are 400", "[http][bad-input]") {
    CHECK(json(call(items + "?datetime=2000-01-01T00:00:00Z/..&limit=1"))["numberMatched"].GetInt() == 200);
    CHECK(json(call(items + "?datetime=../2000-01-01T00:00:00Z"))["numberMatched"].GetInt() == 0);
    CHECK(json(call(items + "?datetime=2000-01-01T%2F.."))["numberMatched"].GetInt() == 200);  // GDAL's date-only form
    expect_problem(items + "?datetime=yesterday", 400, "RFC 3339");
}

TEST_CASE("methods other than GET, HEAD and OPTIONS are 405", "[http][bad-input]") {
    http::Request r = get(items);
    r.method = "DELETE";
    const auto res = test::DresdenApi::shared().api.handle(r);
    CHECK(res.status == 405);
    CHECK(res.content_type == "application/problem+json");
    REQUIRE(res.header("Allow") != nullptr);
}
