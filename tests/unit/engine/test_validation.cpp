// The rules for what editors and citizens write: opening_hours syntax, URLs, e-mail addresses
// and every field of a place. A synthetic city in memory (no store needed).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/engine/editor.hpp>

using namespace lernorte;

namespace {

//   lat 51.15 +-------------------+
//             |  a square "city", |   one Stadtraum, which is also the outline
//             |  nr 1             |
//   lat 50.95 +-------------------+
//          lon 13.60            13.95
std::shared_ptr<const engine::Catalogue> square_city() {
    const geo::MultiPolygon square{
        {geo::Polygon{{geo::Ring{{13.60, 50.95}, {13.95, 50.95}, {13.95, 51.15}, {13.60, 51.15}, {13.60, 50.95}}}}}};
    storage::Stadtraum s;
    s.nr = 1;
    s.name = "Stadt";
    s.population = 1000;
    s.geometry = square;
    return engine::Catalogue::build({}, {s}, square, 1);
}

storage::Place valid_place() {
    storage::Place p;
    p.name = "Stadtteilbibliothek Johannstadt";
    p.description = "Bücher, Medien,\nund ein Lesecafé.";
    p.category = "bibliothek";
    p.tags = {"lesen", "medien"};
    p.address = {"Pfotenhauerstraße 42", "01307", "Dresden"};
    p.website = "https://www.bibo-dresden.de/johannstadt";
    p.phone = "+49 (351) 123-456/7";
    p.email = "johannstadt@bibo-dresden.de";
    p.opening_hours = "Mo-Fr 10:00-19:00; Sa 10:00-14:00";
    p.target_groups = {"children", "everyone"};
    p.languages = {"de", "en"};
    p.wheelchair = "yes";
    p.orte100 = 7;
    p.abc_letter = "B";
    p.status = "published";
    p.position = {13.76, 51.05};
    return p;
}

/// The fields named by validate_place, in order.
std::vector<std::string> fields(const storage::Place& p) {
    static const auto city = square_city();
    std::vector<std::string> out;
    for (const auto& e : engine::validate_place(p, *city)) out.push_back(e.field);
    return out;
}

std::string message_for(const storage::Place& p, const std::string& field) {
    static const auto city = square_city();
    for (const auto& e : engine::validate_place(p, *city)) {
        if (e.field == field) return e.message;
    }
    return {};
}

using Fields = std::vector<std::string>;

}  // namespace

TEST_CASE("opening_hours accepts what OpenStreetMap mappers write", "[engine][validation][opening_hours]") {
    const char* valid[] = {
        "Mo-Fr 09:00-18:00",
        "Mo-Fr 08:00-12:00,13:00-17:00; Sa 10:00-14:00",
        "24/7",
        "Mo-Su 10:00-18:00; PH off",
        "Tu,Th 14:00-18:00",
        "Mo-Fr 09:00-17:00; Dec 24 off",
        "Jan-Mar Mo 10:00-12:00",
        "Sa[1,3] 10:00-12:00",
        "sunrise-sunset",
        "Mo 18:00-02:00",
        "Fr 20:00+",
        "Mo-Fr 09:00-18:00 \"nach Vereinbarung\"",
        "week 1-53/2 Mo 10:00-12:00",
        "Mo-Fr 10:00-16:00 || \"by appointment\"",
        "Mo,We,Fr 09:00-12:00; Tu,Th 14:00-18:00",
        "Mo-Fr 09:00-12:00, 14:00-18:00",
        "Mo-Sa 10:00-20:00; Su,PH off",
        "Mo-Fr 08:00-16:00; SH off",
        "Mo-Fr: 09:00-17:00",
        "Apr-Oct: Tu-Su 10:00-18:00",
        "Mo[-1] 18:00-20:00",
        "Mo-Fr 09:00-17:00; Sa 10:00-13:00; Su closed",
        "Mo-Fr (sunrise+01:00)-(sunset-01:00)",
        "\"nur nach Absprache\"",
        "Mo-Fr 22:00-26:00",
        "2026 Jan-Dec Mo 10:00-12:00",
        "Mo 10:00-12:00 open",
        "Sa unknown",
        "Mo-Fr 09:00-18:00;",
        "off",
    };
    for (const char* v : valid) {
        INFO(v);
        CHECK(engine::opening_hours_problem(v).empty());
    }
    CHECK(engine::opening_hours_problem("").empty());  // not given
}

TEST_CASE("opening_hours refuses what is not the OSM syntax, with a hint", "[engine][validation][opening_hours]") {
    const char* invalid[] = {
        "9-17",
        "Mo-Fr 9-17",
        "Montag 10-12",
        "Mo-Fr 10:0-12:00",
        "Mo-Fr 10:00-",
        "xyz",
        "Mo-Fr 10:00-12:00;;",
        "Mo-Fr 49:00-50:00",   // hours up to 48 (for times past midnight), not beyond
        "Mo-Fr 10:60-12:00",
        "Mo-Fr 10.00-12.00",
        "Mo-Fr 10:00-12:00 \"not closed",
        "Mo-",
        "Sa[1,3 10:00-12:00",
        "Dec 32 off",
        "week Mo 10:00-12:00",
        "Mo-Fr 10:00-12:00 & Sa",
        "10:00 Uhr",
        ";",
    };
    for (const char* v : invalid) {
        INFO(v);
        const std::string problem = engine::opening_hours_problem(v);
        CHECK_FALSE(problem.empty());
        CHECK(problem.find("opening_hours syntax") != std::string::npos);
    }
    CHECK(engine::opening_hours_problem("9-17").find("HH:MM") != std::string::npos);
    CHECK(engine::opening_hours_problem("Mo-Fr 9-17").find("'9'") != std::string::npos);
    CHECK(engine::opening_hours_problem("Montag 10-12").find("Montag") != std::string::npos);
    CHECK(engine::opening_hours_problem(std::string(501, ' ')).find("500") != std::string::npos);
}

TEST_CASE("opening_hours allows hours up to 48, as OSM does for times past midnight", "[engine][validation][opening_hours]") {
    CHECK(engine::opening_hours_problem("Mo-Fr 25:00-26:00").empty());
    CHECK(engine::opening_hours_problem("Sa 20:00-48:00").empty());
    CHECK_FALSE(engine::opening_hours_problem("Sa 20:00-49:00").empty());
}

TEST_CASE("valid_url takes http and https addresses with a host, nothing else", "[engine][validation]") {
    CHECK(engine::valid_url("https://www.dresden.de"));
    CHECK(engine::valid_url("http://example.org/path?a=1&b=2#frag"));
    CHECK(engine::valid_url("HTTPS://EXAMPLE.ORG/"));
    CHECK(engine::valid_url("https://example.org:8443/x"));
    CHECK(engine::valid_url("http://localhost:8080/"));
    CHECK(engine::valid_url("https://bücherhalle.de"));

    CHECK_FALSE(engine::valid_url("javascript:alert(1)"));
    CHECK_FALSE(engine::valid_url("JavaScript://example.org/%0aalert(1)"));
    CHECK_FALSE(engine::valid_url("data:text/html,<script>alert(1)</script>"));
    CHECK_FALSE(engine::valid_url("ftp://example.org"));
    CHECK_FALSE(engine::valid_url("www.example.org"));
    CHECK_FALSE(engine::valid_url("http://"));
    CHECK_FALSE(engine::valid_url("https://"));
    CHECK_FALSE(engine::valid_url("http:// x"));
    CHECK_FALSE(engine::valid_url("https://user@host.org"));
    CHECK_FALSE(engine::valid_url("https://user:pw@host.org/"));
    CHECK_FALSE(engine::valid_url("https://example.org/a b"));
    CHECK_FALSE(engine::valid_url("https://example.org/\"onmouseover=\"x"));
    CHECK_FALSE(engine::valid_url("https://example.org/<script>"));
    CHECK_FALSE(engine::valid_url("https://nodot"));
    CHECK_FALSE(engine::valid_url("https://.example.org"));
    CHECK_FALSE(engine::valid_url("https://example..org"));
    CHECK_FALSE(engine::valid_url("https://example.org:/"));
    CHECK_FALSE(engine::valid_url("https://example.org:http/"));
    CHECK_FALSE(engine::valid_url("https://example.org\n.evil"));
    CHECK_FALSE(engine::valid_url("https://example.org/" + std::string(500, 'a')));
}

TEST_CASE("valid_email takes name@host.tld", "[engine][validation]") {
    CHECK(engine::valid_email("info@example.org"));
    CHECK(engine::valid_email("vor.name+tag@sub.example.de"));
    CHECK(engine::valid_email("o'brien@example.ie"));

    CHECK_FALSE(engine::valid_email(""));
    CHECK_FALSE(engine::valid_email("info"));
    CHECK_FALSE(engine::valid_email("@example.org"));
    CHECK_FALSE(engine::valid_email("info@"));
    CHECK_FALSE(engine::valid_email("a@b@example.org"));
    CHECK_FALSE(engine::valid_email("info@localhost"));
    CHECK_FALSE(engine::valid_email("info@nodot"));
    CHECK_FALSE(engine::valid_email("in fo@example.org"));
    CHECK_FALSE(engine::valid_email(".info@example.org"));
    CHECK_FALSE(engine::valid_email("info.@example.org"));
    CHECK_FALSE(engine::valid_email("<script>@example.org"));
    CHECK_FALSE(engine::valid_email(std::string(65, 'a') + "@example.org"));
    CHECK_FALSE(engine::valid_email("a@" + std::string(250, 'b') + ".de"));
}

TEST_CASE("a complete, correct place has no problems", "[engine][validation]") {
    CHECK(fields(valid_place()).empty());
    storage::Place minimal;
    minimal.name = "X";
    minimal.category = "kultur";
    minimal.position = {13.74, 51.05};
    CHECK(fields(minimal).empty());
    minimal.status = "suggested";
    CHECK(fields(minimal).empty());
}

TEST_CASE("each rule names its field", "[engine][validation]") {
    auto p = valid_place();

    SECTION("name is required and limited") {
        p.name = "";
        CHECK(fields(p) == Fields{"name"});
        p.name = " \t\n";
        CHECK(fields(p) == Fields{"name"});
        p.name = std::string(201, 'a');
        CHECK(fields(p) == Fields{"name"});
        p.name = std::string(200, 'a');
        CHECK(fields(p).empty());
        p.name = std::string(200, 'a').replace(0, 2, "ü");  // 199 characters, 200 bytes
        CHECK(fields(p).empty());
        p.name = "Zeile\nZeile";
        CHECK(fields(p) == Fields{"name"});
        p.name = "bad \xC3\x28 utf-8";
        CHECK(fields(p) == Fields{"name"});
    }
    SECTION("description may have newlines, not other control characters") {
        p.description = "a\nb\tc";
        CHECK(fields(p).empty());
        p.description = std::string("a\x07") + "b";
        CHECK(fields(p) == Fields{"description"});
        p.description = std::string(5001, 'd');
        CHECK(fields(p) == Fields{"description"});
    }
    SECTION("category is required and from the taxonomy") {
        p.category = "";
        CHECK(fields(p) == Fields{"category"});
        p.category = "kneipe";
        CHECK(fields(p) == Fields{"category"});
        CHECK(message_for(p, "category").find("kneipe") != std::string::npos);
    }
    SECTION("tags: at most 30, each 1 to 60 characters") {
        p.tags.assign(31, "t");
        CHECK(fields(p) == Fields{"tags"});
        p.tags.assign(30, "t");
        CHECK(fields(p).empty());
        p.tags = {"ok", ""};
        CHECK(fields(p) == Fields{"tags"});
        p.tags = {std::string(61, 'x')};
        CHECK(fields(p) == Fields{"tags"});
    }
    SECTION("postcode: five digits") {
        for (const char* bad : {"1307", "013070", "0130a", "D-01307"}) {
            p.address.postcode = bad;
            CHECK(fields(p) == Fields{"address.postcode"});
        }
        p.address.postcode = "";
        CHECK(fields(p).empty());
        p.address.street = std::string(201, 's');
        CHECK(fields(p) == Fields{"address.street"});
    }
    SECTION("website") {
        p.website = "javascript:alert(1)";
        CHECK(fields(p) == Fields{"website"});
        p.website = "www.example.org";
        CHECK(fields(p) == Fields{"website"});
    }
    SECTION("email") {
        p.email = "kein-at-zeichen";
        CHECK(fields(p) == Fields{"email"});
    }
    SECTION("phone") {
        p.phone = "0351 call me";
        CHECK(fields(p) == Fields{"phone"});
        p.phone = std::string(51, '1');
        CHECK(fields(p) == Fields{"phone"});
    }
    SECTION("opening_hours") {
        p.opening_hours = "Mo-Fr 9-17";
        CHECK(fields(p) == Fields{"opening_hours"});
    }
    SECTION("target_groups and languages from their lists") {
        p.target_groups = {"children", "students"};
        CHECK(fields(p) == Fields{"target_groups"});
        p.target_groups = {};
        p.languages = {"de", "german"};
        CHECK(fields(p) == Fields{"languages"});
        p.languages = {"DE"};
        CHECK(fields(p) == Fields{"languages"});
    }
    SECTION("wheelchair") {
        p.wheelchair = "maybe";
        CHECK(fields(p) == Fields{"wheelchair"});
        p.wheelchair = "";
        CHECK(fields(p) == Fields{"wheelchair"});
    }
    SECTION("orte100 from 1 to 100") {
        p.orte100 = 0;
        CHECK(fields(p) == Fields{"orte100"});
        p.orte100 = 101;
        CHECK(fields(p) == Fields{"orte100"});
        p.orte100 = 1;
        CHECK(fields(p).empty());
        p.orte100 = 100;
        CHECK(fields(p).empty());
        p.orte100.reset();
        CHECK(fields(p).empty());
    }
    SECTION("abc_letter: one capital letter") {
        for (const char* bad : {"a", "AB", "", "Ä", "1"}) {
            p.abc_letter = bad;
            CHECK(fields(p) == Fields{"abc_letter"});
        }
        p.abc_letter = "Z";
        CHECK(fields(p).empty());
    }
    SECTION("status: published or suggested; archiving has its own route") {
        p.status = "archived";
        CHECK(fields(p) == Fields{"status"});
        CHECK(message_for(p, "status").find("DELETE") != std::string::npos);
        p.status = "draft";
        CHECK(fields(p) == Fields{"status"});
    }
    SECTION("a point outside the city") {
        p.position = {13.40, 52.52};  // Berlin
        CHECK(fields(p) == Fields{"geometry"});
        CHECK(message_for(p, "geometry").find("outside Dresden") != std::string::npos);
    }
    SECTION("coordinates that are not degrees") {
        p.position = {std::numeric_limits<double>::quiet_NaN(), 51.05};
        CHECK(fields(p) == Fields{"geometry"});
        p.position = {13.76, std::numeric_limits<double>::infinity()};
        CHECK(fields(p) == Fields{"geometry"});
        p.position = {370000.0, 5660000.0};  // UTM metres, not degrees
        CHECK(fields(p) == Fields{"geometry"});
        CHECK(message_for(p, "geometry").find("EPSG:4326") != std::string::npos);
    }
    SECTION("several problems are all reported") {
        p.name = "";
        p.website = "data:text/html,x";
        p.orte100 = 500;
        CHECK(fields(p) == Fields{"name", "website", "orte100"});
        const engine::ValidationError e(engine::validate_place(p, *square_city()));
        CHECK(e.errors.size() == 3);
        CHECK(std::string(e.what()).find("name") == 0);
        CHECK(std::string(e.what()).find("2 more") != std::string::npos);
    }
}
