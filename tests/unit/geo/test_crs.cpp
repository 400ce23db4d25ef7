#include <cmath>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/ogr_source.hpp>

#include "geo_test_support.hpp"

using namespace lernorte::geo;

namespace {

// UTM zone 33N (EPSG:25833) written out independently of PROJ: the Krüger series in
// n = f / (2 - f) up to n^4 (as in Karney 2011, eq. 35), accurate to well under a
// millimetre this close to the central meridian. If PROJ and this agree, the axis order,
// the zone and the ellipsoid in our Transformer are right, not just self-consistent.
struct EastingNorthing {
    double e;
    double n;
};

EastingNorthing utm33_by_formula(double lon_deg, double lat_deg) {
    constexpr double pi = 3.14159265358979323846;
    constexpr double a = 6378137.0;          // GRS80
    constexpr double f = 1 / 298.257222101;  // GRS80
    constexpr double k0 = 0.9996;
    constexpr double lon0 = 15.0 * pi / 180;
    constexpr double false_easting = 500000.0;

    const double n = f / (2 - f);
    const double n2 = n * n, n3 = n2 * n, n4 = n3 * n;
    const double rectifying_a = a / (1 + n) * (1 + n2 / 4 + n4 / 64);
    const double alpha[4] = {
        n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180,
        13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440,
        61 * n3 / 240 - 103 * n4 / 140,
        49561 * n4 / 161280,
    };

    const double phi = lat_deg * pi / 180;
    const double lambda = lon_deg * pi / 180 - lon0;
    const double e_factor = 2 * std::sqrt(n) / (1 + n);  // the first eccentricity
    const double t = std::sinh(std::atanh(std::sin(phi)) - e_factor * std::atanh(e_factor * std::sin(phi)));
    const double xi = std::atan2(t, std::cos(lambda));
    const double eta = std::atanh(std::sin(lambda) / std::sqrt(1 + t * t));

    double x = eta, y = xi;
    for (int j = 1; j <= 4; ++j) {
        x += alpha[j - 1] * std::cos(2 * j * xi) * std::sinh(2 * j * eta);
        y += alpha[j - 1] * std::sin(2 * j * xi) * std::cosh(2 * j * eta);
    }
    return {false_easting + k0 * rectifying_a * x, k0 * rectifying_a * y};
}

struct Landmark {
    const char* name;
    Point lon_lat;
};

const Landmark landmarks[] = {
    {"Johannstadt", {13.7373, 51.0504}},
    {"Frauenkirche", {13.7414, 51.0519}},
    {"Schloss Pillnitz (east)", {13.8697, 51.0087}},
    {"Gorbitz (west)", {13.6470, 51.0445}},
    {"Flughafen (north)", {13.7672, 51.1342}},
};

}  // namespace

TEST_CASE("an EPSG:25833 coordinate lands on the right spot to the centimetre", "[crs]") {
    const Transformer utm_to_lonlat(utm33, wgs84);
    const Transformer lonlat_to_utm(wgs84, utm33);
    for (const auto& [name, where] : landmarks) {
        INFO(name);
        const auto [e, n] = utm33_by_formula(where.x, where.y);

        // The formula's easting/northing, read back by PROJ, is the same place.
        const Point back = utm_to_lonlat.forward(Point{e, n});
        CHECK(haversine_m(back, where) < 0.01);

        // And PROJ's forward projection agrees with the formula in metres.
        const Point projected = lonlat_to_utm.forward(where);
        CHECK(std::hypot(projected.x - e, projected.y - n) < 0.01);
    }
}

TEST_CASE("lon/lat -> UTM 33 -> lon/lat comes back within a millimetre", "[crs]") {
    const Transformer there(wgs84, utm33);
    const Transformer back(utm33, wgs84);
    for (const auto& [name, where] : landmarks) {
        INFO(name);
        const Point utm = there.forward(where);
        CHECK(utm.x > 380000);  // easting first: x stays x whatever the CRS's axis order
        CHECK(utm.x < 440000);
        CHECK(haversine_m(back.forward(utm), where) < 0.001);
    }
}

TEST_CASE("multipolygons are transformed point by point", "[crs]") {
    const Transformer there(wgs84, utm33);
    const MultiPolygon square = lernorte::geo::test::rect_mp(13.73, 51.04, 13.74, 51.05);
    const MultiPolygon utm = there.forward(square);
    REQUIRE(utm.polygons.size() == 1);
    REQUIRE(utm.polygons[0].rings[0].size() == 5);
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(utm.polygons[0].rings[0][i] == there.forward(square.polygons[0].rings[0][i]));
    }
}

TEST_CASE("a transformer can be moved and keeps working", "[crs]") {
    Transformer t(wgs84, utm33);
    Transformer moved(std::move(t));
    const Point expected = moved.forward(landmarks[0].lon_lat);
    Transformer assigned(utm33, wgs84);
    assigned = std::move(moved);
    CHECK(assigned.forward(landmarks[0].lon_lat) == expected);
}

TEST_CASE("a CRS PROJ does not know is an error that names it", "[crs]") {
    CHECK_THROWS_WITH(Transformer("EPSG:999999", wgs84), Catch::Contains("EPSG:999999"));
    CHECK_THROWS_AS(Transformer(wgs84, "not a crs"), std::runtime_error);
}

TEST_CASE("a point outside the projection's domain is an error, not infinity", "[crs]") {
    const Transformer to_utm(wgs84, utm33);
    CHECK_THROWS_AS(to_utm.forward(Point{13.7, 95.0}), std::runtime_error);
    const Transformer to_lonlat(utm33, wgs84);
    CHECK_THROWS_AS(to_lonlat.forward(Point{std::nan(""), 5656349.0}), std::runtime_error);
}

TEST_CASE("the area of Johannstadt is the official 3.456 km²", "[crs][area]") {
    Source source(lernorte::geo::test::data_path("boundaries/stadtraeume_17.geojson"), {});
    std::optional<MultiPolygon> johannstadt;
    while (auto f = source.next()) {
        if (f->fields.at("stadtraum_nr") == "2") johannstadt = std::get<MultiPolygon>(f->geometry);
    }
    REQUIRE(johannstadt);
    CHECK(area_km2_wgs84(*johannstadt) == Approx(3.456).epsilon(0.005));
}

TEST_CASE("a square kilometre drawn in UTM measures one square kilometre", "[crs][area]") {
    const Transformer to_lonlat(utm33, wgs84);
    const MultiPolygon km2 = to_lonlat.forward(lernorte::geo::test::rect_mp(411000, 5656000, 412000, 5657000));
    CHECK(area_km2_wgs84(km2) == Approx(1.0).epsilon(1e-6));
}
