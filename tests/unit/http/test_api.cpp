// The API on the real Dresden data, called through Api::handle (no sockets).
#include <set>
#include <string>

#include <zlib.h>

#include <catch2/catch.hpp>

#include "dresden_api.hpp"
#include "lernorte/v1/collection.pb.h"
#include "lernorte/v1/stadtraum.pb.h"
#include "lernorte/v1/stats.pb.h"

using namespace lernorte;
using test::call;
using test::get;
using test::json;

namespace {

bool has_link(const rapidjson::Value& links, const std::string& rel, const std::string& href_part = "") {
    for (const auto& l : links.GetArray()) {
        if (l["rel"].GetString() == rel && std::string(l["href"].GetString()).find(href_part) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string gunzip(const std::string& in) {
    z_stream zs{};
    REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
    std::string out(in.size() * 20 + 1024, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    REQUIRE(rc == Z_STREAM_END);
    out.resize(zs.total_out);
    return out;
}

constexpr const char* zentralbibliothek = "13.738381,51.050931";

}  // namespace

TEST_CASE("the landing page links the API definition, data, licences and sources", "[http][ogc]") {
    const auto r = call("/api");
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "application/json");
    const auto d = json(r);
    const auto& links = d["links"];
    CHECK(has_link(links, "service-desc", "http://127.0.0.1:8080/api/openapi"));
    CHECK(has_link(links, "conformance"));
    CHECK(has_link(links, "data", "/api/collections"));
    CHECK(has_link(links, "license", "dl-de/by-2-0"));
    CHECK(has_link(links, "describedby", "/api/sources"));
    REQUIRE(r.header("Link") != nullptr);
    CHECK_THAT(*r.header("Link"), Catch::Contains("rel=\"service-desc\""));
}

TEST_CASE("conformance declares Features Part 1 core, GeoJSON, OpenAPI and Part 3 queryables", "[http][ogc]") {
    const auto d = json(call("/api/conformance"));
    std::set<std::string> classes;
    for (const auto& c : d["conformsTo"].GetArray()) classes.insert(c.GetString());
    CHECK(classes.count("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core") == 1);
    CHECK(classes.count("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson") == 1);
    CHECK(classes.count("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30") == 1);
    CHECK(classes.count("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables") == 1);
}

TEST_CASE("collections have extents around Dresden", "[http][ogc]") {
    const auto d = json(call("/api/collections"));
    REQUIRE(d["collections"].Size() == 2);
    for (const auto& c : d["collections"].GetArray()) {
        const auto& bbox = c["extent"]["spatial"]["bbox"][0];
        CHECK(bbox[0].GetDouble() > 13.5);
        CHECK(bbox[1].GetDouble() > 50.9);
        CHECK(bbox[2].GetDouble() < 14.0);
        CHECK(bbox[3].GetDouble() < 51.2);
        CHECK(has_link(c["links"], "items"));
    }
    CHECK(json(call("/api/collections/stadtraeume"))["id"] == "stadtraeume");
}

TEST_CASE("items page through all published places with exact counts", "[http][ogc]") {
    std::set<std::string> ids;
    std::string next = "/api/collections/places/items?limit=70";
    int pages = 0;
    while (!next.empty()) {
        const auto r = call(next);
        REQUIRE(r.status == 200);
        CHECK(r.content_type == "application/geo+json");
        const auto d = json(r);
        CHECK(d["numberMatched"].GetInt() == 200);
        CHECK(d["numberReturned"].GetUint() == d["features"].Size());
        for (const auto& f : d["features"].GetArray()) {
            CHECK(ids.insert(f["id"].GetString()).second);
            CHECK(f["properties"]["status"] == "published");
        }
        next.clear();
        for (const auto& l : d["links"].GetArray()) {
            if (l["rel"] == "next") next = std::string(l["href"].GetString()).substr(std::string("http://127.0.0.1:8080").size());
        }
        ++pages;
    }
    CHECK(pages == 3);
    CHECK(ids.size() == 200);
    CHECK(json(call("/api/collections/places/items"))["numberReturned"].GetInt() == 100);  // default limit
    CHECK(json(call("/api/collections/places/items?limit=100000"))["numberReturned"].GetInt() == 200);  // clamped, not an error
}

TEST_CASE("which libraries are within 1 km, nearest first", "[http][domain]") {
    const auto d = json(call(std::string("/api/collections/places/items?category=bibliothek&near=") + zentralbibliothek +
                             "&radius=1000"));
    REQUIRE(d["numberMatched"].GetInt() >= 2);
    double last = -1;
    for (const auto& f : d["features"].GetArray()) {
        const double dist = f["properties"]["distance_m"].GetDouble();
        CHECK(dist <= 1000.0);
        CHECK(dist >= last);
        last = dist;
        CHECK(f["properties"]["category"] == "bibliothek");
    }
    CHECK(std::string(d["features"][0]["properties"]["name"].GetString()).find("Zentralbibliothek") == 0);
}

TEST_CASE("category and Stadtraum filters, and a bbox", "[http][domain]") {
    const auto schools_11 = json(call("/api/collections/places/items?category=schule&stadtraum=11"));
    REQUIRE(schools_11["numberMatched"].GetInt() > 0);
    for (const auto& f : schools_11["features"].GetArray()) CHECK(f["properties"]["stadtraum"].GetInt() == 11);
    // The language courses of 2016/17 are only candidates: none is public yet.
    const auto sprache_11 = json(call("/api/collections/places/items?category=sprache&stadtraum=11"));
    CHECK(sprache_11["numberMatched"].GetInt() == 0);
    CHECK(sprache_11["type"] == "FeatureCollection");
    const auto both = json(call("/api/collections/places/items?category=schule,bibliothek&stadtraum=2,16&limit=1000"));
    int n = 0;
    for (const auto& f : both["features"].GetArray()) {
        const int s = f["properties"]["stadtraum"].GetInt();
        CHECK((s == 2 || s == 16));
        ++n;
    }
    CHECK(n == both["numberMatched"].GetInt());
    const auto box = json(call("/api/collections/places/items?bbox=13.73,51.04,13.75,51.06&category=bibliothek"));
    for (const auto& f : box["features"].GetArray()) {
        const double x = f["geometry"]["coordinates"][0].GetDouble();
        const double y = f["geometry"]["coordinates"][1].GetDouble();
        CHECK((x >= 13.73 && x <= 13.75 && y >= 51.04 && y <= 51.06));
    }
    CHECK(box["numberMatched"].GetInt() >= 1);
}

TEST_CASE("full-text search finds the Zentralbibliothek and plural forms", "[http][domain]") {
    const auto d = json(call("/api/collections/places/items?q=Zentralbibliothek"));
    REQUIRE(d["numberMatched"].GetInt() >= 1);
    CHECK_THAT(d["features"][0]["properties"]["name"].GetString(), Catch::Contains("Zentralbibliothek"));
    const auto plural = json(call("/api/collections/places/items?q=Bibliotheken&limit=1"));
    CHECK(plural["numberMatched"].GetInt() >= 20);
    const auto umlaut = json(call("/api/collections/places/items?q=gymnasium%20dresden-pl%C3%A4tz"));
    CHECK(umlaut["numberMatched"].GetInt() >= 0);
}

TEST_CASE("one feature by id, and a Stadtraum by number", "[http][ogc]") {
    const auto list = json(call("/api/collections/places/items?limit=1"));
    const std::string id = list["features"][0]["id"].GetString();
    const auto one = call("/api/collections/places/items/" + id);
    REQUIRE(one.status == 200);
    CHECK(json(one)["properties"]["id"] == rapidjson::Value(id.c_str(), rapidjson::SizeType(id.size())));
    const auto area = json(call("/api/collections/stadtraeume/items/11"));
    CHECK(area["properties"]["short_name"] == "Prohlis, Reick");
    CHECK(area["geometry"]["type"] == "MultiPolygon");
    CHECK(call("/api/collections/stadtraeume/items/18").status == 404);
    CHECK(call("/api/collections/places/items/00000000-0000-4000-8000-000000000000").status == 404);
}

TEST_CASE("lookup answers the Stadtraum of a point", "[http][domain]") {
    const auto frauenkirche = json(call("/api/lookup?lon=13.7417&lat=51.0519"));
    CHECK(frauenkirche["stadtraum"]["nr"].GetInt() == 1);
    CHECK(json(call("/api/lookup?lon=13.797815&lat=51.005406"))["stadtraum"]["nr"].GetInt() == 11);  // Bibliothek Prohlis
    CHECK(json(call("/api/lookup?lon=13.669006&lat=51.045083"))["stadtraum"]["nr"].GetInt() == 16);  // Bibliothek Gorbitz
    const auto berlin = call("/api/lookup?lon=13.40&lat=52.52");
    CHECK(berlin.status == 404);
    CHECK(berlin.content_type == "application/problem+json");
}

TEST_CASE("stats give places per Stadtraum and per 10,000 residents", "[http][domain]") {
    const auto d = json(call("/api/stadtraeume/stats"));
    REQUIRE(d["stadtraeume"].Size() == 17);
    CHECK(d["total"]["population"].GetInt() == 571510);
    CHECK(d["total"]["places"].GetInt() == 200);
    int sum = 0;
    for (const auto& s : d["stadtraeume"].GetArray()) {
        sum += s["places"].GetInt();
        CHECK(s["categories"].Size() == 16);
        const double expected = s["places"].GetDouble() * 10000.0 / s["population"].GetDouble();
        CHECK(s["per_10k"].GetDouble() == Approx(expected).margin(0.006));
    }
    CHECK(sum == 200);
}

TEST_CASE("categories in German and English with counts", "[http][domain]") {
    const auto d = json(call("/api/categories"));
    REQUIRE(d["categories"].Size() == 16);
    CHECK(d["categories"][0]["key"] == "bibliothek");
    CHECK(d["categories"][0]["label_de"] == "Bibliothek");
    CHECK(d["categories"][0]["label_en"].GetStringLength() > 0);
    CHECK(d["categories"][0]["places"].GetInt() == 37);
}

TEST_CASE("protobuf answers carry the same content as JSON", "[http][protobuf]") {
    const std::string target = std::string("/api/collections/places/items?category=bibliothek&near=") + zentralbibliothek +
                               "&radius=2000";
    const auto j = json(call(target));
    const auto p = call(target + "&f=pb");
    REQUIRE(p.status == 200);
    CHECK(p.content_type == "application/x-protobuf");
    lernorte::v1::FeatureCollection fc;
    REQUIRE(fc.ParseFromString(p.body));
    CHECK(fc.number_matched() == j["numberMatched"].GetInt());
    REQUIRE(fc.places_size() == static_cast<int>(j["features"].Size()));
    for (int i = 0; i < fc.places_size(); ++i) {
        const auto& f = j["features"][static_cast<rapidjson::SizeType>(i)];
        CHECK(fc.places(i).id() == f["id"].GetString());
        CHECK(fc.places(i).name() == f["properties"]["name"].GetString());
        CHECK(fc.places(i).lon() == f["geometry"]["coordinates"][0].GetDouble());
        CHECK(fc.places(i).distance_m() == f["properties"]["distance_m"].GetDouble());
        CHECK(fc.places(i).stadtraum() == f["properties"]["stadtraum"].GetInt());
    }
    // Accept header works as f=pb does.
    const auto accept = call("/api/stadtraeume/stats", {{"accept", "application/x-protobuf"}});
    lernorte::v1::Stats stats;
    REQUIRE(stats.ParseFromString(accept.body));
    CHECK(stats.stadtraeume_size() == 17);
    CHECK(stats.total().population() == 571510);
    lernorte::v1::Lookup lookup;
    REQUIRE(lookup.ParseFromString(call("/api/lookup?lon=13.7417&lat=51.0519&f=pb").body));
    CHECK(lookup.stadtraum().nr() == 1);
    CHECK(call("/api/conformance?f=pb").status == 406);
}

TEST_CASE("ETag, 304, Cache-Control, gzip and CORS", "[http][habits]") {
    const auto first = call("/api/collections/stadtraeume/items");
    REQUIRE(first.header("ETag") != nullptr);
    CHECK(*first.header("Cache-Control") == "public, no-cache");
    CHECK(*first.header("Access-Control-Allow-Origin") == "*");
    const auto again = call("/api/collections/stadtraeume/items", {{"if-none-match", *first.header("ETag")}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    const auto other = call("/api/collections/stadtraeume/items?limit=2", {{"if-none-match", *first.header("ETag")}});
    CHECK(other.status == 200);
    const auto zipped = call("/api/collections/stadtraeume/items", {{"accept-encoding", "gzip, deflate"}});
    REQUIRE(zipped.header("Content-Encoding") != nullptr);
    const std::string unzipped = gunzip(zipped.body);
    CHECK(unzipped.size() == first.body.size());  // same document; only timeStamp may differ
    rapidjson::Document d;
    d.Parse(unzipped.c_str(), unzipped.size());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["features"].Size() == 17);
    CHECK(zipped.body.size() < first.body.size() / 3);
    http::Request options = get("/api/collections/places/items");
    options.method = "OPTIONS";
    const auto preflight = test::DresdenApi::shared().api.handle(options);
    CHECK(preflight.status == 204);
    CHECK_THAT(*preflight.header("Allow"), Catch::Contains("GET"));
}

TEST_CASE("the OpenAPI document declares every route with the server's address", "[http][ogc]") {
    const auto r = call("/api/openapi");
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "application/vnd.oai.openapi+json;version=3.0");
    const auto d = json(r);
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["servers"][0]["url"] == "http://127.0.0.1:8080/api");
    for (const char* path : {"/conformance", "/collections", "/collections/{collectionId}", "/collections/places/items",
                             "/collections/stadtraeume/items", "/collections/{collectionId}/items/{featureId}",
                             "/collections/{collectionId}/queryables", "/lookup", "/stadtraeume/stats", "/categories",
                             "/tiles", "/tiles/{tileMatrixSetId}", "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
                             "/tiles/{z}/{x}/{y}.mvt", "/tiles.json"}) {
        INFO(path);
        CHECK(d["paths"].HasMember(path));
    }
    std::set<std::string> params;
    for (const auto& p : d["paths"]["/collections/places/items"]["get"]["parameters"].GetArray()) {
        if (p.HasMember("name")) params.insert(p["name"].GetString());
        if (p.HasMember("$ref")) {
            const std::string ref = p["$ref"].GetString();
            params.insert(ref.substr(ref.rfind('/') + 1));
        }
    }
    for (const char* name : {"category", "q", "stadtraum", "near", "radius", "target_group", "language", "free",
                             "wheelchair", "orte100", "abc"}) {
        INFO(name);
        CHECK(params.count(name) == 1);
    }
}

TEST_CASE("queryables list the filterable properties", "[http][ogc]") {
    const auto r = call("/api/collections/places/queryables");
    CHECK(r.content_type == "application/schema+json");
    const auto d = json(r);
    for (const char* name : {"category", "target_group", "language", "free", "wheelchair", "orte100", "abc", "stadtraum"}) {
        INFO(name);
        CHECK(d["properties"].HasMember(name));
    }
    CHECK(d["properties"]["category"]["enum"].Size() == 16);
}

TEST_CASE("operations: health, metrics, frontend, sources", "[http][ops]") {
    CHECK(call("/healthz").status == 200);
    (void)call("/api/categories");
    const auto m = call("/metrics");
    CHECK_THAT(m.body, Catch::Contains("lernorte_catalogue_places 200"));
    CHECK_THAT(m.body, Catch::Contains("lernorte_catalogue_version"));
    CHECK(*m.header("Cache-Control") == "no-store");
    const auto index = call("/");
    CHECK(index.status == 200);
    CHECK(call("/?utm_source=tiktok&utm_campaign=prohlis").status == 200);  // campaign links open the map
    CHECK_THAT(index.content_type, Catch::StartsWith("text/html"));
    const auto sources = call("/api/sources");
    CHECK_THAT(sources.body, Catch::Contains("dl-de/by-2-0"));
    CHECK(call("/../etc/passwd").status == 404);
}
