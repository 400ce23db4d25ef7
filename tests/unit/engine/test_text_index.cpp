#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <lernorte/engine/text_index.hpp>

using lernorte::engine::TextField;
using lernorte::engine::TextIndex;

namespace {
TextIndex index_of(const std::vector<std::string>& names) {
    std::vector<std::vector<TextField>> docs;
    for (const auto& n : names) docs.push_back({{n, 1.0F}});
    return TextIndex(docs);
}
std::vector<std::uint32_t> docs_of(const std::vector<TextIndex::Hit>& hits) {
    std::vector<std::uint32_t> out;
    for (const auto& h : hits) out.push_back(h.doc);
    return out;
}
}  // namespace

TEST_CASE("plural and compound forms find a library", "[engine][text]") {
    const auto idx = index_of({"Zentralbibliothek im Kulturpalast", "Bibliothek Johannstadt", "Sprachcafé Prohlis"});
    auto hits = docs_of(idx.search("Bibliotheken"));
    CHECK(hits == std::vector<std::uint32_t>{1, 0});  // the exact word ranks before the compound
    CHECK(docs_of(idx.search("Zentralbibliothek")) == std::vector<std::uint32_t>{0});
    CHECK(docs_of(idx.search("sprachcafe")) == std::vector<std::uint32_t>{2});
    CHECK(docs_of(idx.search("SPRACHCAFÉ")) == std::vector<std::uint32_t>{2});
}

TEST_CASE("every query word must match", "[engine][text]") {
    const auto idx = index_of({"Bibliothek Johannstadt", "Bibliothek Gorbitz", "Jugendhaus Gorbitz"});
    CHECK(docs_of(idx.search("bibliothek gorbitz")) == std::vector<std::uint32_t>{1});
    CHECK(idx.search("bibliothek leuben").empty());
}

TEST_CASE("query syntax is never interpreted", "[engine][text]") {
    const auto idx = index_of({"Bibliothek Johannstadt", "DROP TABLE places"});
    CHECK(idx.search("\"").empty());
    CHECK(idx.search("*").empty());
    CHECK(idx.search("NEAR(").empty());
    CHECK(docs_of(idx.search("'; DROP TABLE places; --")) == std::vector<std::uint32_t>{1});
    CHECK(docs_of(idx.search("bibl*")) == std::vector<std::uint32_t>{0});
    CHECK(idx.search("").empty());
}

TEST_CASE("umlauts and sharp s fold both ways", "[engine][text]") {
    const auto idx = index_of({"Begegnungsstätte Großenhainer Straße", "Müllerbrunnen"});
    CHECK(docs_of(idx.search("begegnungsstatte")) == std::vector<std::uint32_t>{0});
    CHECK(docs_of(idx.search("grossenhainer strasse")) == std::vector<std::uint32_t>{0});
    CHECK(docs_of(idx.search("Straße")) == std::vector<std::uint32_t>{0});
    CHECK(docs_of(idx.search("muller")) == std::vector<std::uint32_t>{1});
}
