// A real server on a real port with real clients: GDAL's OAPIF driver, ogr2ogr, curl, protoc.
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <lernorte/http/server.hpp>

#include "dresden_api.hpp"

using namespace lernorte;

namespace {

struct Run {
    int exit_code = -1;
    std::string out;
};

/// Runs a shell command, capturing stdout (stderr goes to the test log).
Run run(const std::string& command) {
    Run r;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 65536> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// The shared Dresden API behind a Pistache server on a free port.
struct LiveServer {
    http::Server server;
    std::string base;

    LiveServer() : server(test::DresdenApi::shared().api, options()) {
        server.start();
        base = "http://127.0.0.1:" + std::to_string(server.port());
    }
    static http::ServerOptions options() {
        http::ServerOptions o;
        o.port = 0;
        o.threads = 2;
        o.access_log = false;
        return o;
    }
    static LiveServer& shared() {
        static LiveServer s;
        return s;
    }
};

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    return d;
}

std::set<std::string> feature_ids(const rapidjson::Document& d, const char* id_property) {
    std::set<std::string> ids;
    for (const auto& f : d["features"].GetArray()) ids.insert(f["properties"][id_property].GetString());
    return ids;
}

const std::string gdal_env = "GDAL_HTTP_TIMEOUT=60 CPL_DEBUG=OFF GDAL_PAGING_ALLOWED=YES ";

}  // namespace

namespace {
std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("the server binds port 0 and answers health", "[integration]") {
    auto& s = LiveServer::shared();
    CHECK(s.server.port() > 0);
    const auto r = run("curl -s -o /dev/null -w '%{http_code}' " + s.base + "/healthz");
    CHECK(r.out == "200");
}

TEST_CASE("ogrinfo lists both collections and counts what numberMatched says", "[integration][gdal]") {
    auto& s = LiveServer::shared();
    const auto list = run(gdal_env + "ogrinfo -ro -q OAPIF:" + s.base + "/api 2>&1");
    REQUIRE(list.exit_code == 0);
    CHECK_THAT(list.out, Catch::Contains("places"));
    CHECK_THAT(list.out, Catch::Contains("stadtraeume"));

    const auto info = run(gdal_env + "ogrinfo -ro -so OAPIF:" + s.base + "/api places 2>&1");
    REQUIRE(info.exit_code == 0);
    const auto api = parse(run("curl -s '" + s.base + "/api/collections/places/items?limit=1'").out);
    CHECK_THAT(info.out, Catch::Contains("Feature Count: " + std::to_string(api["numberMatched"].GetInt())));
    const auto areas = run(gdal_env + "ogrinfo -ro -so OAPIF:" + s.base + "/api stadtraeume 2>&1");
    CHECK_THAT(areas.out, Catch::Contains("Feature Count: 17"));
}

TEST_CASE("ogr2ogr copies all published places to a GeoPackage", "[integration][gdal]") {
    auto& s = LiveServer::shared();
    test::TempDir dir;
    const std::string gpkg = dir.file("places.gpkg");
    const auto copy = run(gdal_env + "ogr2ogr -f GPKG " + gpkg + " OAPIF:" + s.base + "/api places 2>&1");
    INFO(copy.out);
    REQUIRE(copy.exit_code == 0);
    const auto info = run("ogrinfo -ro -so " + gpkg + " places 2>&1");
    CHECK_THAT(info.out, Catch::Contains("Feature Count: 200"));
    CHECK_THAT(info.out, Catch::Contains("Point"));
}

TEST_CASE("a bbox and category filter through GDAL gives the same features as the API", "[integration][gdal]") {
    auto& s = LiveServer::shared();
    const auto gdal = run(gdal_env + "ogr2ogr -f GeoJSON /vsistdout/ OAPIF:" + s.base +
                          "/api places -spat 13.70 51.02 13.80 51.07 -where \"category = 'schule'\" 2>/dev/null");
    REQUIRE(gdal.exit_code == 0);
    const auto from_gdal = parse(gdal.out);
    REQUIRE_FALSE(from_gdal.HasParseError());
    const auto from_api = parse(
        run("curl -s '" + s.base + "/api/collections/places/items?bbox=13.70,51.02,13.80,51.07&category=schule&limit=1000'").out);
    const auto expected = feature_ids(from_api, "id");
    CHECK(expected.size() > 10);
    CHECK(feature_ids(from_gdal, "id") == expected);
}

TEST_CASE("protoc --decode of a protobuf answer matches the JSON answer", "[integration][protobuf]") {
    auto& s = LiveServer::shared();
    const std::string url = s.base + "/api/collections/places/items?category=bibliothek&stadtraum=1,2&limit=5";
    const auto json = parse(run("curl -s '" + url + "'").out);
    const auto decoded = run("curl -s '" + url + "&f=pb' | protoc --decode=lernorte.v1.FeatureCollection -I " +
                             LERNORTE_PROTO_DIR + " " + LERNORTE_PROTO_DIR + "/lernorte/v1/collection.proto");
    REQUIRE(decoded.exit_code == 0);
    CHECK_THAT(decoded.out, Catch::Contains("number_matched: " + std::to_string(json["numberMatched"].GetInt())));
    for (const auto& f : json["features"].GetArray()) {
        CHECK_THAT(decoded.out, Catch::Contains(std::string("id: \"") + f["id"].GetString() + "\""));
        CHECK_THAT(decoded.out, Catch::Contains("stadtraum: " + std::to_string(f["properties"]["stadtraum"].GetInt())));
    }
    const auto stats = run("curl -s -H 'Accept: application/x-protobuf' " + s.base +
                           "/api/stadtraeume/stats | protoc --decode=lernorte.v1.Stats -I " + LERNORTE_PROTO_DIR + " " +
                           LERNORTE_PROTO_DIR + "/lernorte/v1/stats.proto");
    CHECK_THAT(stats.out, Catch::Contains("population: 571510"));
}

TEST_CASE("HTTP habits over the wire: HEAD, gzip, 304, 414, CORS, metrics", "[integration][http]") {
    auto& s = LiveServer::shared();
    const std::string url = s.base + "/api/collections/stadtraeume/items";
    const auto head = run("curl -s -I '" + url + "'");
    CHECK_THAT(head.out, Catch::StartsWith("HTTP/1.1 200"));
    CHECK_THAT(head.out, Catch::Contains("ETag: W/\""));
    CHECK_THAT(head.out, Catch::Contains("Access-Control-Allow-Origin: *"));
    const auto etag_start = head.out.find("ETag: ") + 6;
    const std::string etag = head.out.substr(etag_start, head.out.find('\r', etag_start) - etag_start);
    CHECK(run("curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: " + etag + "' '" + url + "'").out == "304");
    const auto zipped = run("curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' '" + url + "'");
    CHECK_THAT(zipped.out, Catch::Contains("Content-Encoding: gzip"));
    const auto plain = run("curl -s --compressed '" + url + "'");
    CHECK(parse(plain.out)["features"].Size() == 17);
    const std::string long_q(9000, 'x');
    CHECK(run("curl -s -o /dev/null -w '%{http_code}' '" + s.base + "/api/collections/places/items?q=" + long_q + "'").out ==
          "414");
    const auto umlaut = parse(run("curl -s '" + s.base + "/api/collections/places/items?q=Stra%C3%9Fe&limit=1'").out);
    CHECK(umlaut["numberMatched"].GetInt() > 0);
    const auto bad = run("curl -s -D - '" + s.base + "/api/collections/places/items?bbox=1,2,3'");
    CHECK_THAT(bad.out, Catch::Contains("HTTP/1.1 400"));
    CHECK_THAT(bad.out, Catch::Contains("application/problem+json"));
    // HTTP/1.1 keeps the connection open between requests unless the client says otherwise.
    const auto twice = run("curl -sv -o /dev/null -o /dev/null " + s.base + "/healthz " + s.base + "/healthz 2>&1");
    CHECK_THAT(twice.out, Catch::Contains("Re-using existing connection"));
    const auto closing = run("curl -sv -o /dev/null -H 'Connection: close' " + s.base + "/healthz 2>&1");
    CHECK_THAT(closing.out, Catch::Contains("Connection: Close"));
    const auto metrics = run("curl -s " + s.base + "/metrics");
    CHECK_THAT(metrics.out, Catch::Contains("lernorte_http_requests_total{route=\"/api/collections/{cid}/items\",status=\"200\"}"));
    CHECK_THAT(metrics.out, Catch::Contains("lernorte_http_request_duration_seconds_bucket"));
}

TEST_CASE("a served tile decodes with GDAL's MVT driver", "[integration][gdal][tiles]") {
    auto& s = LiveServer::shared();
    test::TempDir dir;
    const std::string file = dir.file("tile.mvt");
    // The Zentralbibliothek's tile at zoom 14 (places as points) and 10 (clusters).
    REQUIRE(run("curl -s -o " + file + " -w '%{http_code}' " + s.base + "/tiles/14/8817/5481.mvt").out == "200");
    const auto z14 = run("ogrinfo -ro -al -oo Z=14 -oo X=8817 -oo Y=5481 -oo CLIP=NO " + file + " 2>&1");
    REQUIRE(z14.exit_code == 0);
    CHECK_THAT(z14.out, Catch::Contains("Layer name: stadtraeume"));
    CHECK_THAT(z14.out, Catch::Contains("Layer name: places"));
    CHECK_THAT(z14.out, Catch::Contains("Zentralbibliothek der Städtischen Bibliotheken Dresden im Kulturpalast"));
    CHECK_THAT(z14.out, Catch::Contains("POLYGON"));
    REQUIRE(run("curl -s -o " + file + " -w '%{http_code}' " + s.base + "/tiles/10/551/342.mvt").out == "200");
    const auto z10 = run("ogrinfo -ro -al -oo Z=10 -oo X=551 -oo Y=342 -oo CLIP=NO " + file + " 2>&1");
    REQUIRE(z10.exit_code == 0);
    CHECK_THAT(z10.out, Catch::Contains("point_count"));
    CHECK(run("curl -s -o /dev/null -w '%{http_code}' " + s.base + "/tiles/10/0/0.mvt").out == "204");
    // A cached tile is sent from the cache's own bytes: the same bytes again, gzipped on request,
    // none on HEAD.
    const std::string again = dir.file("again.mvt");
    const std::string zipped = dir.file("zipped.mvt");
    REQUIRE(run("curl -s -o " + again + " " + s.base + "/tiles/10/551/342.mvt").exit_code == 0);
    REQUIRE(run("curl -s --compressed -o " + zipped + " " + s.base + "/tiles/10/551/342.mvt").exit_code == 0);
    const std::string first = read_file(file);
    CHECK(first.size() > 1024);  // large enough to be gzipped
    CHECK(read_file(again) == first);
    CHECK(read_file(zipped) == first);
    CHECK_THAT(run("curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' " + s.base + "/tiles/10/551/342.mvt").out,
               Catch::Contains("Content-Encoding: gzip"));
    CHECK_THAT(run("curl -s -I " + s.base + "/tiles/10/551/342.mvt").out, Catch::Contains("Content-Length: 0"));
}
