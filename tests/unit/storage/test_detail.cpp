#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/storage/detail/json_array.hpp>
#include <lernorte/storage/detail/wkb.hpp>

using namespace lernorte::storage::detail;
using Strings = std::vector<std::string>;

TEST_CASE("string lists round-trip through their JSON form") {
    const Strings cases[] = {
        {},
        {""},
        {"de", "uk"},
        {"say \"hi\"", "C:\\path\\", "line\nbreak\ttab\r\b\f", std::string("nul\0byte", 8), "\x1f\x7f"},
        {"Straße", "Бібліотека", "東京", "🌱", "\u2028"},
    };
    for (const Strings& items : cases) {
        const std::string json = write_json_string_array(items);
        CHECK(parse_json_string_array(json) == items);
    }
    CHECK(write_json_string_array({}) == "[]");
    CHECK(write_json_string_array({"a", "b\"c"}) == R"(["a","b\"c"])");
    CHECK(write_json_string_array({"\x01"}) == R"(["\u0001"])");
}

TEST_CASE("the JSON parser reads what other tools write") {
    CHECK(parse_json_string_array(" [ \"a\" ,\n\t\"b\" ] ") == Strings{"a", "b"});
    CHECK(parse_json_string_array(R"(["\u00e4\u00DF","\/","\ud83c\udf31"])") == Strings{"äß", "/", "🌱"});
    // A lone surrogate is no Unicode text: refused rather than stored as something else.
    CHECK_THROWS_AS(parse_json_string_array(R"(["\ud800x"])"), std::invalid_argument);
    for (const char* bad : {"", "[", "]", "[\"a\"", "[\"a\",]", "[1]", "[null]", "{\"a\":1}", "[\"a\"] x",
                            "[\"\\x\"]", "[\"\\u12\"]", "[\"tab\there\"]", "\"a\""}) {
        CHECK_THROWS_AS(parse_json_string_array(bad), std::invalid_argument);
    }
}

TEST_CASE("WKB multipolygons round-trip bit-exactly and big-endian input is read") {
    using namespace lernorte::geo;
    MultiPolygon mp;
    mp.polygons.push_back(Polygon{{{{0.1, 0.2}, {1.0 / 3.0, 0.0}, {1e-300, 1e300}, {0.1, 0.2}},
                                   {{0.15, 0.15}, {0.16, 0.15}, {0.16, 0.16}, {0.15, 0.15}}}});
    mp.polygons.push_back(Polygon{{{{-180.0, -90.0}, {180.0, -90.0}, {180.0, 90.0}, {-180.0, -90.0}}}});
    const auto wkb = write_wkb(mp);
    const MultiPolygon back = read_wkb_multipolygon(wkb);
    REQUIRE(back.polygons.size() == 2);
    CHECK(back.polygons[0].rings == mp.polygons[0].rings);
    CHECK(back.polygons[1].rings == mp.polygons[1].rings);

    // POLYGON((1 2, 3 4, 5 6, 1 2)) in big-endian WKB, as an XDR writer would send it
    const std::vector<unsigned char> xdr = {
        0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04,
        0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0, 0, 0,  // 1 2
        0x40, 0x08, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0, 0, 0, 0, 0, 0,  // 3 4
        0x40, 0x14, 0, 0, 0, 0, 0, 0, 0x40, 0x18, 0, 0, 0, 0, 0, 0,  // 5 6
        0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 0, 0, 0, 0, 0, 0,  // 1 2
    };
    const MultiPolygon poly = read_wkb_multipolygon(xdr);
    REQUIRE(poly.polygons.size() == 1);
    CHECK(poly.polygons[0].rings == std::vector<Ring>{{{1, 2}, {3, 4}, {5, 6}, {1, 2}}});

    // POINT(1 2), both byte orders
    const std::vector<unsigned char> ndr_point = {0x01, 0x01, 0, 0, 0,                  // NDR, type 1
                                                  0, 0, 0, 0, 0, 0, 0xF0, 0x3F,        // 1.0
                                                  0, 0, 0, 0, 0, 0, 0, 0x40};          // 2.0
    CHECK(read_wkb_point(ndr_point) == Point{1, 2});
    const std::vector<unsigned char> xdr_point = {0x00, 0, 0, 0, 0x01, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                                                  0x40, 0, 0, 0, 0,    0,    0,    0};
    CHECK(read_wkb_point(xdr_point) == Point{1, 2});

    // damaged input is an error, never a crash
    for (std::size_t n = 0; n < wkb.size(); n += 7) {
        CHECK_THROWS_AS(read_wkb_multipolygon(std::span(wkb.data(), n)), std::invalid_argument);
    }
    CHECK_THROWS_AS(read_wkb_multipolygon(ndr_point), std::invalid_argument);
    std::vector<unsigned char> huge_count = {0x01, 0x06, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F};
    CHECK_THROWS_AS(read_wkb_multipolygon(huge_count), std::invalid_argument);
}
