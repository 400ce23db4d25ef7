// Circle covers and postcode shares, checked against independent computations: GEOS areas of
// unions and intersections (circles as 64-gons), and dense point sampling.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <geos_c.h>

#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/prepared_polygon.hpp>
#include <lernorte/geo/targets.hpp>

#include "geo_test_support.hpp"

using namespace lernorte::geo;
using lernorte::geo::test::data_path;
using lernorte::geo::test::read_all;

namespace {

// ---- an independent reference: GEOS, in metres ------------------------------------------------

class Geos {
public:
    Geos() : m_h(GEOS_init_r()) {}
    ~Geos() { GEOS_finish_r(m_h); }
    Geos(const Geos&) = delete;
    Geos& operator=(const Geos&) = delete;
    Geos(Geos&&) = delete;
    Geos& operator=(Geos&&) = delete;

    struct Deleter {
        GEOSContextHandle_t h;
        void operator()(GEOSGeometry* g) const noexcept { GEOSGeom_destroy_r(h, g); }
    };
    using Ptr = std::unique_ptr<GEOSGeometry, Deleter>;

    Ptr own(GEOSGeometry* g) const {
        if (g == nullptr) throw std::runtime_error("GEOS failed");
        return Ptr(g, Deleter{m_h});
    }
    Ptr read_wkt(const std::string& wkt) const {
        GEOSWKTReader* r = GEOSWKTReader_create_r(m_h);
        GEOSGeometry* g = GEOSWKTReader_read_r(m_h, r, wkt.c_str());
        GEOSWKTReader_destroy_r(m_h, r);
        return own(g);
    }
    Ptr geom(const MultiPolygon& metres) const { return read_wkt(to_wkt(metres)); }
    Ptr unite(const std::vector<MultiPolygon>& parts) const {
        std::vector<GEOSGeometry*> raw;
        for (const auto& p : parts) raw.push_back(geom(p).release());
        const Ptr c = own(GEOSGeom_createCollection_r(m_h, GEOS_GEOMETRYCOLLECTION, raw.data(),
                                                      static_cast<unsigned>(raw.size())));
        return own(GEOSUnaryUnion_r(m_h, c.get()));
    }
    Ptr intersection(const GEOSGeometry* a, const GEOSGeometry* b) const {
        return own(GEOSIntersection_r(m_h, a, b));
    }
    [[nodiscard]] GEOSContextHandle_t handle() const noexcept { return m_h; }
    double area(const GEOSGeometry* g) const {
        double a = 0;
        GEOSArea_r(m_h, g, &a);
        return a;
    }

private:
    GEOSContextHandle_t m_h;
};

Transformer& utm() {
    static Transformer t(wgs84, utm33);
    return t;
}

MultiPolygon circle_metres(const CoverCircle& c, int segments = 64) {
    return utm().forward(MultiPolygon{{TargetPlanner::circle_polygon(c, segments)}});
}

struct Reference {
    double selection_km2, targeted_km2, covered_km2, coverage_pct, spill_pct;
};

// GEOS: union of the 64-gon circles, its intersection with the union of the selection.
Reference geos_reference(const std::vector<MultiPolygon>& selection_lonlat, const std::vector<MultiPolygon>& targets_metres) {
    const Geos g;
    std::vector<MultiPolygon> sel;
    for (const auto& s : selection_lonlat) sel.push_back(utm().forward(s));
    const auto s = g.unite(sel);
    const auto t = g.unite(targets_metres);
    const auto st = g.intersection(s.get(), t.get());
    Reference r{};
    r.selection_km2 = g.area(s.get()) / 1e6;
    r.targeted_km2 = g.area(t.get()) / 1e6;
    r.covered_km2 = g.area(st.get()) / 1e6;
    r.coverage_pct = 100 * r.covered_km2 / r.selection_km2;
    r.spill_pct = 100 * (r.targeted_km2 - r.covered_km2) / r.targeted_km2;
    return r;
}

// Dense sampling: a regular grid of points in metres, tested with PreparedPolygon and distances.
Reference sampled_reference(const std::vector<MultiPolygon>& selection_lonlat, const std::vector<CoverCircle>& circles,
                            double step) {
    std::vector<PreparedPolygon> sel;
    BBox box;
    for (const auto& s : selection_lonlat) {
        sel.emplace_back(utm().forward(s));
        box.expand(sel.back().bbox());
    }
    std::vector<Point> centres;
    const double r = circles.empty() ? 0 : circles.front().radius_m;
    for (const auto& c : circles) {
        centres.push_back(utm().forward(c.center));
        box.expand(BBox{centres.back().x - r, centres.back().y - r, centres.back().x + r, centres.back().y + r});
    }
    double in_sel = 0, in_target = 0, in_both = 0;
    for (double y = box.min_y + step / 2; y < box.max_y; y += step) {
        for (double x = box.min_x + step / 2; x < box.max_x; x += step) {
            const Point p{x, y};
            const bool s = std::any_of(sel.begin(), sel.end(), [&](const PreparedPolygon& pp) { return pp.contains(p); });
            const bool t = std::any_of(centres.begin(), centres.end(), [&](const Point& c) {
                return (c.x - x) * (c.x - x) + (c.y - y) * (c.y - y) < r * r;
            });
            in_sel += s;
            in_target += t;
            in_both += s && t;
        }
    }
    const double cell = step * step / 1e6;
    return {in_sel * cell, in_target * cell, in_both * cell, 100 * in_both / in_sel, 100 * (in_target - in_both) / in_target};
}

// ---- fixtures ----------------------------------------------------------------------------------

// Synthetic regions drawn in metres near Dresden (E 400000..420000, N 5650000..5665000):
//
//   +--------+--------+
//   |   1    |   2    |     1: 4 x 3 km, 2: 2 x 3 km, 3: 6 x 1 km (a strip)
//   +--------+--------+
//   |        3        |
//   +-----------------+
Transformer& lonlat() {
    static Transformer t(utm33, wgs84);
    return t;
}
MultiPolygon rect_lonlat(double x0, double y0, double x1, double y1) {
    return lonlat().forward(lernorte::geo::test::rect_mp(x0, y0, x1, y1));
}

TargetPlanner synthetic_planner() {
    const double e = 400000, n = 5650000;
    std::vector<TargetRegion> regions{
        {1, "Eins", rect_lonlat(e, n + 1000, e + 4000, n + 4000)},
        {2, "Zwei", rect_lonlat(e + 4000, n + 1000, e + 6000, n + 4000)},
        {3, "Drei", rect_lonlat(e, n, e + 6000, n + 1000)},
    };
    // Residents: 12000 in region 1, 6000 in 2, none in 3.
    std::vector<PopulatedArea> districts{
        {"1", regions[0].geometry, 12000},
        {"2", regions[1].geometry, 6000},
    };
    // Postcodes: the west half (x < e+3000) and the east half over the whole block.
    std::vector<PostcodeArea> postcodes{
        {"01001", rect_lonlat(e, n, e + 3000, n + 4000)},
        {"01002", rect_lonlat(e + 3000, n, e + 6000, n + 4000)},
    };
    return TargetPlanner(std::move(regions), std::move(districts), std::move(postcodes));
}

struct Dresden {
    std::vector<TargetRegion> regions;
    std::map<int, double> ew;
    std::unique_ptr<TargetPlanner> planner;

    Dresden() {
        std::vector<PopulatedArea> districts;
        for (const auto& f : read_all(data_path("boundaries/stadtraeume_17.geojson"))) {
            TargetRegion r;
            r.nr = std::stoi(f.fields.at("stadtraum_nr"));
            r.name = f.fields.at("stadtraum_kurz");
            r.geometry = std::get<MultiPolygon>(f.geometry);
            ew[r.nr] = std::stod(f.fields.at("ew_2025"));
            // The Stadträume stand in for the districts here: their residents are known exactly.
            districts.push_back({std::to_string(r.nr), r.geometry, ew[r.nr]});
            regions.push_back(std::move(r));
        }
        std::vector<PostcodeArea> postcodes;
        for (const auto& f : read_all(data_path("boundaries/plz_dresden.geojson"))) {
            postcodes.push_back({f.fields.at("plz"), std::get<MultiPolygon>(f.geometry)});
        }
        planner = std::make_unique<TargetPlanner>(regions, std::move(districts), std::move(postcodes));
    }
    static const Dresden& get() {
        static const Dresden d;
        return d;
    }
    [[nodiscard]] std::vector<MultiPolygon> geometries(const std::vector<int>& nrs) const {
        std::vector<MultiPolygon> out;
        for (const auto& r : regions) {
            if (std::find(nrs.begin(), nrs.end(), r.nr) != nrs.end()) out.push_back(r.geometry);
        }
        return out;
    }
};

std::vector<MultiPolygon> circles_metres(const CoverResult& c) {
    std::vector<MultiPolygon> out;
    for (const auto& circle : c.circles) out.push_back(circle_metres(circle));
    return out;
}

}  // namespace

// ---- the synthetic map ----------------------------------------------------------------------------

TEST_CASE("a cover of a small block reaches the target and its figures match GEOS", "[targets]") {
    const auto planner = synthetic_planner();
    const auto result = planner.cover({1}, CoverOptions{1000, 0.95});
    REQUIRE(result.target_reached);
    CHECK(result.figures.coverage_pct >= 95.0);
    CHECK(result.figures.selection_km2 == Approx(12.0).epsilon(1e-3));
    CHECK(result.circles.size() >= 4);  // 12 km² with circles of 3.14 km²
    for (const auto& c : result.circles) CHECK(c.radius_m == 1000);

    const auto ref = geos_reference({planner.regions()[0].geometry}, circles_metres(result));
    CHECK(result.figures.coverage_pct == Approx(ref.coverage_pct).margin(0.5));
    CHECK(result.figures.spill_pct == Approx(ref.spill_pct).margin(0.5));
    CHECK(result.figures.targeted_km2 == Approx(ref.targeted_km2).epsilon(0.01));
    // Residents are spread evenly over region 1: inside = coverage share of 12000.
    CHECK(result.figures.residents_selection == Approx(12000).epsilon(1e-3));
    CHECK(result.figures.residents_inside == Approx(12000 * result.figures.coverage_pct / 100).epsilon(2e-3));
}

TEST_CASE("spill counts only what lies outside the selection, residents of the neighbours included", "[targets]") {
    const auto planner = synthetic_planner();
    const auto one = planner.cover({1}, CoverOptions{1000, 0.95});
    const auto both = planner.cover({1, 2}, CoverOptions{1000, 0.95});
    CHECK(both.figures.selection_km2 == Approx(18.0).epsilon(1e-3));
    // Circles of region 1 spill into region 2 (6000 residents on 6 km²) and 3 (nobody).
    CHECK(one.figures.residents_spill > 0);
    CHECK(one.figures.residents_spill < 6000);
    const auto ref = sampled_reference({planner.regions()[0].geometry, planner.regions()[1].geometry}, both.circles, 10);
    CHECK(both.figures.coverage_pct == Approx(ref.coverage_pct).margin(0.5));
    CHECK(both.figures.spill_pct == Approx(ref.spill_pct).margin(0.5));
}

TEST_CASE("a target of 100 % covers everything; a lower target spills less", "[targets]") {
    const auto planner = synthetic_planner();
    const auto full = planner.cover({3}, CoverOptions{1000, 1.0});
    CHECK(full.target_reached);
    CHECK(full.figures.coverage_pct == Approx(100.0).margin(1e-6));
    const auto part = planner.cover({3}, CoverOptions{1000, 0.8});
    CHECK(part.target_reached);
    CHECK(part.figures.coverage_pct >= 80.0);
    CHECK(part.figures.spill_km2 < full.figures.spill_km2);
    CHECK(part.circles.size() <= full.circles.size());
}

TEST_CASE("a wide radius: one circle, with the spill it cannot avoid", "[targets]") {
    const auto planner = synthetic_planner();
    const auto r = planner.cover({2}, CoverOptions{5000, 0.95});
    CHECK(r.target_reached);
    CHECK(r.circles.size() <= 2);
    CHECK(r.figures.spill_pct > 70);  // 6 km² selected, a circle of 78.5 km²
    const auto ref = geos_reference({planner.regions()[1].geometry}, circles_metres(r));
    CHECK(r.figures.spill_pct == Approx(ref.spill_pct).margin(0.5));
}

TEST_CASE("bad cover requests are refused with a clear message", "[targets]") {
    const auto planner = synthetic_planner();
    CHECK_THROWS_WITH(planner.cover({}, CoverOptions{}), Catch::Contains("empty"));
    CHECK_THROWS_WITH(planner.cover({1, 99}, CoverOptions{}), Catch::Contains("unknown Stadtraum 99"));
    CHECK_THROWS_AS(planner.cover({1}, CoverOptions{0, 0.95}), std::invalid_argument);
    CHECK_THROWS_AS(planner.cover({1}, CoverOptions{-5, 0.95}), std::invalid_argument);
    CHECK_THROWS_AS(planner.cover({1}, CoverOptions{std::nan(""), 0.95}), std::invalid_argument);
    CHECK_THROWS_WITH(planner.cover({1}, CoverOptions{1000, 0}), Catch::Contains("target"));
    CHECK_THROWS_WITH(planner.cover({1}, CoverOptions{1000, 1.01}), Catch::Contains("target"));
    CHECK_THROWS_WITH(planner.cover({1}, CoverOptions{0.5, 0.95}), Catch::Contains("too small"));
    CHECK_THROWS_WITH(planner.postcodes({}, 0.5), Catch::Contains("empty"));
    CHECK_THROWS_WITH(planner.postcodes({4}, 0.5), Catch::Contains("unknown Stadtraum 4"));
    CHECK_THROWS_WITH(planner.postcodes({1}, 0), Catch::Contains("threshold"));
    CHECK_THROWS_WITH(planner.postcodes({1}, 1.5), Catch::Contains("threshold"));
}

TEST_CASE("postcode shares follow the areas, and the threshold decides inclusion", "[targets]") {
    const auto planner = synthetic_planner();
    // Region 1 (x 0..4 km, y 1..4 km): all of 01001's part above y=1 km (9 of 12 km²), and a
    // third of 01002 (x 3..4 km: 3 of 12 km²).
    const auto r = planner.postcodes({1}, 0.5);
    REQUIRE(r.postcodes.size() == 2);
    CHECK(r.postcodes[0].code == "01001");
    CHECK(r.postcodes[0].share_in_selection == Approx(0.75).margin(0.002));
    CHECK(r.postcodes[0].included);
    CHECK(r.postcodes[1].code == "01002");
    CHECK(r.postcodes[1].share_in_selection == Approx(0.25).margin(0.002));
    CHECK_FALSE(r.postcodes[1].included);
    // Residents: 01001 holds 9 of region 1's 12 km² -> 9000; all of them in the selection.
    CHECK(r.postcodes[0].residents == Approx(9000).epsilon(2e-3));
    CHECK(r.postcodes[0].residents_share == Approx(1.0).epsilon(2e-3));
    // 01002 holds 3000 of region 1 and all 6000 of region 2.
    CHECK(r.postcodes[1].residents == Approx(9000).epsilon(2e-3));
    CHECK(r.postcodes[1].residents_share == Approx(1.0 / 3).epsilon(3e-3));
    // The chosen set: 01001 covers 9 of 12 km² of the selection and spills 3 km² (region 3).
    CHECK(r.figures.coverage_pct == Approx(75).margin(0.2));
    CHECK(r.figures.spill_pct == Approx(25).margin(0.2));
    CHECK(r.figures.residents_inside == Approx(9000).epsilon(2e-3));

    const auto low = planner.postcodes({1}, 0.2);
    CHECK(low.postcodes[1].included);
    CHECK(low.figures.coverage_pct == Approx(100).margin(0.2));
}

TEST_CASE("postcodes are included by their residents share, or by area on request", "[targets]") {
    const auto planner = synthetic_planner();
    // Region 2 holds half of 01002's area but two thirds of its residents (6000 of 9000).
    const auto by_residents = planner.postcodes({2}, 0.6);
    const auto by_area = planner.postcodes({2}, 0.6, ShareBasis::area);
    REQUIRE(by_residents.postcodes.size() == 1);
    CHECK(by_residents.postcodes[0].share_in_selection == Approx(0.5).margin(0.002));
    CHECK(by_residents.postcodes[0].residents_share == Approx(2.0 / 3).margin(0.003));
    CHECK(by_residents.postcodes[0].share_in_city == Approx(0.75).margin(0.002));  // region 3 has no districts
    CHECK(by_residents.postcodes[0].included);
    CHECK_FALSE(by_area.postcodes[0].included);
    CHECK(by_area.figures.targeted_km2 == 0);
    CHECK(by_area.figures.coverage_pct == 0);
}

TEST_CASE("excluded postcodes are cut out of the circles' figures", "[targets]") {
    const auto planner = synthetic_planner();
    const auto cover = planner.cover({1}, CoverOptions{1000, 0.95});
    const auto cut = planner.circle_figures({1}, cover.circles, {"01002", "99999"});
    const auto same = planner.circle_figures({1}, cover.circles);
    CHECK(same.coverage_pct == Approx(cover.figures.coverage_pct).margin(1e-9));
    CHECK(cut.targeted_km2 < same.targeted_km2);
    // GEOS: the circles minus 01002 (x 3..6 km).
    const Geos g;
    const auto circles = g.unite(circles_metres(cover));
    const auto p = g.geom(utm().forward(planner.postcode_areas()[1].geometry));
    const auto rest = g.own(GEOSDifference_r(g.handle(), circles.get(), p.get()));
    CHECK(cut.targeted_km2 == Approx(g.area(rest.get()) / 1e6).epsilon(0.005));
}

TEST_CASE("neighbours and exclusions", "[targets]") {
    const auto planner = synthetic_planner();
    CHECK(planner.neighbours({1}) == std::vector<int>{2, 3});
    CHECK(planner.neighbours({1, 2, 3}).empty());
    // Region 2 (x 4..6 km) lies entirely in 01002; 01001 has no part in region 2 and all of
    // it in the neighbours 1 and 3: an exclusion.
    const auto r = planner.postcodes({2}, 0.5);
    CHECK(r.exclusions == std::vector<std::string>{"01001"});
}

TEST_CASE("a circle polygon is built in metres", "[targets]") {
    const CoverCircle c{{13.74, 51.05}, 1000};
    const auto poly = TargetPlanner::circle_polygon(c, 64);
    REQUIRE(poly.rings.size() == 1);
    CHECK(poly.rings[0].size() == 65);
    CHECK(poly.rings[0].front() == poly.rings[0].back());
    const double area = planar_area(circle_metres(c));
    const double ngon = 0.5 * 64 * std::sin(2 * std::numbers::pi / 64) * 1e6;
    CHECK(area == Approx(ngon).epsilon(1e-6));
    for (const auto& p : poly.rings[0]) CHECK(haversine_m(p, c.center) == Approx(1000).epsilon(0.003));
}

TEST_CASE("intersection through GEOS", "[targets]") {
    const auto a = test::rect_mp(0, 0, 2, 2);
    const auto b = test::rect_mp(1, 1, 3, 3);
    CHECK(planar_area(intersection(a, b)) == Approx(1.0));
    CHECK(intersection(a, test::rect_mp(5, 5, 6, 6)).empty());
}

// ---- Dresden --------------------------------------------------------------------------------------

TEST_CASE("Dresden: covers of Stadtraum 11, of 2+11+16 and of 7 match GEOS and sampling within 0.5 pp", "[targets][dresden]") {
    const auto& d = Dresden::get();
    for (const std::vector<int>& sel : {std::vector<int>{11}, std::vector<int>{2, 11, 16}, std::vector<int>{7}}) {
        for (const double target : {0.95, 0.8}) {
            INFO("selection starting " << sel.front() << " of " << sel.size() << ", target " << target);
            const auto r = d.planner->cover(sel, CoverOptions{1000, target});
            CHECK(r.target_reached);
            CHECK(r.figures.coverage_pct >= target * 100);
            const auto ref = geos_reference(d.geometries(sel), circles_metres(r));
            CHECK(r.figures.selection_km2 == Approx(ref.selection_km2).epsilon(1e-3));
            CHECK(r.figures.coverage_pct == Approx(ref.coverage_pct).margin(0.5));
            CHECK(r.figures.spill_pct == Approx(ref.spill_pct).margin(0.5));
            const auto sampled = sampled_reference(d.geometries(sel), r.circles, 25);
            CHECK(r.figures.coverage_pct == Approx(sampled.coverage_pct).margin(0.5));
            CHECK(r.figures.spill_pct == Approx(sampled.spill_pct).margin(0.5));
            // Residents: the whole selection's residents are the sum of its ew_2025.
            double ew = 0;
            for (int nr : sel) ew += d.ew.at(nr);
            CHECK(r.figures.residents_selection == Approx(ew).epsilon(0.002));
            CHECK(r.figures.residents_inside <= r.figures.residents_selection);
        }
    }
}

TEST_CASE("Dresden: Snapchat's minimum radius of 96 m on Gorbitz", "[targets][dresden]") {
    const auto& d = Dresden::get();
    const auto r = d.planner->cover({16}, CoverOptions{96, 0.95});
    CHECK(r.target_reached);
    CHECK(r.circles.size() > 50);
    const auto ref = geos_reference(d.geometries({16}), circles_metres(r));
    CHECK(r.figures.coverage_pct == Approx(ref.coverage_pct).margin(0.5));
    CHECK(r.figures.spill_pct == Approx(ref.spill_pct).margin(0.5));
    CHECK(r.figures.spill_pct < 20);  // small circles hug the boundary
}

TEST_CASE("Dresden: the 1 km minimum makes spill unavoidable for Johannstadt", "[targets][dresden]") {
    const auto& d = Dresden::get();
    const auto r = d.planner->cover({2}, CoverOptions{1000, 0.95});
    CHECK(r.figures.spill_pct > 30);
    CHECK(d.planner->region_area_km2(2) == Approx(3.456).epsilon(0.01));
}

TEST_CASE("Dresden: postcode shares match GEOS within 0.5 pp", "[targets][dresden]") {
    const auto& d = Dresden::get();
    const Geos g;
    for (const std::vector<int>& sel : {std::vector<int>{11}, std::vector<int>{2, 11, 16}, std::vector<int>{6}}) {
        const auto r = d.planner->postcodes(sel, 0.5);
        REQUIRE_FALSE(r.postcodes.empty());
        std::vector<MultiPolygon> sel_m;
        for (const auto& s : d.geometries(sel)) sel_m.push_back(utm().forward(s));
        const auto s = g.unite(sel_m);
        std::vector<MultiPolygon> included;
        for (const auto& ps : r.postcodes) {
            const auto it = std::find_if(d.planner->postcode_areas().begin(), d.planner->postcode_areas().end(),
                                         [&](const PostcodeArea& a) { return a.code == ps.code; });
            REQUIRE(it != d.planner->postcode_areas().end());
            const auto pm = utm().forward(it->geometry);
            const auto p = g.geom(pm);
            const auto inter = g.intersection(p.get(), s.get());
            INFO("postcode " << ps.code);
            CHECK(ps.area_km2 == Approx(g.area(p.get()) / 1e6).epsilon(1e-3));
            CHECK(ps.share_in_selection * 100 == Approx(100 * g.area(inter.get()) / g.area(p.get())).margin(0.5));
            const bool by_residents = ps.residents > 0 && ps.share_in_city >= 0.5;
            CHECK(ps.included == ((by_residents ? ps.residents_share : ps.share_in_selection) >= 0.5));
            if (ps.included) included.push_back(pm);
        }
        if (!included.empty()) {
            const auto ref = geos_reference(d.geometries(sel), included);
            CHECK(r.figures.coverage_pct == Approx(ref.coverage_pct).margin(0.5));
            CHECK(r.figures.spill_pct == Approx(ref.spill_pct).margin(0.5));
        }
    }
}

TEST_CASE("Dresden: neighbours of Prohlis/Reick and its exclusion list", "[targets][dresden]") {
    const auto& d = Dresden::get();
    const auto nb = d.planner->neighbours({11});
    CHECK(std::find(nb.begin(), nb.end(), 12) != nb.end());
    CHECK(std::find(nb.begin(), nb.end(), 9) != nb.end());
    CHECK(std::find(nb.begin(), nb.end(), 11) == nb.end());
    const auto r = d.planner->postcodes({11}, 0.5);
    for (const auto& code : r.exclusions) {
        const auto it = std::find_if(r.postcodes.begin(), r.postcodes.end(), [&](const PostcodeShare& p) { return p.code == code; });
        if (it != r.postcodes.end()) {
            CHECK_FALSE(it->included);
            CHECK(it->share_in_selection <= exclusion_max_share);
        }
    }
}

TEST_CASE("Dresden: residents of every Stadtraum and of the city", "[targets][dresden]") {
    const auto& d = Dresden::get();
    double total = 0;
    std::vector<int> all;
    for (const auto& [nr, ew] : d.ew) {
        INFO("Stadtraum " << nr);
        CHECK(d.planner->residents({nr}) == Approx(ew).epsilon(0.002));
        total += ew;
        all.push_back(nr);
    }
    CHECK(d.planner->residents(all) == Approx(total).epsilon(0.001));
}

TEST_CASE("Dresden: the selection geometry is the union", "[targets][dresden]") {
    const auto& d = Dresden::get();
    const auto u = d.planner->selection_geometry({2, 8});  // neighbours: one polygon
    CHECK(u.polygons.size() == 1);
    CHECK(area_km2_wgs84(u) == Approx(d.planner->region_area_km2(2) + d.planner->region_area_km2(8)).epsilon(1e-3));
}
