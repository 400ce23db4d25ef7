// The read model, built in memory from synthetic places (the seam of STYLE.md: no store needed).
#include <algorithm>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include <lernorte/engine/catalogue.hpp>

using namespace lernorte;

namespace {

geo::MultiPolygon square(double x0, double y0, double x1, double y1) {
    return {{geo::Polygon{{geo::Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}}};
}

//   lat 51.10 +---------+---------+
//             |  nr 1   |  nr 2   |   two synthetic Stadträume side by side,
//             | 10,000  | 20,000  |   residents as written
//   lat 51.00 +---------+---------+
//          lon 13.6   13.7      13.8
std::vector<storage::Stadtraum> two_areas() {
    storage::Stadtraum a;
    a.nr = 1;
    a.name = "West";
    a.population = 10000;
    a.geometry = square(13.6, 51.0, 13.7, 51.1);
    storage::Stadtraum b;
    b.nr = 2;
    b.name = "Ost";
    b.population = 20000;
    b.geometry = square(13.7, 51.0, 13.8, 51.1);
    return {a, b};
}

storage::Place place(std::string id, std::string name, std::string category, double lon, double lat) {
    storage::Place p;
    p.id = std::move(id);
    p.name = std::move(name);
    p.category = std::move(category);
    p.position = {lon, lat};
    p.stadtraum = lon < 13.7 ? 1 : 2;
    p.updated_at = "2026-01-01T00:00:00Z";
    return p;
}

std::vector<std::string> ids(const engine::Catalogue& c, const engine::PlaceResult& r) {
    std::vector<std::string> out;
    for (const auto& h : r.hits) out.emplace_back(c.id(h.index));
    return out;
}

}  // namespace

TEST_CASE("filters are OR within a facet and AND across facets", "[engine][catalogue]") {
    auto lib = place("lib", "Bibliothek West", "bibliothek", 13.65, 51.05);
    lib.free = true;
    lib.target_groups = {"families", "everyone"};
    lib.languages = {"de", "ar"};
    auto cafe = place("cafe", "Sprachcafé Ost", "sprache", 13.75, 51.05);
    cafe.free = true;
    cafe.target_groups = {"newcomers"};
    cafe.languages = {"ar", "uk"};
    auto school = place("school", "Grundschule", "schule", 13.76, 51.06);
    school.free = false;
    school.target_groups = {"children"};
    auto hidden = place("hidden", "Vorschlag", "garten", 13.66, 51.06);
    hidden.status = "suggested";
    const auto c = engine::Catalogue::build({lib, cafe, school, hidden}, two_areas(), std::nullopt, 7);

    REQUIRE(c->size() == 3);  // the suggestion is not public
    CHECK(c->version() == 7);

    engine::PlaceQuery q;
    q.categories = {"bibliothek", "sprache"};
    auto r = c->query(q);
    CHECK(r.number_matched == 2);

    q.free = true;
    q.languages = {"uk"};
    r = c->query(q);
    CHECK(ids(*c, r) == std::vector<std::string>{"cafe"});

    engine::PlaceQuery by_area;
    by_area.stadtraeume = {2};
    by_area.target_groups = {"children", "families"};
    CHECK(ids(*c, c->query(by_area)) == std::vector<std::string>{"school"});

    engine::PlaceQuery none;
    none.categories = {"museum"};
    CHECK(c->query(none).number_matched == 0);
    CHECK(!c->place("hidden"));
    REQUIRE(c->place("cafe"));
    CHECK(c->place("cafe")->name == "Sprachcafé Ost");
}

TEST_CASE("bbox pages are exact and complete against brute force", "[engine][catalogue]") {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> lon(13.6, 13.8);
    std::uniform_real_distribution<double> lat(51.0, 51.1);
    std::vector<storage::Place> places;
    const char* cats[] = {"bibliothek", "schule", "sprache"};
    for (int i = 0; i < 3000; ++i) {
        places.push_back(place("p" + std::to_string(i), "Ort " + std::to_string(i), cats[i % 3], lon(rng), lat(rng)));
    }
    // Duplicated positions must not confuse paging.
    for (int i = 0; i < 50; ++i) places.push_back(place("dup" + std::to_string(i), "Doppelt", "schule", 13.7, 51.05));
    const auto c = engine::Catalogue::build(places, two_areas(), std::nullopt, 1);

    for (int round = 0; round < 40; ++round) {
        double x0 = lon(rng), x1 = lon(rng), y0 = lat(rng), y1 = lat(rng);
        if (x0 > x1) std::swap(x0, x1);
        if (y0 > y1) std::swap(y0, y1);
        engine::PlaceQuery q;
        q.bbox = geo::BBox{x0, y0, x1, y1};
        if (round % 2 == 1) q.categories = {"schule"};
        std::set<std::string> expected;
        for (std::uint32_t i = 0; i < c->size(); ++i) {
            const storage::Place p = c->place_at(i);
            if (q.bbox->contains(p.position) && (q.categories.empty() || p.category == "schule")) expected.insert(p.id);
        }
        std::set<std::string> seen;
        q.limit = 37;
        for (q.offset = 0;; q.offset += q.limit) {
            const auto r = c->query(q);
            REQUIRE(r.number_matched == expected.size());
            for (const auto& id : ids(*c, r)) CHECK(seen.insert(id).second);  // no duplicates across pages
            if (r.hits.size() < q.limit) break;
        }
        CHECK(seen == expected);
    }
}

TEST_CASE("near finds places within the radius, nearest first, with distances", "[engine][catalogue]") {
    // 0.01 degrees of latitude are about 1112 m.
    const auto c = engine::Catalogue::build({place("a", "A", "bibliothek", 13.75, 51.050),
                                             place("b", "B", "bibliothek", 13.75, 51.055),
                                             place("c", "C", "bibliothek", 13.75, 51.070),
                                             place("d", "D", "schule", 13.75, 51.051)},
                                            two_areas(), std::nullopt, 1);
    engine::PlaceQuery q;
    q.near = engine::PlaceQuery::Near{{13.75, 51.049}, 1000.0};
    q.categories = {"bibliothek"};
    const auto r = c->query(q);
    REQUIRE(ids(*c, r) == std::vector<std::string>{"a", "b"});
    CHECK(*r.hits[0].distance_m == Approx(111.2).margin(0.5));
    CHECK(*r.hits[1].distance_m == Approx(667.2).margin(1.0));
}

TEST_CASE("full text ranks and combines with other filters", "[engine][catalogue]") {
    const auto c = engine::Catalogue::build({place("z", "Zentralbibliothek", "bibliothek", 13.65, 51.05),
                                             place("j", "Bibliothek Johannstadt", "bibliothek", 13.75, 51.05),
                                             place("s", "Sprachcafé", "sprache", 13.76, 51.05)},
                                            two_areas(), std::nullopt, 1);
    engine::PlaceQuery q;
    q.text = "Bibliotheken";
    auto found = ids(*c, c->query(q));
    std::sort(found.begin(), found.end());
    CHECK(found == std::vector<std::string>{"j", "z"});
    q.stadtraeume = {1};
    CHECK(ids(*c, c->query(q)) == std::vector<std::string>{"z"});
}

TEST_CASE("collections: 100 Orte and ABC filters", "[engine][catalogue]") {
    auto a = place("a", "AWO-Familientreff", "familie", 13.65, 51.05);
    a.abc_letter = "A";
    a.orte100 = 3;
    auto z = place("z", "Zentralbibliothek", "bibliothek", 13.75, 51.05);
    z.abc_letter = "Z";
    const auto c = engine::Catalogue::build({a, z, place("x", "X", "schule", 13.75, 51.06)}, two_areas(), std::nullopt, 1);
    engine::PlaceQuery q;
    q.in_abc = true;
    CHECK(c->query(q).number_matched == 2);
    q = {};
    q.abc = "Z";
    CHECK(ids(*c, c->query(q)) == std::vector<std::string>{"z"});
    q = {};
    q.in_orte100 = true;
    CHECK(ids(*c, c->query(q)) == std::vector<std::string>{"a"});
    q = {};
    q.orte100 = 4;
    CHECK(c->query(q).number_matched == 0);
}

TEST_CASE("stats count places per Stadtraum and per 10,000 residents", "[engine][catalogue]") {
    const auto c = engine::Catalogue::build({place("a", "A", "bibliothek", 13.65, 51.05),
                                             place("b", "B", "bibliothek", 13.75, 51.05),
                                             place("c", "C", "schule", 13.76, 51.05)},
                                            two_areas(), std::nullopt, 1);
    const auto& s = c->stats();
    REQUIRE(s.stadtraeume.size() == 2);
    CHECK(s.stadtraeume[0].places == 1);
    CHECK(s.stadtraeume[0].per_10k == Approx(1.0));
    CHECK(s.stadtraeume[1].places == 2);
    CHECK(s.stadtraeume[1].per_10k == Approx(1.0));
    CHECK(s.total.population == 30000);
    CHECK(s.total.places == 3);
    const auto& cats = s.stadtraeume[1].categories;
    const auto bib = std::find_if(cats.begin(), cats.end(), [](const auto& x) { return x.category == "bibliothek"; });
    REQUIRE(bib != cats.end());
    CHECK(bib->places == 1);
    CHECK(bib->per_10k == Approx(0.5));
    CHECK(c->locate({13.65, 51.05}) == 1);
    CHECK(c->locate({13.75, 51.05}) == 2);
    CHECK_FALSE(c->locate({14.0, 51.05}).has_value());
}
