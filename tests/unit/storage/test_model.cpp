#include <cstdlib>
#include <ctime>
#include <regex>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include <lernorte/storage/model.hpp>

using namespace lernorte::storage;

TEST_CASE("the taxonomy has the 16 categories of DESIGN.md in order, with German and English labels") {
    const auto& all = categories();
    REQUIRE(all.size() == 16);
    const char* keys[] = {"bibliothek", "volkshochschule", "hochschule", "schule",  "museum",
                          "kultur",     "jugend",          "familie",    "senioren", "nachbarschaft",
                          "garten",     "werkstatt",       "sport",      "sprache",  "digital",
                          "beratung"};
    std::set<std::string_view> english;
    for (std::size_t i = 0; i < all.size(); ++i) {
        CHECK(all[i].key == keys[i]);
        CHECK_FALSE(all[i].label_de.empty());
        CHECK_FALSE(all[i].label_en.empty());
        english.insert(all[i].label_en);
        CHECK(is_category(all[i].key));
    }
    CHECK(english.size() == 16);
    CHECK(all[0].label_de == "Bibliothek");
    CHECK(all[1].label_de == "Volkshochschule & Weiterbildung");
    CHECK(all[6].label_de == "Kinder- & Jugendtreff");
    CHECK(all[8].label_de == "Begegnungsstätte");
    CHECK(all[11].label_de == "Offene Werkstatt, Makerspace & Repair-Café");
    CHECK(all[13].label_de == "Sprachkurs & Sprachcafé");
    CHECK(all[15].label_de == "Bildungsberatung");
    CHECK(all[0].label_en == "Library");

    CHECK_FALSE(is_category(""));
    CHECK_FALSE(is_category("Bibliothek"));
    CHECK_FALSE(is_category("kneipe"));
}

TEST_CASE("enumerated values are recognised exactly") {
    CHECK(is_target_group("children"));
    CHECK(is_target_group("everyone"));
    CHECK_FALSE(is_target_group("Children"));
    CHECK_FALSE(is_target_group("pets"));
    CHECK(is_wheelchair("limited"));
    CHECK_FALSE(is_wheelchair("partial"));
    CHECK(is_status("suggested"));
    CHECK_FALSE(is_status("deleted"));
    CHECK_FALSE(is_status(""));
}

TEST_CASE("is_language knows the ISO 639-1 codes and nothing else") {
    for (const char* code : {"de", "en", "uk", "ar", "fa", "ru", "tr", "vi", "zh", "cs", "pl", "ku", "ti", "bh"}) {
        CHECK(is_language(code));
    }
    for (const char* code : {"", "d", "DE", "De", "deu", "xx", "qq", "zz", "de ", "iw"}) {
        CHECK_FALSE(is_language(code));
    }
    int count = 0;
    for (char a = 'a'; a <= 'z'; ++a) {
        for (char b = 'a'; b <= 'z'; ++b) count += is_language(std::string{a, b}) ? 1 : 0;
    }
    CHECK(count == 184);  // the 183 current codes plus the withdrawn "bh"
}

TEST_CASE("new_uuid returns distinct lowercase version 4 UUIDs") {
    const std::regex form("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = new_uuid();
        REQUIRE(std::regex_match(id, form));
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("now_rfc3339 is the current UTC time with seconds") {
    const std::string now = now_rfc3339();
    REQUIRE(std::regex_match(now, std::regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$")));
    std::tm tm{};
    REQUIRE(strptime(now.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) != nullptr);
    const std::time_t parsed = timegm(&tm);
    const std::time_t actual = std::time(nullptr);
    CHECK(std::abs(static_cast<long>(actual - parsed)) <= 2);
}
