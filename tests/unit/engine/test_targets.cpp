// Geo-target exports: the residents model, every platform's limits and file shape, bad input.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <lernorte/engine/targets.hpp>
#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/ogr_source.hpp>

#include "temp_dir.hpp"

using namespace lernorte;
using engine::Platform;
using engine::TargetError;
using engine::TargetMode;
using engine::TargetRequest;

namespace {

std::vector<storage::Stadtraum> dresden_stadtraeume() {
    std::vector<storage::Stadtraum> out;
    geo::Source source(test::data_file("boundaries/stadtraeume_17.geojson"), {});
    while (auto f = source.next()) {
        storage::Stadtraum s;
        s.nr = std::stoi(f->fields.at("stadtraum_nr"));
        s.name = f->fields.at("stadtraum_name");
        s.short_name = f->fields.at("stadtraum_kurz");
        s.population = std::stoll(f->fields.at("ew_2025"));
        s.geometry = std::get<geo::MultiPolygon>(f->geometry);
        out.push_back(std::move(s));
    }
    return out;
}

struct Dresden {
    std::shared_ptr<const engine::TargetData> data = engine::load_target_data(LERNORTE_TEST_DATA_DIR);
    std::vector<storage::Stadtraum> stadtraeume = dresden_stadtraeume();
    geo::TargetPlanner planner = engine::make_planner(*data, stadtraeume);
    static const Dresden& get() {
        static const Dresden d;
        return d;
    }
};

// A flat synthetic city: one square region of side `km` (in metres near Dresden), residents
// spread evenly; a big one needs hundreds of circles, for the chunk limits.
geo::TargetPlanner square_planner(double km) {
    const geo::Transformer back(geo::utm33, geo::wgs84);
    const double e = 400000, n = 5640000, s = km * 1000;
    const geo::MultiPolygon square = back.forward(
        geo::MultiPolygon{{geo::Polygon{{{{e, n}, {e + s, n}, {e + s, n + s}, {e, n + s}, {e, n}}}}}});
    return geo::TargetPlanner({{1, "Quadrat", square}}, {{"1", square, 100000}}, {});
}

TargetRequest request(std::vector<int> nrs, Platform p, TargetMode mode = TargetMode::circles) {
    TargetRequest r;
    r.stadtraeume = std::move(nrs);
    r.platform = p;
    r.mode = mode;
    r.landing_base = "http://127.0.0.1:8080/";
    return r;
}

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d.IsObject());
    return d;
}

std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    while (const auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    pclose(pipe);
    return out;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        const auto end = s.find("\r\n", start);
        if (end == std::string::npos) {
            out.push_back(s.substr(start));
            break;
        }
        out.push_back(s.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

// The report of every JSON export: the issue's field names, numbers.
void check_report(const rapidjson::Value& report) {
    REQUIRE(report.IsObject());
    for (const char* k : {"circles", "coverage", "spill", "residents_inside"}) {
        INFO(k);
        REQUIRE(report.HasMember(k));
        CHECK(report[k].IsNumber());
    }
    REQUIRE(report["warnings"].IsArray());
    REQUIRE(report["landing_link"].IsString());
    REQUIRE(report["attribution"].IsArray());
}

void check_error(const geo::TargetPlanner& planner, const TargetRequest& r, const std::string& field,
                 const std::string& words) {
    try {
        (void)engine::export_targets(planner, r);
        FAIL("no TargetError for field " << field);
    } catch (const TargetError& e) {
        CHECK(e.field == field);
        CHECK_THAT(std::string(e.what()), Catch::Contains(words));
    }
}

}  // namespace

// ---- data and residents -------------------------------------------------------------------------

TEST_CASE("the target data loads: 64 Stadtteile, their units, 43 postcodes", "[targets]") {
    const auto& d = Dresden::get();
    CHECK(d.data->stadtteile.size() == 64);
    CHECK(d.data->assignments.size() == 65);  // Strehlen on two rows
    CHECK(d.data->units.size() == 62);
    CHECK(d.data->postcodes.size() == 43);
    CHECK(d.data->total_residents == 571510);
    const auto hellerberge = std::find_if(d.data->stadtteile.begin(), d.data->stadtteile.end(),
                                          [](const auto& t) { return t.nr == "34"; });
    REQUIRE(hellerberge != d.data->stadtteile.end());
    CHECK(hellerberge->units == std::vector<std::string>{"31", "32"});
}

TEST_CASE("a missing data file is named in the error", "[targets]") {
    const test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "boundaries");
    std::filesystem::create_directories(dir.path() / "tables");
    std::filesystem::create_directories(dir.path() / "stats");
    CHECK_THROWS_WITH(engine::load_target_data(dir.path().string()), Catch::Contains("stadtteil_stadtraum_zuordnung.csv"));
    std::filesystem::copy_file(test::data_file("tables/stadtteil_stadtraum_zuordnung.csv"),
                               dir.path() / "tables/stadtteil_stadtraum_zuordnung.csv");
    dir.write("stats/einwohner_stadtteil_stadtraum_2025_aggregiert.csv",
              "stadtteil_zus_nr,stadtraum_nr,ew_2025_12_31\n01,01,viele\n");
    CHECK_THROWS_WITH(engine::load_target_data(dir.path().string()), Catch::Contains("'viele' is not a number"));
    dir.write("stats/einwohner_stadtteil_stadtraum_2025_aggregiert.csv", "stadtteil_zus_nr,stadtraum_nr\n01,01\n");
    CHECK_THROWS_WITH(engine::load_target_data(dir.path().string()), Catch::Contains("no column 'ew_2025_12_31'"));
    std::filesystem::copy_file(test::data_file("stats/einwohner_stadtteil_stadtraum_2025_aggregiert.csv"),
                               dir.path() / "stats/einwohner_stadtteil_stadtraum_2025_aggregiert.csv",
                               std::filesystem::copy_options::overwrite_existing);
    CHECK_THROWS_WITH(engine::load_target_data(dir.path().string()), Catch::Contains("stadtteile_64_offiziell.geojson"));
}

TEST_CASE("residents: the city's total is kept, Strehlen is cut along the Stadtraum border", "[targets]") {
    const auto& d = Dresden::get();
    const auto& areas = d.planner.districts();
    double sum = 0;
    for (const auto& a : areas) sum += a.residents;
    CHECK(sum == Approx(571510).epsilon(1e-9));
    auto find = [&](const std::string& key) {
        return std::find_if(areas.begin(), areas.end(), [&](const geo::PopulatedArea& a) { return a.key == key; });
    };
    REQUIRE(find("76/11") != areas.end());
    REQUIRE(find("76/12") != areas.end());
    CHECK(find("76") == areas.end());
    // The Strehlen part in Stadtraum 11 is the 0.66 km² of Sternhäuser/Am Koitschgraben.
    CHECK(geo::area_km2_wgs84(find("76/11")->geometry) == Approx(0.66).epsilon(0.02));
    // Hellerberge is nearly uninhabited heath; it takes a share of 31's and 32's residents by area.
    REQUIRE(find("34") != areas.end());
    CHECK(find("34")->residents > 0);
}

TEST_CASE("residents: every Stadtraum's area-weighted residents come within 1 % of its ew_2025", "[targets]") {
    const auto& d = Dresden::get();
    std::vector<int> all;
    for (const auto& s : d.stadtraeume) {
        INFO("Stadtraum " << s.nr);
        CHECK(d.planner.residents({s.nr}) == Approx(static_cast<double>(s.population)).epsilon(0.01));
        all.push_back(s.nr);
    }
    CHECK(d.planner.residents(all) == Approx(571510).epsilon(0.001));
}

// ---- platforms ------------------------------------------------------------------------------------

TEST_CASE("platform names and limits", "[targets]") {
    for (const auto p : engine::all_platforms()) {
        CHECK(engine::parse_platform(engine::platform_name(p)) == p);
        CHECK(engine::require_platform(engine::platform_name(p)) == p);
    }
    CHECK(engine::all_platforms().size() == 7);
    CHECK_FALSE(engine::parse_platform("facebook"));
    CHECK_FALSE(engine::parse_platform("Meta"));
    try {
        (void)engine::require_platform("myspace");
        FAIL("no error");
    } catch (const TargetError& e) {
        CHECK(e.field == "platform");
        CHECK_THAT(std::string(e.what()), Catch::Contains("meta, google, snapchat, tiktok, geojson, kml, gpkg"));
    }
    CHECK(engine::parse_target_mode("postcodes") == TargetMode::postcodes);
    CHECK_THROWS_AS(engine::require_target_mode("zips"), TargetError);

    const auto meta = engine::platform_limits(Platform::meta);
    CHECK(meta.min_radius_m == 1000);
    CHECK(meta.max_radius_m == 80000);
    CHECK(meta.max_circles_per_chunk == 200);
    CHECK(meta.exclusions);
    const auto google = engine::platform_limits(Platform::google);
    CHECK(google.min_radius_m == 1000);
    CHECK(google.max_circles_per_chunk == 500);
    const auto snap = engine::platform_limits(Platform::snapchat);
    CHECK(snap.min_radius_m == 96);
    CHECK(snap.max_radius_m == 100000);
    CHECK(snap.max_circles_per_chunk == 500);
    const auto tiktok = engine::platform_limits(Platform::tiktok);
    CHECK_FALSE(tiktok.circles);
    CHECK(tiktok.postcodes);
}

TEST_CASE("bad requests get a TargetError naming the parameter", "[targets]") {
    const auto& planner = Dresden::get().planner;
    check_error(planner, request({}, Platform::meta), "stadtraum", "at least one Stadtraum (1 to 17)");
    check_error(planner, request({11, 99}, Platform::meta), "stadtraum", "unknown Stadtraum 99");
    check_error(planner, request({0}, Platform::meta), "stadtraum", "numbered 1 to 17");

    for (const auto& [platform, below, above, words] :
         std::vector<std::tuple<Platform, double, double, std::string>>{
             {Platform::meta, 999, 80001, "1 km to 80 km"},
             {Platform::google, 999.9, 800001, "1 km to 800 km"},
             {Platform::snapchat, 95.9, 100001, "96 m to 100 km"},
             {Platform::geojson, 49, 100001, "50 m to 100 km"}}) {
        auto r = request({11}, platform);
        r.radius_m = below;
        check_error(planner, r, "radius", words);
        r.radius_m = above;
        check_error(planner, r, "radius", words);
        r.radius_m = std::nan("");
        check_error(planner, r, "radius", words);
    }
    auto r = request({11}, Platform::tiktok);
    check_error(planner, r, "mode", "TikTok has no radius targeting");

    r = request({11}, Platform::meta);
    for (const double t : {0.0, 0.99, 100.1, -5.0, std::nan("")}) {
        r.target_pct = t;
        check_error(planner, r, "target", "between 1 and 100");
    }
    r = request({11}, Platform::meta, TargetMode::postcodes);
    for (const double t : {0.0, 100.5}) {
        r.threshold_pct = t;
        check_error(planner, r, "threshold", "between 1 and 100");
    }
    r.threshold_pct = 95;  // no postcode has 95 % of its residents in Prohlis/Reick
    check_error(planner, r, "threshold", "no postcode reaches the threshold of 95 %");

    r = request({11}, Platform::google);
    r.exclude_neighbours = true;
    check_error(planner, r, "exclude_neighbours", "only meta");
    r = request({11}, Platform::meta);
    r.campaign = "";
    check_error(planner, r, "campaign", "1 to 100 characters");
    r.campaign = "Herbst\r\nX";
    check_error(planner, r, "campaign", "control characters");
}

TEST_CASE("the limits that hold: each platform's minimum radius is accepted", "[targets]") {
    const auto& planner = Dresden::get().planner;
    for (const auto p : {Platform::meta, Platform::google, Platform::snapchat}) {
        auto r = request({16}, p);
        r.radius_m = engine::platform_limits(p).min_radius_m;
        const auto out = engine::export_targets(planner, r);
        CHECK_FALSE(out.body.empty());
    }
}

// ---- Meta ---------------------------------------------------------------------------------------

TEST_CASE("Meta: custom_locations with 6 decimals, kilometres, the report", "[targets][meta]") {
    const auto& planner = Dresden::get().planner;
    auto r = request({11}, Platform::meta);
    r.campaign = "Lernorte Herbst";
    const auto out = engine::export_targets(planner, r);
    CHECK(out.content_type == "application/json");
    CHECK(out.filename == "lernorte-meta-stadtraum-11.json");
    const auto doc = parse(out.body);
    REQUIRE(doc["ad_sets"].IsArray());
    REQUIRE(doc["ad_sets"].Size() == 1);
    const auto& set = doc["ad_sets"][0];
    CHECK(std::string(set["name"].GetString()) == "Lernorte Herbst 1/1");
    const auto& locations = set["targeting"]["geo_locations"]["custom_locations"];
    REQUIRE(locations.IsArray());
    REQUIRE(locations.Size() >= 1);
    for (const auto& l : locations.GetArray()) {
        CHECK(l["latitude"].GetDouble() == Approx(51.0).margin(0.1));
        CHECK(l["longitude"].GetDouble() == Approx(13.8).margin(0.1));
        CHECK(l["radius"].GetDouble() >= 1);
        CHECK(l["radius"].GetDouble() <= 80);
        CHECK(std::string(l["distance_unit"].GetString()) == "kilometer");
        CHECK(l["name"].IsString());
    }
    // Exactly six decimals in the file itself.
    const std::regex coordinate(R"re("(latitude|longitude)":(-?[0-9]+)\.([0-9]+))re");
    std::size_t seen = 0;
    for (auto it = std::sregex_iterator(out.body.begin(), out.body.end(), coordinate); it != std::sregex_iterator(); ++it) {
        CHECK((*it)[3].length() == 6);
        ++seen;
    }
    CHECK(seen == 2 * locations.Size());

    const auto& report = doc["report"];
    check_report(report);
    CHECK(report["circles"].GetInt() == static_cast<int>(locations.Size()));
    const auto cover = planner.cover({11}, {1000, 0.95});
    CHECK(report["coverage"].GetDouble() == Approx(std::round(cover.figures.coverage_pct * 10) / 10));
    CHECK(report["coverage"].GetDouble() >= 95);
    CHECK(report["residents_inside"].GetInt() == std::llround(cover.figures.residents_inside));
    CHECK(std::string(report["landing_link"].GetString()) ==
          "http://127.0.0.1:8080/?utm_source=meta&utm_medium=paid_social&utm_campaign=Lernorte%20Herbst#stadtraum=11");
    // report_json is the same report on its own.
    const auto alone = parse(out.report_json);
    CHECK(alone["circles"].GetInt() == report["circles"].GetInt());
    CHECK(out.landing_link == report["landing_link"].GetString());
}

TEST_CASE("Meta: more than 200 circles are split into ad sets", "[targets][meta]") {
    const auto planner = square_planner(30);  // 900 km², some 350 circles of 1 km
    auto r = request({1}, Platform::meta);
    const auto out = engine::export_targets(planner, r);
    const auto doc = parse(out.body);
    const auto& sets = doc["ad_sets"];
    REQUIRE(sets.Size() >= 2);
    std::size_t total = 0;
    for (rapidjson::SizeType i = 0; i < sets.Size(); ++i) {
        const auto n = sets[i]["targeting"]["geo_locations"]["custom_locations"].Size();
        CHECK(n <= 200);
        total += n;
        CHECK(std::string(sets[i]["name"].GetString()) ==
              "Lernorte " + std::to_string(i + 1) + "/" + std::to_string(sets.Size()));
    }
    CHECK(total == static_cast<std::size_t>(doc["report"]["circles"].GetInt()));
    CHECK(doc["report"]["chunks"].GetInt() == static_cast<int>(sets.Size()));
}

TEST_CASE("Meta: neighbours' postcodes as excluded_geo_locations, counted in the figures", "[targets][meta]") {
    const auto& planner = Dresden::get().planner;
    auto r = request({2, 11, 16}, Platform::meta);
    const auto plain = parse(engine::export_targets(planner, r).body);
    r.exclude_neighbours = true;
    const auto out = engine::export_targets(planner, r);
    const auto doc = parse(out.body);
    for (const auto& set : doc["ad_sets"].GetArray()) {
        REQUIRE(set["targeting"].HasMember("excluded_geo_locations"));
        const auto& zips = set["targeting"]["excluded_geo_locations"]["zips"];
        REQUIRE(zips.Size() >= 1);
        for (const auto& z : zips.GetArray()) {
            const std::string key = z["key"].GetString();
            CHECK(std::regex_match(key, std::regex("DE:0[0-9]{4}")));
        }
    }
    const auto& report = doc["report"];
    REQUIRE(report["exclusions"].IsArray());
    CHECK(report["spill"].GetDouble() < plain["report"]["spill"].GetDouble());
    CHECK(std::string(report["landing_link"].GetString()).ends_with("#stadtraum=2,11,16"));
    CHECK(report["landing_links"].Size() == 3);
    CHECK(out.filename == "lernorte-meta-stadtraum-2-11-16.json");
}

TEST_CASE("Meta: postcodes as zips", "[targets][meta]") {
    const auto& planner = Dresden::get().planner;
    const auto out = engine::export_targets(planner, request({11}, Platform::meta, TargetMode::postcodes));
    CHECK(out.filename == "lernorte-meta-stadtraum-11-plz.json");
    const auto doc = parse(out.body);
    const auto& zips = doc["ad_sets"][0]["targeting"]["geo_locations"]["zips"];
    REQUIRE(zips.Size() >= 1);
    CHECK(std::string(zips[0]["key"].GetString()) == "DE:01239");  // Prohlis: half its residents
    const auto& report = doc["report"];
    check_report(report);
    CHECK(report["circles"].GetInt() == 0);
    REQUIRE(report["postcodes"].IsArray());
    bool left_out_warning = false;
    for (const auto& w : report["warnings"].GetArray()) {
        left_out_warning = left_out_warning || std::string(w.GetString()).find("01237 is left out") != std::string::npos;
    }
    CHECK(left_out_warning);
    CHECK(report["attribution"].Size() == 2);
    CHECK_THAT(std::string(report["attribution"][1].GetString()), Catch::Contains("OpenStreetMap"));
}

// ---- Google ---------------------------------------------------------------------------------------

TEST_CASE("Google: the proximity CSV, and campaigns of at most 500 rows", "[targets][google]") {
    const auto& planner = Dresden::get().planner;
    auto r = request({11, 16}, Platform::google);
    r.campaign = "Herbst, 2026";
    const auto out = engine::export_targets(planner, r);
    CHECK(out.content_type == "text/csv; charset=utf-8");
    CHECK(out.filename == "lernorte-google-stadtraum-11-16.csv");
    const auto rows = lines(out.body);
    REQUIRE(rows.size() >= 2);
    CHECK(rows[0] == "Campaign,Latitude,Longitude,Radius,Unit");
    const auto report = parse(out.report_json);
    CHECK(rows.size() - 1 == static_cast<std::size_t>(report["circles"].GetInt()));
    const std::regex row(R"re("Herbst, 2026",5[01]\.[0-9]{6},13\.[0-9]{6},1,km)re");
    for (std::size_t i = 1; i < rows.size(); ++i) CHECK(std::regex_match(rows[i], row));

    const auto big = square_planner(40);  // some 620 circles of 1 km
    const auto many = lines(engine::export_targets(big, request({1}, Platform::google)).body);
    REQUIRE(many.size() > 501);
    std::map<std::string, int> per_campaign;
    for (std::size_t i = 1; i < many.size(); ++i) ++per_campaign[many[i].substr(0, many[i].find(','))];
    CHECK(per_campaign.size() == 2);
    CHECK(per_campaign["Lernorte 1"] == 500);
    CHECK(per_campaign["Lernorte 2"] == static_cast<int>(many.size()) - 501);
}

TEST_CASE("Google: the postcode CSV", "[targets][google]") {
    const auto& planner = Dresden::get().planner;
    const auto out = engine::export_targets(planner, request({16}, Platform::google, TargetMode::postcodes));
    const auto rows = lines(out.body);
    REQUIRE(rows.size() >= 2);
    CHECK(rows[0] == "Campaign,Location");
    CHECK(rows[1] == "Lernorte,\"01169, Germany\"");
}

// ---- Snapchat, TikTok -----------------------------------------------------------------------------

TEST_CASE("Snapchat: circles in metres from 96 m, split above 500", "[targets][snapchat]") {
    const auto& planner = Dresden::get().planner;
    auto r = request({16}, Platform::snapchat);
    r.radius_m = 96;
    const auto doc = parse(engine::export_targets(planner, r).body);
    REQUIRE(doc["circles"].IsArray());
    CHECK(doc["circles"].Size() > 50);
    CHECK(doc["circles"].Size() <= 500);
    for (const auto& c : doc["circles"].GetArray()) {
        CHECK(c["radius"].GetDouble() == 96);
        CHECK(std::string(c["unit"].GetString()) == "METERS");
        CHECK(c["latitude"].IsNumber());
        CHECK(c["longitude"].IsNumber());
    }
    check_report(doc["report"]);
    CHECK(doc["report"]["spill"].GetDouble() < 10);

    // Stadtraum 1 at 96 m takes more than 500 circles.
    r = request({1}, Platform::snapchat);
    r.radius_m = 96;
    const auto split = parse(engine::export_targets(planner, r).body);
    REQUIRE(split.HasMember("ad_squads"));
    CHECK_FALSE(split.HasMember("circles"));
    int total = 0;
    for (const auto& squad : split["ad_squads"].GetArray()) {
        CHECK(squad["circles"].Size() <= 500);
        total += static_cast<int>(squad["circles"].Size());
    }
    CHECK(total == split["report"]["circles"].GetInt());
    CHECK(total > 500);
}

TEST_CASE("Snapchat and TikTok: postal codes", "[targets][snapchat][tiktok]") {
    const auto& planner = Dresden::get().planner;
    const auto snap = parse(engine::export_targets(planner, request({16}, Platform::snapchat, TargetMode::postcodes)).body);
    REQUIRE(snap["postal_codes"].IsArray());
    CHECK(std::string(snap["postal_codes"][0]["postal_code"].GetString()) == "01169");
    CHECK(std::string(snap["postal_codes"][0]["country_code"].GetString()) == "de");
    check_report(snap["report"]);

    const auto out = engine::export_targets(planner, request({2, 11, 16}, Platform::tiktok, TargetMode::postcodes));
    const auto tiktok = parse(out.body);
    REQUIRE(tiktok["postal_codes"].IsArray());
    std::vector<std::string> codes;
    for (const auto& p : tiktok["postal_codes"].GetArray()) codes.emplace_back(p["postal_code"].GetString());
    CHECK(std::find(codes.begin(), codes.end(), "01307") != codes.end());  // Johannstadt
    CHECK(std::find(codes.begin(), codes.end(), "01169") != codes.end());  // Gorbitz
    check_report(tiktok["report"]);
    CHECK(tiktok["report"]["coverage"].GetDouble() > 0);
}

// ---- files for GIS --------------------------------------------------------------------------------

TEST_CASE("GeoPackage, KML and GeoJSON open in ogrinfo with the Stadtraum and the circles", "[targets][gis]") {
    const auto& planner = Dresden::get().planner;
    const test::TempDir dir;
    const auto report = parse(engine::export_targets(planner, request({11}, Platform::meta)).report_json);
    const int circles = report["circles"].GetInt();

    const auto gpkg = engine::export_targets(planner, request({11}, Platform::gpkg));
    CHECK(gpkg.filename == "lernorte-gpkg-stadtraum-11.gpkg");
    const auto gpkg_info = run("ogrinfo -ro -so -al " + dir.write("t.gpkg", gpkg.body) + " 2>&1");
    INFO(gpkg_info);
    CHECK_THAT(gpkg_info, Catch::Contains("Layer name: stadtraeume"));
    CHECK_THAT(gpkg_info, Catch::Contains("Layer name: circles"));
    CHECK_THAT(gpkg_info, Catch::Contains("Feature Count: 1\n"));
    CHECK_THAT(gpkg_info, Catch::Contains("Feature Count: " + std::to_string(circles) + "\n"));

    const auto kml = engine::export_targets(planner, request({11}, Platform::kml));
    const auto kml_info = run("ogrinfo -ro -so -al " + dir.write("t.kml", kml.body) + " 2>&1");
    INFO(kml_info);
    CHECK_THAT(kml_info, Catch::Contains("Layer name: circles"));
    CHECK_THAT(kml_info, Catch::Contains("Feature Count: " + std::to_string(circles) + "\n"));

    const auto geojson = engine::export_targets(planner, request({11}, Platform::geojson));
    CHECK(geojson.content_type == "application/geo+json");
    const auto json_info = run("ogrinfo -ro -so -al " + dir.write("t.geojson", geojson.body) + " 2>&1");
    INFO(json_info);
    CHECK_THAT(json_info, Catch::Contains("Feature Count: " + std::to_string(circles + 1) + "\n"));
    const auto doc = parse(geojson.body);
    CHECK(std::string(doc["features"][0]["properties"]["kind"].GetString()) == "stadtraum");

    // Postcodes: a "postcodes" layer with plz and share.
    const auto plz = engine::export_targets(planner, request({16}, Platform::gpkg, TargetMode::postcodes));
    const auto plz_info = run("ogrinfo -ro -al " + dir.write("p.gpkg", plz.body) + " postcodes 2>&1");
    INFO(plz_info);
    CHECK_THAT(plz_info, Catch::Contains("plz (String) = 01169"));
    CHECK_THAT(plz_info, Catch::Contains("share (Real)"));
}

// ---- warnings -------------------------------------------------------------------------------------

TEST_CASE("the planner is told plainly when the minimum radius makes spill unavoidable", "[targets]") {
    const auto& planner = Dresden::get().planner;
    const auto out = engine::export_targets(planner, request({2}, Platform::meta));
    REQUIRE_FALSE(out.warnings.empty());
    const auto& w = out.warnings.front();
    CHECK_THAT(w, Catch::Contains("cannot be avoided on Meta"));
    CHECK_THAT(w, Catch::Contains("3.14 km²"));
    CHECK_THAT(w, Catch::Contains("about as large as all of"));

    // A radius above the minimum: the advice is to go smaller.
    auto r = request({2}, Platform::meta);
    r.radius_m = 2000;
    const auto larger = engine::export_targets(planner, r);
    REQUIRE_FALSE(larger.warnings.empty());
    CHECK_THAT(larger.warnings.front(), Catch::Contains("a smaller radius (down to 1 km on Meta)"));

    // Snapchat's 96 m hugs the border: no spill warning.
    r = request({2}, Platform::snapchat);
    r.radius_m = 96;
    CHECK(engine::export_targets(planner, r).warnings.empty());
}
