#pragma once
// Geo-target exports for campaign planners: the circles or postcodes that reach the residents
// of chosen Stadträume, as files the ad platforms (Meta, Google Ads, Snapchat, TikTok) accept as
// they are, or as GeoJSON/KML/GeoPackage for the planners' own tools. geo::TargetPlanner
// computes; this file loads the residents and postcodes, checks a request against the
// platform's limits and writes the file. No HTTP here: the route and `lernorte export targets`
// both call export_targets().

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <lernorte/geo/targets.hpp>
#include <lernorte/storage/model.hpp>

namespace lernorte::engine {

enum class Platform { meta, google, snapchat, tiktok, geojson, kml, gpkg };

/// "meta", "google", "snapchat", "tiktok", "geojson", "kml", "gpkg" (exactly these, lower case).
[[nodiscard]] std::optional<Platform> parse_platform(std::string_view name);
[[nodiscard]] std::string_view platform_name(Platform p);
/// The platform as planners know it: "Meta", "Google Ads", "Snapchat", "TikTok", "GeoJSON", ...
[[nodiscard]] std::string_view platform_label(Platform p);
/// Every platform, in the enum's order.
[[nodiscard]] const std::vector<Platform>& all_platforms();

/// What a platform accepts. max_circles_per_chunk: circles per ad set / campaign / ad squad
/// (more are split into several); SIZE_MAX where there is no limit. Radii in metres; a platform
/// without circles has 0 for both.
struct PlatformLimits {
    bool circles;
    bool postcodes;
    double min_radius_m;
    double max_radius_m;
    std::size_t max_circles_per_chunk;
    bool exclusions;  ///< excluded locations (Meta's excluded_geo_locations)
};
[[nodiscard]] PlatformLimits platform_limits(Platform p);

enum class TargetMode { circles, postcodes };
/// "circles" or "postcodes".
[[nodiscard]] std::optional<TargetMode> parse_target_mode(std::string_view name);

struct TargetRequest {
    std::vector<int> stadtraeume;
    Platform platform = Platform::geojson;
    TargetMode mode = TargetMode::circles;
    std::optional<double> radius_m;   ///< default: max(1000, platform minimum)
    double target_pct = 95;           ///< 1..100
    double threshold_pct = 50;        ///< postcode inclusion, 1..100
    geo::ShareBasis share_basis = geo::ShareBasis::residents;  ///< which share the threshold applies to
    bool exclude_neighbours = false;  ///< Meta only: excluded_geo_locations
    std::string campaign = "Lernorte";
    /// e.g. "http://127.0.0.1:8080/"; the landing link is landing_base + "?utm_source=..&utm_medium=..
    /// &utm_campaign=..#stadtraum=11" (several Stadträume: "#stadtraum=2,11,16"). Empty: "/".
    std::string landing_base;
};

/// A bad request: `field` names the query parameter (stadtraum, platform, radius, target,
/// threshold, mode, exclude_neighbours, campaign), what() says what is wrong and what is allowed.
struct TargetError : std::runtime_error {
    std::string field;
    TargetError(std::string field, const std::string& msg);
};

/// parse_platform, or a TargetError (field "platform") listing the platforms.
[[nodiscard]] Platform require_platform(std::string_view name);
/// parse_target_mode, or a TargetError (field "mode").
[[nodiscard]] TargetMode require_target_mode(std::string_view name);

struct TargetExport {
    std::string body;          ///< the file (binary for gpkg)
    std::string content_type;  ///< e.g. "application/json", "text/csv; charset=utf-8"
    std::string filename;      ///< e.g. "lernorte-meta-stadtraum-11.json"
    /// {"circles":N,"coverage":..,"spill":..,"residents_inside":..,...,"postcodes":[...],
    ///  "warnings":[...],"landing_link":".."}; the JSON files carry it as their "report".
    std::string report_json;
    std::vector<std::string> warnings;  ///< plain sentences for the planner
    std::string landing_link;
};

/// The data behind the residents and the postcodes, read once from the data directory.
struct TargetData {
    struct Stadtteil {
        std::string nr;                  ///< "76"
        std::string name;
        std::vector<std::string> units;  ///< statistics units ("stadtteil_zus"): "31" and "32" for Hellerberge
        geo::MultiPolygon geometry;
    };
    struct Assignment {  ///< a Stadtteil (or the part of it) in a Stadtraum
        std::string stadtteil;
        int stadtraum = 0;
        double area_share = 1;
    };
    struct Unit {  ///< residents of a statistics unit within one Stadtraum
        std::string zus;
        int stadtraum = 0;
        double residents = 0;
    };
    std::vector<Stadtteil> stadtteile;
    std::vector<Assignment> assignments;
    std::vector<Unit> units;
    std::vector<geo::PostcodeArea> postcodes;
    double total_residents = 0;  ///< sum over the units
};

/// Reads boundaries/stadtteile_64_offiziell.geojson, tables/stadtteil_stadtraum_zuordnung.csv,
/// stats/einwohner_stadtteil_stadtraum_2025_aggregiert.csv and boundaries/plz_dresden.geojson.
/// Throws std::runtime_error naming the file.
[[nodiscard]] std::shared_ptr<const TargetData> load_target_data(const std::string& data_dir);

/// The residents spread over the Stadtteile (see docs/BENCHMARKS-targets.md and targets.cpp):
/// a unit's residents are spread over its member Stadtteile by area; a Stadtteil split between
/// Stadträume (76 Strehlen) is cut along the Stadtraum border, each part taking the residents
/// its Stadtraum's row reports; Hellerberge (34, unit "31/32", nearly uninhabited heath and
/// forest) counts half of its area towards unit 31 and half towards unit 32.
[[nodiscard]] std::vector<geo::PopulatedArea> populated_areas(const TargetData& data,
                                                              const std::vector<storage::Stadtraum>& stadtraeume);

/// A planner over the Stadträume (regions), populated_areas() and the postcodes. Build it once
/// per set of Stadträume (a few tens of ms) and keep it; it is immutable and thread-safe.
[[nodiscard]] geo::TargetPlanner make_planner(const TargetData&, const std::vector<storage::Stadtraum>& stadtraeume);

/// Checks the request against the platform's limits, computes and writes the file.
/// Throws TargetError for bad input (never a half-written file).
[[nodiscard]] TargetExport export_targets(const geo::TargetPlanner& planner, const TargetRequest& request);

/// Attribution lines for the data in an export (Stadtteile/residents, postcodes).
inline constexpr std::string_view residents_attribution =
    "Einwohner und Stadtteile: Landeshauptstadt Dresden, dl-de/by-2-0, opendata.dresden.de";
inline constexpr std::string_view postcode_attribution =
    "Postleitzahlgebiete: © OpenStreetMap contributors, ODbL 1.0, via suche-postleitzahl.org";

}  // namespace lernorte::engine
