#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/storage/text.hpp>

using namespace lernorte::storage;
using Strings = std::vector<std::string>;

TEST_CASE("tokenize lowercases and splits on everything that is not a letter or digit") {
    CHECK(tokenize("Zentralbibliothek im Kulturpalast") == Strings{"zentralbibliothek", "im", "kulturpalast"});
    CHECK(tokenize("Kinder- & Jugendtreff \"Eule\", 2. OG") == Strings{"kinder", "jugendtreff", "eule", "2", "og"});
    CHECK(tokenize("info@example.org/x_y") == Strings{"info", "example", "org", "x", "y"});
    CHECK(tokenize("") == Strings{});
    CHECK(tokenize("  -- !! ") == Strings{});
    // NBSP, em dash, guillemets, typographic quotes, ellipsis, multiplication sign
    CHECK(tokenize("Repair\u00A0Café\u2014«offen» „heute“ …3×4") ==
          Strings{"repair", "cafe", "offen", "heute", "3", "4"});
    // emoji and symbols separate
    CHECK(tokenize("Garten🌱Projekt €5") == Strings{"garten", "projekt", "5"});
}

TEST_CASE("tokenize folds German and other Latin diacritics to base letters") {
    CHECK(tokenize("Straße") == Strings{"strasse"});
    CHECK(tokenize("STRAẞE") == Strings{"strasse"});
    CHECK(tokenize("Übergänge Öffnungszeiten") == Strings{"ubergange", "offnungszeiten"});
    CHECK(tokenize("Müller") == tokenize("muller"));
    CHECK(tokenize("Sprachcafé École Œuvre Æble Łódź Ørsted Þór Čech İstanbul ǅemal") ==
          Strings{"sprachcafe", "ecole", "oeuvre", "aeble", "lodz", "orsted", "thor", "cech", "istanbul", "dzemal"});
    CHECK(tokenize("Nguyễn Thị Ngọc") == Strings{"nguyen", "thi", "ngoc"});
    // decomposed (NFD) input folds the same way as precomposed
    CHECK(tokenize("Mu\u0308ller Cafe\u0301") == Strings{"muller", "cafe"});
    // a soft hyphen does not split a word
    CHECK(tokenize("Biblio\u00ADthek") == Strings{"bibliothek"});
    // fullwidth ASCII
    CHECK(tokenize("ＡＢＣ１２") == Strings{"abc12"});
}

TEST_CASE("tokenize lowercases Greek and Cyrillic and keeps other scripts as letters") {
    CHECK(tokenize("Бібліотека") == Strings{"бібліотека"});
    CHECK(tokenize("БИБЛИОТЕКА Ёлка") == Strings{"библиотека", "елка"});
    CHECK(tokenize("ΑΘΉΝΑ Σχολείο") == Strings{"αθηνα", "σχολειο"});
    CHECK(tokenize("مكتبة 東京 도서관") == Strings{"مكتبة", "東京", "도서관"});
}

TEST_CASE("invalid UTF-8 separates and never crashes") {
    CHECK(tokenize("ab\xFF" "cd\xC3") == Strings{"ab", "cd"});
    CHECK(tokenize("\xC0\xAF" "x\xED\xA0\x80" "y\xE2\x82") == Strings{"x", "y"});
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int round = 0; round < 2000; ++round) {
        std::string junk(static_cast<std::size_t>(round % 64), '\0');
        for (char& c : junk) c = static_cast<char>(byte(rng));
        for (const std::string& t : tokenize(junk)) {
            REQUIRE_FALSE(t.empty());
            REQUIRE(valid_utf8(t));
        }
        REQUIRE(valid_utf8(search_document(junk)));
    }
}

TEST_CASE("stem strips one inflection suffix, keeping at least four characters") {
    CHECK(stem("bibliotheken") == "bibliothek");
    CHECK(stem("bibliotheks") == "bibliothek");
    CHECK(stem("bibliothek") == "bibliothek");
    CHECK(stem("kindern") == "kind");     // "ern" before "n"
    CHECK(stem("gartens") == "garten");
    CHECK(stem("garten") == "gart");
    CHECK(stem("muller") == "mull");
    CHECK(stem("haus") == "haus");        // "hau" would be too short
    CHECK(stem("lesen") == "lese");       // "-en" would leave 3, "-n" leaves 4
    CHECK(stem("übung") == "übung");
    CHECK(stem("schülern") == "schül");   // counts characters, not bytes
    CHECK(stem("01067") == "01067");      // tokens with digits are codes
    CHECK(stem("b2en") == "b2en");
    CHECK(stem("") == "");
}

TEST_CASE("search terms make inflected and folded forms meet") {
    CHECK(search_terms("Bibliotheken") == search_terms("Bibliothek"));
    CHECK(search_terms("Bibliotheken") == Strings{"bibliothek"});
    CHECK(search_terms("Straße") == search_terms("strasse"));
    CHECK(search_terms("Übergänge") == Strings{"ubergang"});
    CHECK(search_terms("Müller") == search_terms("MULLER"));
    CHECK(search_terms("Sprachcafé") == search_terms("sprachcafe"));
    CHECK(search_terms("!!! ...") == Strings{});
}

TEST_CASE("compound heads become terms of their own") {
    CHECK(search_terms("Pfotenhauerstraße 42") == Strings{"pfotenhauerstrass", "strass", "42"});
    CHECK(search_terms("Zentralbibliothek") == Strings{"zentralbibliothek", "bibliothek"});
    CHECK(search_terms("Gemeinschaftsgärten") == Strings{"gemeinschaftsgart", "gart"});
    CHECK(search_terms("Straße") == Strings{"strass"});  // no modifier, no extra term
    CHECK(search_document("Pfotenhauerstraße 42, 01307 Dresden") == "pfotenhauerstrass strass 42 01307 dresd");
}

TEST_CASE("valid_utf8 is strict") {
    CHECK(valid_utf8(""));
    CHECK(valid_utf8("plain ASCII"));
    CHECK(valid_utf8("Straße, Бібліотека, 東京, 🌱"));
    CHECK(valid_utf8("\xF4\x8F\xBF\xBF"));    // U+10FFFF
    CHECK(valid_utf8("\xEF\xBF\xBD"));        // U+FFFD
    CHECK_FALSE(valid_utf8("\xC0\xAF"));      // overlong '/'
    CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));  // overlong, 3 bytes
    CHECK_FALSE(valid_utf8("\xF0\x80\x80\xAF"));
    CHECK_FALSE(valid_utf8("\xED\xA0\x80"));  // surrogate U+D800
    CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
    CHECK_FALSE(valid_utf8("\xE2\x82"));      // truncated euro sign
    CHECK_FALSE(valid_utf8("a\x80"));         // stray continuation byte
    CHECK_FALSE(valid_utf8("\xFF"));
    CHECK_FALSE(valid_utf8(std::string_view("\xC3", 1)));
}
