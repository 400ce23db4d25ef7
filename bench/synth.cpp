#include "synth.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <variant>

#include <lernorte/geo/ogr_source.hpp>

#ifndef LERNORTE_BENCH_DATA_DIR
#define LERNORTE_BENCH_DATA_DIR "data/dresden"
#endif

namespace lernorte::bench {
namespace {

template <std::size_t N>
std::string_view pick(Rng& rng, const std::array<std::string_view, N>& words) {
    return words[rng.below(static_cast<std::uint32_t>(N))];
}

constexpr std::array<std::string_view, 24> name_nouns{
    "Lernwerkstatt", "Bildungstreff", "Stadtteilbibliothek", "Nachbarschaftshaus", "Repair-Café",
    "Sprachcafé", "Familienzentrum", "Jugendtreff", "Gemeinschaftsgarten", "Begegnungsstätte",
    "Medienwerkstatt", "Lesestube", "Kulturhaus", "Makerspace", "Lernladen", "Kreativwerkstatt",
    "Seniorentreff", "Umweltzentrum", "Musikschule", "Computerclub", "Schreibwerkstatt",
    "Elterncafé", "Bürgertreff", "Wissenswerkstatt"};

constexpr std::array<std::string_view, 20> name_places{
    "Elbblick", "Neustadt", "Pieschen", "Johannstadt", "Striesen", "Gorbitz", "Prohlis",
    "Löbtau", "Cotta", "Plauen", "Klotzsche", "Leuben", "Blasewitz", "Loschwitz", "Mickten",
    "Trachau", "Reick", "Gruna", "Friedrichstadt", "Hellerau"};

constexpr std::array<std::string_view, 32> words{
    "lernen", "gemeinsam", "Kurs", "Treffpunkt", "offen", "Nachbarn", "Kinder", "Familien",
    "Sprache", "Deutsch", "Werkstatt", "reparieren", "Garten", "Natur", "Bücher", "lesen",
    "Musik", "Kunst", "Computer", "Beratung", "Senioren", "Jugendliche", "kostenlos",
    "Ehrenamt", "Begegnung", "Bewegung", "Handwerk", "Wissen", "Austausch", "mitmachen",
    "entdecken", "Stadtteil"};

constexpr std::array<std::string_view, 16> tag_words{
    "lernen", "treffen", "kurs", "kinder", "familie", "sprache", "kunst", "musik",
    "natur", "computer", "lesen", "handwerk", "bewegung", "beratung", "ehrenamt", "integration"};

constexpr std::array<std::string_view, 16> streets{
    "Hauptstraße", "Bautzner Straße", "Königsbrücker Straße", "Leipziger Straße",
    "Pirnaer Landstraße", "Grunaer Straße", "Kesselsdorfer Straße", "Hechtstraße",
    "Louisenstraße", "Schandauer Straße", "Wiener Straße", "Löbtauer Straße",
    "Großenhainer Straße", "Dohnaer Straße", "Tharandter Straße", "Borsbergstraße"};

constexpr std::array<std::string_view, 28> postcodes{
    "01067", "01069", "01097", "01099", "01108", "01109", "01127", "01129", "01139", "01156",
    "01157", "01159", "01169", "01187", "01189", "01217", "01219", "01237", "01239", "01257",
    "01259", "01277", "01279", "01307", "01309", "01324", "01326", "01328"};

}  // namespace

geo::MultiPolygon load_polygons(const std::string& path) {
    geo::Source source(path, geo::SourceOptions{});
    geo::MultiPolygon all;
    while (auto f = source.next()) {
        if (const auto* mp = std::get_if<geo::MultiPolygon>(&f->geometry)) {
            all.polygons.insert(all.polygons.end(), mp->polygons.begin(), mp->polygons.end());
        }
    }
    if (all.empty()) throw std::runtime_error(path + ": no polygons");
    return all;
}

geo::Point random_point_in(const geo::PreparedPolygon& area, Rng& rng) {
    const geo::BBox& b = area.bbox();
    for (;;) {
        // Rounded to the 7 decimals the CSV carries (about 1 cm), so the file and the
        // in-memory places agree and no written point falls outside on rounding.
        const geo::Point p{std::round(rng.uniform(b.min_x, b.max_x) * 1e7) / 1e7,
                           std::round(rng.uniform(b.min_y, b.max_y) * 1e7) / 1e7};
        if (area.contains(p)) return p;
    }
}

std::vector<storage::Place> generate_places(const geo::PreparedPolygon& area, std::uint64_t seed,
                                            std::size_t count) {
    Rng rng(seed);
    const auto& cats = storage::categories();
    std::vector<storage::Place> out;
    out.reserve(count);
    const std::string prefix = "syn-" + std::to_string(seed) + "-";
    for (std::size_t i = 0; i < count; ++i) {
        storage::Place p;
        p.id = prefix + std::to_string(i + 1);
        p.source_id = p.id;
        p.dataset = "synthetic";
        p.category = std::string(cats[rng.below(static_cast<std::uint32_t>(cats.size()))].key);
        p.name = std::string(pick(rng, name_nouns)) + " " + std::string(pick(rng, name_places)) + " " +
                 std::to_string(1 + rng.below(999));
        p.description = "SYNTHETIC benchmark data, not a real place:";
        const std::uint32_t n_words = 6 + rng.below(10);
        for (std::uint32_t w = 0; w < n_words; ++w) {
            p.description += ' ';
            p.description += pick(rng, words);
        }
        p.address.street = std::string(pick(rng, streets)) + " " + std::to_string(1 + rng.below(150));
        p.address.postcode = std::string(pick(rng, postcodes));
        p.address.city = "Dresden";
        const std::uint32_t n_tags = 1 + rng.below(3);
        for (std::uint32_t t = 0; t < n_tags; ++t) {
            std::string tag(pick(rng, tag_words));
            if (std::find(p.tags.begin(), p.tags.end(), tag) == p.tags.end()) p.tags.push_back(std::move(tag));
        }
        p.source = "SYNTHETIC (lernorte_bench_gen seed " + std::to_string(seed) + ")";
        p.license = "CC0-1.0";
        p.updated_at = "2026-01-01T00:00:00Z";
        p.position = random_point_in(area, rng);
        out.push_back(std::move(p));
    }
    return out;
}

std::string data_dir() { return LERNORTE_BENCH_DATA_DIR; }

}  // namespace lernorte::bench
