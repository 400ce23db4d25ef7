#include <lernorte/engine/targets.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/ogr_sink.hpp>
#include <lernorte/geo/ogr_source.hpp>

namespace lernorte::engine {

namespace {

constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

struct PlatformInfo {
    Platform platform;
    std::string_view name;
    std::string_view label;
    PlatformLimits limits;
    std::string_view utm_medium;
};

// The limits, as the platforms document them:
// - Meta Marketing API, targeting spec geo_locations.custom_locations: radius 1 to 80 km
//   (distance_unit "kilometer"); at most 200 custom locations per ad set; zips as "DE:01307";
//   excluded_geo_locations takes the same location types.
// - Google Ads (Editor CSV import, proximity targets): radius at least 1 km (Google allows up
//   to 800 km); at most 500 proximity targets per campaign.
// - Snapchat Marketing API, circles: radius 96 m (0.06 mi) to 100 km, at most 500 per ad squad;
//   postal codes with country_code.
// - TikTok: no radius targeting; postcodes only.
// - Our own files: any radius from 50 m to 100 km, no chunks.
const std::vector<PlatformInfo>& platforms() {
    static const std::vector<PlatformInfo> table{
        {Platform::meta, "meta", "Meta", {true, true, 1000, 80000, 200, true}, "paid_social"},
        {Platform::google, "google", "Google Ads", {true, true, 1000, 800000, 500, false}, "cpc"},
        {Platform::snapchat, "snapchat", "Snapchat", {true, true, 96, 100000, 500, false}, "paid_social"},
        {Platform::tiktok, "tiktok", "TikTok", {false, true, 0, 0, no_limit, false}, "paid_social"},
        {Platform::geojson, "geojson", "GeoJSON", {true, true, 50, 100000, no_limit, false}, "campaign"},
        {Platform::kml, "kml", "KML", {true, true, 50, 100000, no_limit, false}, "campaign"},
        {Platform::gpkg, "gpkg", "GeoPackage", {true, true, 50, 100000, no_limit, false}, "campaign"},
    };
    return table;
}

const PlatformInfo& info(Platform p) {
    for (const auto& i : platforms()) {
        if (i.platform == p) return i;
    }
    throw std::logic_error("unknown platform");
}

std::string platform_list() {
    std::string out;
    for (const auto& i : platforms()) out += (out.empty() ? "" : ", ") + std::string(i.name);
    return out;
}

// ---- numbers as text ------------------------------------------------------------------------------

std::string fixed(double v, int decimals) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return std::string(buf, static_cast<std::size_t>(std::max(0, n)));
}

// Up to `decimals`, without trailing zeros: 1 -> "1", 1.25 -> "1.25".
std::string trimmed(double v, int decimals) {
    std::string s = fixed(v, decimals);
    if (s.find('.') != std::string::npos) {
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
    }
    return s == "-0" ? "0" : s;
}

double round_to(double v, int decimals) {
    const double f = std::pow(10.0, decimals);
    return std::round(v * f) / f;
}

// German-style readable numbers in sentences stay in English notation (the API is English).
std::string km(double metres) { return trimmed(metres / 1000.0, 3) + " km"; }
std::string radius_text(double metres) { return metres >= 1000 ? km(metres) : trimmed(metres, 1) + " m"; }

std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string join_ints(const std::vector<int>& v, std::string_view sep) {
    std::string out;
    for (int i : v) out += (out.empty() ? "" : std::string(sep)) + std::to_string(i);
    return out;
}

// ---- plain CSV (RFC 4180: quotes, doubled quotes, CRLF, a UTF-8 BOM) ------------------------------

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            any = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
            any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            if (any || !field.empty()) {
                row.push_back(std::move(field));
                rows.push_back(std::move(row));
            }
            row.clear();
            field.clear();
            any = false;
        } else {
            field += c;
            any = true;
        }
    }
    if (quoted) throw std::runtime_error(path + ": unterminated quote");
    if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

// Rows as maps of header -> value; throws naming the file and the missing column.
std::vector<std::map<std::string, std::string>> read_table(const std::string& path,
                                                           const std::vector<std::string>& required) {
    const auto rows = read_csv(path);
    if (rows.empty()) throw std::runtime_error(path + ": empty file");
    const auto& header = rows.front();
    for (const auto& column : required) {
        if (std::find(header.begin(), header.end(), column) == header.end()) {
            throw std::runtime_error(path + ": no column '" + column + "'");
        }
    }
    std::vector<std::map<std::string, std::string>> out;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        if (rows[r].size() != header.size()) {
            throw std::runtime_error(path + ", line " + std::to_string(r + 1) + ": " + std::to_string(rows[r].size()) +
                                     " fields, the header has " + std::to_string(header.size()));
        }
        std::map<std::string, std::string> m;
        for (std::size_t c = 0; c < header.size(); ++c) m[header[c]] = rows[r][c];
        out.push_back(std::move(m));
    }
    return out;
}

double to_number(const std::string& text, const std::string& where) {
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used != text.size() || !std::isfinite(v)) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        throw std::runtime_error(where + ": '" + text + "' is not a number");
    }
}

int to_int(const std::string& text, const std::string& where) {
    const double v = to_number(text, where);
    if (v != std::floor(v)) throw std::runtime_error(where + ": '" + text + "' is not a whole number");
    return static_cast<int>(v);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

// ---- JSON -----------------------------------------------------------------------------------------

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void string(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
// A number with exactly `decimals` digits after the point (coordinates: 6), as RapidJSON writes
// a raw number token.
void fixed_number(Writer& w, double v, int decimals) {
    const std::string s = fixed(v, decimals);
    w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
}
void number(Writer& w, double v) {
    if (v == std::floor(v) && std::abs(v) < 1e15) {
        w.Int64(static_cast<std::int64_t>(v));
    } else {
        w.Double(v);
    }
}

// ---- the computed export, before formatting -----------------------------------------------------

struct Plan {
    const geo::TargetPlanner* planner = nullptr;
    const TargetRequest* request = nullptr;
    const PlatformInfo* platform = nullptr;
    std::vector<int> selection;  // sorted, unique
    double radius_m = 0;
    geo::CoverResult cover;       // circles mode
    geo::PostcodeResult postcodes;
    bool have_postcodes = false;  // postcodes computed (postcode mode, or exclusions)
    std::vector<std::string> exclusions;
    geo::AreaFigures figures;     // what is reported
    std::vector<std::string> included;  // postcode mode
    std::vector<std::string> warnings;
    std::string landing_link;
    std::vector<std::pair<int, std::string>> landing_links;
    std::size_t chunks = 1;
};

std::string landing_link(const std::string& base_in, const PlatformInfo& p, const std::string& campaign,
                         const std::vector<int>& nrs) {
    std::string base = base_in.empty() ? "/" : base_in;
    if (const auto hash = base.find('#'); hash != std::string::npos) base.erase(hash);
    base += base.find('?') == std::string::npos ? "?" : "&";
    return base + "utm_source=" + std::string(p.name) + "&utm_medium=" + std::string(p.utm_medium) +
           "&utm_campaign=" + url_encode(campaign) + "#stadtraum=" + join_ints(nrs, ",");
}

std::string region_name(const geo::TargetPlanner& planner, int nr) {
    for (const auto& r : planner.regions()) {
        if (r.nr == nr) return r.name;
    }
    return std::to_string(nr);
}

// "about as large as all of Johannstadt (3.46 km²)": the region closest in area to `km2`,
// other than the selected ones (the sentence then names the selection's own area).
std::string comparison(const geo::TargetPlanner& planner, double km2, const std::vector<int>& selection) {
    int best = 0;
    double best_ratio = std::numeric_limits<double>::infinity();
    for (const auto& r : planner.regions()) {
        if (std::find(selection.begin(), selection.end(), r.nr) != selection.end()) continue;
        const double a = planner.region_area_km2(r.nr);
        if (!(a > 0)) continue;
        const double ratio = std::abs(std::log(km2 / a));
        if (ratio < best_ratio) {
            best_ratio = ratio;
            best = r.nr;
        }
    }
    if (best == 0 || best_ratio > std::log(1.35)) return {};  // "about as large": within 35 %
    return ", about as large as all of " + region_name(planner, best) + " (" +
           trimmed(planner.region_area_km2(best), 2) + " km²)";
}

void circle_warnings(Plan& plan) {
    const auto& f = plan.figures;
    const auto& limits = plan.platform->limits;
    const std::string label(plan.platform->label);
    if (!plan.cover.target_reached) {
        plan.warnings.push_back("The target coverage of " + trimmed(plan.request->target_pct, 1) +
                                " % was not reached: the circles cover " + trimmed(round_to(f.coverage_pct, 1), 1) +
                                " % of the selection.");
    }
    if (f.spill_pct > 30) {
        const double circle_km2 = std::numbers::pi * plan.radius_m * plan.radius_m / 1e6;
        const std::string spill = trimmed(round_to(f.spill_pct, 1), 1) + " % of the targeted area (" +
                                  trimmed(round_to(f.spill_km2, 2), 2) + " km²) lies outside the selection";
        if (plan.radius_m <= limits.min_radius_m + 1e-9) {
            plan.warnings.push_back("The spill cannot be avoided on " + label + ": its minimum radius is " +
                                    radius_text(limits.min_radius_m) + ", and a single circle of " +
                                    radius_text(plan.radius_m) + " covers " + trimmed(round_to(circle_km2, 2), 2) +
                                    " km²" + comparison(*plan.planner, circle_km2, plan.selection) + "; the selection is " +
                                    trimmed(round_to(f.selection_km2, 2), 2) + " km². " + spill + ".");
        } else {
            plan.warnings.push_back(spill + "; a smaller radius (down to " + radius_text(limits.min_radius_m) +
                                    " on " + label + ") spills less.");
        }
    }
    if (!plan.exclusions.empty()) {
        std::string list;
        for (const auto& c : plan.exclusions) list += (list.empty() ? "" : ", ") + c;
        const auto& before = plan.cover.figures;
        plan.warnings.push_back(std::to_string(plan.exclusions.size()) +
                                " postcodes of the neighbouring Stadträume are excluded (" + list +
                                "); the figures count the circles without them: coverage " +
                                trimmed(round_to(before.coverage_pct, 1), 1) + " % -> " +
                                trimmed(round_to(f.coverage_pct, 1), 1) + " %, spill " +
                                trimmed(round_to(before.spill_pct, 1), 1) + " % -> " +
                                trimmed(round_to(f.spill_pct, 1), 1) + " %.");
    }
}

void postcode_warnings(Plan& plan) {
    const auto& threshold = plan.request->threshold_pct;
    const bool by_residents = plan.request->share_basis == geo::ShareBasis::residents;
    std::vector<std::string> touching;
    double selection_km2 = plan.figures.selection_km2;
    for (const auto& p : plan.postcodes.postcodes) {
        if (p.included) continue;
        const double part_km2 = p.share_in_selection * p.area_km2;
        if (p.share_in_selection < 0.05 && (selection_km2 <= 0 || part_km2 < 0.05 * selection_km2)) {
            touching.push_back(p.code);
        } else {
            plan.warnings.push_back(
                "Postcode " + p.code + " is left out: " +
                (by_residents ? trimmed(round_to(100 * p.residents_share, 1), 1) + " % of its residents and " : "") +
                trimmed(round_to(100 * p.share_in_selection, 1), 1) + " % of its area lie in the selection, below the threshold of " +
                trimmed(threshold, 1) + " %.");
        }
    }
    if (!touching.empty()) {
        std::string list;
        for (const auto& c : touching) list += (list.empty() ? "" : ", ") + c;
        plan.warnings.push_back("Postcode" + std::string(touching.size() > 1 ? "s " : " ") + list +
                                (touching.size() > 1 ? " only touch" : " only touches") +
                                " the selection (less than 5 % of the area) and " +
                                (touching.size() > 1 ? "are" : "is") + " left out.");
    }
    if (plan.figures.coverage_pct < 50) {
        plan.warnings.push_back("The chosen postcodes cover only " + trimmed(round_to(plan.figures.coverage_pct, 1), 1) +
                                " % of the selection: Dresden's postcode areas are about as large as its Stadträume. "
                                "Lower the threshold, or target circles.");
    }
}

// ---- the report ---------------------------------------------------------------------------------

void write_report(Writer& w, const Plan& plan) {
    const auto& f = plan.figures;
    const auto& req = *plan.request;
    const bool circles = req.mode == TargetMode::circles;
    w.StartObject();
    key(w, "stadtraeume");
    w.StartArray();
    for (int nr : plan.selection) w.Int(nr);
    w.EndArray();
    key(w, "platform");
    string(w, plan.platform->name);
    key(w, "mode");
    string(w, circles ? "circles" : "postcodes");
    if (circles) {
        key(w, "radius_m");
        number(w, round_to(plan.radius_m, 1));
        key(w, "target");
        number(w, round_to(req.target_pct, 1));
        key(w, "target_reached");
        w.Bool(plan.cover.target_reached);
    } else {
        key(w, "threshold");
        number(w, round_to(req.threshold_pct, 1));
        key(w, "share_basis");
        string(w, req.share_basis == geo::ShareBasis::residents ? "residents" : "area");
    }
    key(w, "circles");
    w.Uint64(circles ? plan.cover.circles.size() : 0);
    key(w, "chunks");
    w.Uint64(plan.chunks);
    key(w, "coverage");
    number(w, round_to(f.coverage_pct, 1));
    key(w, "spill");
    number(w, round_to(f.spill_pct, 1));
    key(w, "residents_inside");
    w.Int64(std::llround(f.residents_inside));
    key(w, "residents_selection");
    w.Int64(std::llround(f.residents_selection));
    key(w, "residents_spill");
    w.Int64(std::llround(f.residents_spill));
    key(w, "selection_km2");
    number(w, round_to(f.selection_km2, 2));
    key(w, "targeted_km2");
    number(w, round_to(f.targeted_km2, 2));
    key(w, "covered_km2");
    number(w, round_to(f.covered_km2, 2));
    key(w, "spill_km2");
    number(w, round_to(f.spill_km2, 2));
    if (plan.have_postcodes && !circles) {
        key(w, "postcodes");
        w.StartArray();
        for (const auto& p : plan.postcodes.postcodes) {
            w.StartObject();
            key(w, "plz");
            string(w, p.code);
            key(w, "share");
            number(w, round_to(100 * p.share_in_selection, 1));
            key(w, "residents_share");
            number(w, round_to(100 * p.residents_share, 1));
            key(w, "residents");
            w.Int64(std::llround(p.residents));
            key(w, "residents_in_selection");
            w.Int64(std::llround(p.residents_in_selection));
            key(w, "included");
            w.Bool(p.included);
            w.EndObject();
        }
        w.EndArray();
    }
    if (!plan.exclusions.empty()) {
        key(w, "exclusions");
        w.StartArray();
        for (const auto& c : plan.exclusions) string(w, c);
        w.EndArray();
    }
    key(w, "warnings");
    w.StartArray();
    for (const auto& s : plan.warnings) string(w, s);
    w.EndArray();
    key(w, "landing_link");
    string(w, plan.landing_link);
    key(w, "landing_links");
    w.StartArray();
    for (const auto& [nr, link] : plan.landing_links) {
        w.StartObject();
        key(w, "stadtraum");
        w.Int(nr);
        key(w, "link");
        string(w, link);
        w.EndObject();
    }
    w.EndArray();
    key(w, "attribution");
    w.StartArray();
    string(w, residents_attribution);
    if (plan.have_postcodes) string(w, postcode_attribution);
    w.EndArray();
    w.EndObject();
}

std::string report_json(const Plan& plan) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    write_report(w, plan);
    return {buffer.GetString(), buffer.GetSize()};
}

// ---- platform files -------------------------------------------------------------------------------

template <class T>
std::vector<std::vector<T>> chunks_of(const std::vector<T>& all, std::size_t size) {
    std::vector<std::vector<T>> out;
    if (size == 0 || size == no_limit || all.size() <= size) {
        out.push_back(all);
        return out;
    }
    for (std::size_t i = 0; i < all.size(); i += size) {
        out.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(i),
                         all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + size)));
    }
    return out;
}

std::string finish(rapidjson::StringBuffer& buffer) { return {buffer.GetString(), buffer.GetSize()}; }

std::string meta_file(const Plan& plan) {
    const auto& req = *plan.request;
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    key(w, "ad_sets");
    w.StartArray();
    auto exclusions = [&] {
        if (plan.exclusions.empty()) return;
        key(w, "excluded_geo_locations");
        w.StartObject();
        key(w, "zips");
        w.StartArray();
        for (const auto& c : plan.exclusions) {
            w.StartObject();
            key(w, "key");
            string(w, "DE:" + c);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    };
    if (req.mode == TargetMode::circles) {
        const auto parts = chunks_of(plan.cover.circles, plan.platform->limits.max_circles_per_chunk);
        std::size_t index = 0;
        for (std::size_t c = 0; c < parts.size(); ++c) {
            w.StartObject();
            key(w, "name");
            string(w, req.campaign + " " + std::to_string(c + 1) + "/" + std::to_string(parts.size()));
            key(w, "targeting");
            w.StartObject();
            key(w, "geo_locations");
            w.StartObject();
            key(w, "custom_locations");
            w.StartArray();
            for (const auto& circle : parts[c]) {
                w.StartObject();
                key(w, "latitude");
                fixed_number(w, circle.center.y, 6);
                key(w, "longitude");
                fixed_number(w, circle.center.x, 6);
                key(w, "radius");
                number(w, round_to(circle.radius_m / 1000.0, 3));
                key(w, "distance_unit");
                string(w, "kilometer");
                key(w, "name");
                string(w, req.campaign + " " + std::to_string(++index));
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
            exclusions();
            w.EndObject();
            w.EndObject();
        }
    } else {
        w.StartObject();
        key(w, "name");
        string(w, req.campaign);
        key(w, "targeting");
        w.StartObject();
        key(w, "geo_locations");
        w.StartObject();
        key(w, "zips");
        w.StartArray();
        for (const auto& c : plan.included) {
            w.StartObject();
            key(w, "key");
            string(w, "DE:" + c);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        exclusions();
        w.EndObject();
        w.EndObject();
    }
    w.EndArray();
    key(w, "report");
    write_report(w, plan);
    w.EndObject();
    return finish(buffer);
}

// Google Ads Editor imports proximity targets from CSV (its documentation: proximity targeting
// "must use a CSV import"; headers in English, case and spaces ignored; one location per row).
// Circles: Campaign, Latitude, Longitude, Radius, Unit (km). Postcodes: the Location column
// takes a location name that Editor resolves, "01307, Germany" for a German postcode.
std::string google_file(const Plan& plan) {
    const auto& req = *plan.request;
    std::string out;
    if (req.mode == TargetMode::circles) {
        out = "Campaign,Latitude,Longitude,Radius,Unit\r\n";
        const auto parts = chunks_of(plan.cover.circles, plan.platform->limits.max_circles_per_chunk);
        for (std::size_t c = 0; c < parts.size(); ++c) {
            const std::string campaign =
                csv_field(parts.size() == 1 ? req.campaign : req.campaign + " " + std::to_string(c + 1));
            for (const auto& circle : parts[c]) {
                out += campaign + "," + fixed(circle.center.y, 6) + "," + fixed(circle.center.x, 6) + "," +
                       trimmed(circle.radius_m / 1000.0, 3) + ",km\r\n";
            }
        }
    } else {
        out = "Campaign,Location\r\n";
        for (const auto& c : plan.included) out += csv_field(req.campaign) + "," + csv_field(c + ", Germany") + "\r\n";
    }
    return out;
}

void postal_codes(Writer& w, const Plan& plan, std::string_view country) {
    key(w, "postal_codes");
    w.StartArray();
    for (const auto& c : plan.included) {
        w.StartObject();
        key(w, "postal_code");
        string(w, c);
        key(w, "country_code");
        string(w, country);
        w.EndObject();
    }
    w.EndArray();
}

void snapchat_circles(Writer& w, const std::vector<geo::CoverCircle>& circles) {
    key(w, "circles");
    w.StartArray();
    for (const auto& circle : circles) {
        w.StartObject();
        key(w, "latitude");
        fixed_number(w, circle.center.y, 6);
        key(w, "longitude");
        fixed_number(w, circle.center.x, 6);
        key(w, "radius");
        number(w, round_to(circle.radius_m, 1));
        key(w, "unit");
        string(w, "METERS");
        w.EndObject();
    }
    w.EndArray();
}

// Snapchat: {"circles":[...]} when they fit one ad squad, else {"ad_squads":[{"name","circles"}]}.
std::string snapchat_file(const Plan& plan) {
    const auto& req = *plan.request;
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    if (req.mode == TargetMode::circles) {
        const auto parts = chunks_of(plan.cover.circles, plan.platform->limits.max_circles_per_chunk);
        if (parts.size() == 1) {
            snapchat_circles(w, parts.front());
        } else {
            key(w, "ad_squads");
            w.StartArray();
            for (std::size_t c = 0; c < parts.size(); ++c) {
                w.StartObject();
                key(w, "name");
                string(w, req.campaign + " " + std::to_string(c + 1) + "/" + std::to_string(parts.size()));
                snapchat_circles(w, parts[c]);
                w.EndObject();
            }
            w.EndArray();
        }
    } else {
        postal_codes(w, plan, "de");
    }
    key(w, "report");
    write_report(w, plan);
    w.EndObject();
    return finish(buffer);
}

std::string tiktok_file(const Plan& plan) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    postal_codes(w, plan, "DE");
    key(w, "report");
    write_report(w, plan);
    w.EndObject();
    return finish(buffer);
}

std::string gis_file(const Plan& plan, geo::SinkFormat format) {
    using geo::SinkField;
    using geo::SinkFeature;
    using geo::SinkLayer;
    using geo::SinkValue;
    const auto& planner = *plan.planner;
    const bool circles = plan.request->mode == TargetMode::circles;

    SinkLayer areas{"stadtraeume", {{"nr", SinkField::Type::integer}, {"name", SinkField::Type::string}}, {}};
    for (const auto& r : planner.regions()) {
        if (std::binary_search(plan.selection.begin(), plan.selection.end(), r.nr)) {
            areas.features.push_back({r.geometry, {std::int64_t{r.nr}, r.name}});
        }
    }
    SinkLayer targets;
    if (circles) {
        targets = {"circles", {{"radius_m", SinkField::Type::real}, {"index", SinkField::Type::integer}}, {}};
        std::int64_t index = 0;
        for (const auto& c : plan.cover.circles) {
            targets.features.push_back(
                {geo::MultiPolygon{{geo::TargetPlanner::circle_polygon(c, 64)}}, {c.radius_m, ++index}});
        }
    } else {
        targets = {"postcodes",
                   {{"plz", SinkField::Type::string}, {"share", SinkField::Type::real},
                    {"residents_share", SinkField::Type::real}},
                   {}};
        for (const auto& p : plan.postcodes.postcodes) {
            if (!p.included) continue;
            for (const auto& area : planner.postcode_areas()) {
                if (area.code == p.code) {
                    targets.features.push_back({area.geometry,
                                                {p.code, round_to(100 * p.share_in_selection, 1),
                                                 round_to(100 * p.residents_share, 1)}});
                }
            }
        }
    }
    if (geo::sink_multi_layer(format)) return geo::write_layers(format, {areas, targets});

    // GeoJSON holds one layer: both kinds in one collection, told apart by "kind".
    SinkLayer one{"lernorte_targets",
                  {{"kind", SinkField::Type::string}, {"nr", SinkField::Type::integer}, {"name", SinkField::Type::string},
                   {"radius_m", SinkField::Type::real}, {"index", SinkField::Type::integer}, {"plz", SinkField::Type::string},
                   {"share", SinkField::Type::real}},
                  {}};
    const SinkValue null{};
    for (const auto& f : areas.features) {
        one.features.push_back({f.geometry, {std::string("stadtraum"), f.values[0], f.values[1], null, null, null, null}});
    }
    for (const auto& f : targets.features) {
        if (circles) {
            one.features.push_back({f.geometry, {std::string("circle"), null, null, f.values[0], f.values[1], null, null}});
        } else {
            one.features.push_back({f.geometry, {std::string("postcode"), null, null, null, null, f.values[0], f.values[1]}});
        }
    }
    return geo::write_layers(format, {one});
}

// ---- checking a request ---------------------------------------------------------------------------

void check_request(const geo::TargetPlanner& planner, const TargetRequest& req, const PlatformInfo& p) {
    if (req.stadtraeume.empty()) {
        throw TargetError("stadtraum", "choose at least one Stadtraum (" + [&] {
            std::vector<int> nrs;
            for (const auto& r : planner.regions()) nrs.push_back(r.nr);
            std::sort(nrs.begin(), nrs.end());
            return nrs.empty() ? std::string("none are loaded")
                               : std::to_string(nrs.front()) + " to " + std::to_string(nrs.back());
        }() + ")");
    }
    for (int nr : req.stadtraeume) {
        const bool known = std::any_of(planner.regions().begin(), planner.regions().end(),
                                       [&](const geo::TargetRegion& r) { return r.nr == nr; });
        if (!known) {
            std::vector<int> nrs;
            for (const auto& r : planner.regions()) nrs.push_back(r.nr);
            std::sort(nrs.begin(), nrs.end());
            throw TargetError("stadtraum", "unknown Stadtraum " + std::to_string(nr) + "; the Stadträume are numbered " +
                                               (nrs.empty() ? std::string("(none loaded)")
                                                            : std::to_string(nrs.front()) + " to " + std::to_string(nrs.back())));
        }
    }
    if (req.mode == TargetMode::circles && !p.limits.circles) {
        throw TargetError("mode", std::string(p.label) + " has no radius targeting: choose mode=postcodes");
    }
    if (req.mode == TargetMode::postcodes && !p.limits.postcodes) {
        throw TargetError("mode", std::string(p.label) + " does not target postcodes: choose mode=circles");
    }
    if (req.mode == TargetMode::circles && req.radius_m) {
        const double r = *req.radius_m;
        if (!std::isfinite(r) || r < p.limits.min_radius_m || r > p.limits.max_radius_m) {
            throw TargetError("radius", "a radius of " + (std::isfinite(r) ? trimmed(r, 1) + " m" : std::string("that")) +
                                            " is outside " + std::string(p.label) + "'s limits: " +
                                            radius_text(p.limits.min_radius_m) + " to " +
                                            radius_text(p.limits.max_radius_m) + " (give it in metres)");
        }
    }
    if (!std::isfinite(req.target_pct) || req.target_pct < 1 || req.target_pct > 100) {
        throw TargetError("target", "the target coverage must be between 1 and 100 (per cent)");
    }
    if (!std::isfinite(req.threshold_pct) || req.threshold_pct < 1 || req.threshold_pct > 100) {
        throw TargetError("threshold", "the postcode threshold must be between 1 and 100 (per cent)");
    }
    if (req.exclude_neighbours && !p.limits.exclusions) {
        throw TargetError("exclude_neighbours", std::string(p.label) +
                                                    " takes no excluded locations; only meta supports exclude_neighbours");
    }
    if (req.campaign.empty() || req.campaign.size() > 100) {
        throw TargetError("campaign", "the campaign name must have 1 to 100 characters");
    }
    if (std::any_of(req.campaign.begin(), req.campaign.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
        throw TargetError("campaign", "the campaign name must not contain control characters (line breaks, tabs)");
    }
}

}  // namespace

TargetError::TargetError(std::string f, const std::string& msg) : std::runtime_error(msg), field(std::move(f)) {}

std::optional<Platform> parse_platform(std::string_view name) {
    for (const auto& i : platforms()) {
        if (i.name == name) return i.platform;
    }
    return std::nullopt;
}

std::string_view platform_name(Platform p) { return info(p).name; }
std::string_view platform_label(Platform p) { return info(p).label; }

const std::vector<Platform>& all_platforms() {
    static const std::vector<Platform> all = [] {
        std::vector<Platform> v;
        for (const auto& i : platforms()) v.push_back(i.platform);
        return v;
    }();
    return all;
}

PlatformLimits platform_limits(Platform p) { return info(p).limits; }

std::optional<TargetMode> parse_target_mode(std::string_view name) {
    if (name == "circles") return TargetMode::circles;
    if (name == "postcodes") return TargetMode::postcodes;
    return std::nullopt;
}

Platform require_platform(std::string_view name) {
    if (auto p = parse_platform(name)) return *p;
    throw TargetError("platform", "unknown platform '" + std::string(name) + "'; one of " + platform_list());
}

TargetMode require_target_mode(std::string_view name) {
    if (auto m = parse_target_mode(name)) return *m;
    throw TargetError("mode", "unknown mode '" + std::string(name) + "'; circles or postcodes");
}

std::shared_ptr<const TargetData> load_target_data(const std::string& data_dir) {
    auto data = std::make_shared<TargetData>();
    const std::string stadtteile_path = data_dir + "/boundaries/stadtteile_64_offiziell.geojson";
    const std::string assignment_path = data_dir + "/tables/stadtteil_stadtraum_zuordnung.csv";
    const std::string residents_path = data_dir + "/stats/einwohner_stadtteil_stadtraum_2025_aggregiert.csv";
    const std::string postcode_path = data_dir + "/boundaries/plz_dresden.geojson";

    // The assignment table first: it names each Stadtteil's statistics unit(s).
    std::map<std::string, std::string> units_of;
    for (const auto& row : read_table(assignment_path, {"stadtteil_nr", "stadtteil_zus_nr", "stadtraum_nr", "flaechenanteil"})) {
        TargetData::Assignment a;
        a.stadtteil = row.at("stadtteil_nr");
        a.stadtraum = to_int(row.at("stadtraum_nr"), assignment_path);
        a.area_share = to_number(row.at("flaechenanteil"), assignment_path);
        units_of[a.stadtteil] = row.at("stadtteil_zus_nr");
        data->assignments.push_back(std::move(a));
    }
    for (const auto& row : read_table(residents_path, {"stadtteil_zus_nr", "stadtraum_nr", "ew_2025_12_31"})) {
        TargetData::Unit u;
        u.zus = row.at("stadtteil_zus_nr");
        u.stadtraum = to_int(row.at("stadtraum_nr"), residents_path);
        u.residents = to_number(row.at("ew_2025_12_31"), residents_path);
        data->total_residents += u.residents;
        data->units.push_back(std::move(u));
    }
    try {
        geo::Source source(stadtteile_path, {});
        while (auto f = source.next()) {
            const auto* mp = std::get_if<geo::MultiPolygon>(&f->geometry);
            const auto nr = f->fields.find("blocknr");
            if (mp == nullptr || nr == f->fields.end()) {
                throw std::runtime_error(stadtteile_path + ", feature " + std::to_string(f->number) +
                                         ": no polygon or no blocknr");
            }
            TargetData::Stadtteil t;
            t.nr = nr->second;
            if (const auto name = f->fields.find("bez"); name != f->fields.end()) t.name = name->second;
            t.geometry = *mp;
            const auto units = units_of.find(t.nr);
            if (units == units_of.end()) {
                throw std::runtime_error(assignment_path + ": Stadtteil " + t.nr + " (" + stadtteile_path + ") is missing");
            }
            t.units = split(units->second, '/');
            data->stadtteile.push_back(std::move(t));
        }
        geo::Source postcodes(postcode_path, {});
        while (auto f = postcodes.next()) {
            const auto* mp = std::get_if<geo::MultiPolygon>(&f->geometry);
            const auto plz = f->fields.find("plz");
            if (mp == nullptr || plz == f->fields.end()) {
                throw std::runtime_error(postcode_path + ", feature " + std::to_string(f->number) + ": no polygon or no plz");
            }
            data->postcodes.push_back({plz->second, *mp});
        }
    } catch (const geo::SourceError& e) {
        throw std::runtime_error(e.what());
    }
    return data;
}

std::vector<geo::PopulatedArea> populated_areas(const TargetData& data, const std::vector<storage::Stadtraum>& stadtraeume) {
    struct Piece {
        geo::PopulatedArea area;
        int stadtraum = 0;
        std::vector<std::string> units;
        double area_km2 = 0;
    };
    std::vector<Piece> pieces;
    for (const auto& t : data.stadtteile) {
        std::vector<const TargetData::Assignment*> rows;
        for (const auto& a : data.assignments) {
            if (a.stadtteil == t.nr) rows.push_back(&a);
        }
        for (const auto* a : rows) {
            Piece p;
            p.stadtraum = a->stadtraum;
            p.units = t.units;
            if (rows.size() == 1) {
                p.area.key = t.nr;
                p.area.geometry = t.geometry;
                p.area_km2 = geo::area_km2_wgs84(t.geometry);
            } else {
                // Split between Stadträume (Strehlen): cut along the Stadtraum's border. Without
                // that Stadtraum, the whole Stadtteil with its area share: the densities of the
                // parts then add up to the Stadtteil's.
                p.area.key = t.nr + "/" + std::to_string(a->stadtraum);
                const auto sr = std::find_if(stadtraeume.begin(), stadtraeume.end(),
                                             [&](const storage::Stadtraum& s) { return s.nr == a->stadtraum; });
                if (sr != stadtraeume.end()) {
                    p.area.geometry = geo::intersection(t.geometry, sr->geometry);
                    p.area_km2 = geo::area_km2_wgs84(p.area.geometry);
                } else {
                    p.area.geometry = t.geometry;
                    p.area_km2 = geo::area_km2_wgs84(t.geometry) * a->area_share;
                }
            }
            pieces.push_back(std::move(p));
        }
    }
    // A piece counts towards each of its units with an equal part of its area (Hellerberge:
    // half to 31, half to 32); a unit's residents are spread over its pieces by that area.
    auto unit_matches = [&](const TargetData::Unit& u, const Piece& p) {
        if (std::find(p.units.begin(), p.units.end(), u.zus) == p.units.end()) return false;
        return u.stadtraum == p.stadtraum;
    };
    std::vector<double> unit_area(data.units.size(), 0.0);
    for (std::size_t u = 0; u < data.units.size(); ++u) {
        for (const auto& p : pieces) {
            if (unit_matches(data.units[u], p)) unit_area[u] += p.area_km2 / static_cast<double>(p.units.size());
        }
    }
    for (std::size_t u = 0; u < data.units.size(); ++u) {
        if (unit_area[u] > 0 || data.units[u].residents == 0) continue;
        throw std::runtime_error("residents of unit " + data.units[u].zus + " in Stadtraum " +
                                 std::to_string(data.units[u].stadtraum) + " have no Stadtteil to live in");
    }
    std::vector<geo::PopulatedArea> out;
    for (auto& p : pieces) {
        double residents = 0;
        for (std::size_t u = 0; u < data.units.size(); ++u) {
            if (unit_matches(data.units[u], p) && unit_area[u] > 0) {
                residents += data.units[u].residents * (p.area_km2 / static_cast<double>(p.units.size())) / unit_area[u];
            }
        }
        p.area.residents = residents;
        out.push_back(std::move(p.area));
    }
    return out;
}

geo::TargetPlanner make_planner(const TargetData& data, const std::vector<storage::Stadtraum>& stadtraeume) {
    std::vector<geo::TargetRegion> regions;
    for (const auto& s : stadtraeume) {
        regions.push_back({s.nr, s.short_name.empty() ? s.name : s.short_name, s.geometry});
    }
    return geo::TargetPlanner(std::move(regions), populated_areas(data, stadtraeume), data.postcodes);
}

TargetExport export_targets(const geo::TargetPlanner& planner, const TargetRequest& request) {
    const PlatformInfo& p = info(request.platform);
    check_request(planner, request, p);

    Plan plan;
    plan.planner = &planner;
    plan.request = &request;
    plan.platform = &p;
    plan.selection = request.stadtraeume;
    std::sort(plan.selection.begin(), plan.selection.end());
    plan.selection.erase(std::unique(plan.selection.begin(), plan.selection.end()), plan.selection.end());
    plan.landing_link = landing_link(request.landing_base, p, request.campaign, plan.selection);
    for (int nr : plan.selection) plan.landing_links.emplace_back(nr, landing_link(request.landing_base, p, request.campaign, {nr}));

    try {
        if (request.mode == TargetMode::circles) {
            plan.radius_m = request.radius_m.value_or(std::max(1000.0, p.limits.min_radius_m));
            plan.cover = planner.cover(plan.selection, geo::CoverOptions{plan.radius_m, request.target_pct / 100.0});
            plan.figures = plan.cover.figures;
            if (request.exclude_neighbours) {
                plan.postcodes = planner.postcodes(plan.selection, request.threshold_pct / 100.0, request.share_basis);
                plan.have_postcodes = true;
                // Only the postcodes the circles reach: a far one would only lengthen the list.
                for (const auto& code : plan.postcodes.exclusions) {
                    const auto area = std::find_if(planner.postcode_areas().begin(), planner.postcode_areas().end(),
                                                   [&](const geo::PostcodeArea& a) { return a.code == code; });
                    if (area == planner.postcode_areas().end()) continue;
                    const auto box = area->geometry.bbox();
                    const bool reached = std::any_of(plan.cover.circles.begin(), plan.cover.circles.end(),
                                                     [&](const geo::CoverCircle& c) {
                                                         return geo::bbox_around(c.center, c.radius_m).intersects(box);
                                                     });
                    if (reached) plan.exclusions.push_back(code);
                }
                if (!plan.exclusions.empty()) {
                    plan.figures = planner.circle_figures(plan.selection, plan.cover.circles, plan.exclusions);
                }
            }
            plan.chunks = chunks_of(plan.cover.circles, p.limits.max_circles_per_chunk).size();
            circle_warnings(plan);
        } else {
            plan.postcodes = planner.postcodes(plan.selection, request.threshold_pct / 100.0, request.share_basis);
            plan.have_postcodes = true;
            plan.figures = plan.postcodes.figures;
            for (const auto& ps : plan.postcodes.postcodes) {
                if (ps.included) plan.included.push_back(ps.code);
            }
            std::sort(plan.included.begin(), plan.included.end());
            if (request.exclude_neighbours) plan.exclusions = plan.postcodes.exclusions;
            const bool platform_file = request.platform == Platform::meta || request.platform == Platform::google ||
                                       request.platform == Platform::snapchat || request.platform == Platform::tiktok;
            if (plan.included.empty() && platform_file) {
                std::string best;
                double best_share = -1;
                for (const auto& ps : plan.postcodes.postcodes) {
                    const double s = request.share_basis == geo::ShareBasis::residents && ps.residents > 0
                                         ? ps.residents_share
                                         : ps.share_in_selection;
                    if (s > best_share) {
                        best_share = s;
                        best = ps.code;
                    }
                }
                throw TargetError("threshold", "no postcode reaches the threshold of " + trimmed(request.threshold_pct, 1) +
                                                   " %" +
                                                   (best.empty() ? std::string()
                                                                 : " (the largest share: " + best + " with " +
                                                                       trimmed(round_to(100 * best_share, 1), 1) + " %)") +
                                                   "; lower the threshold or target circles");
            }
            postcode_warnings(plan);
        }
    } catch (const std::invalid_argument& e) {
        // The planner's own checks (e.g. a radius too small for a large selection).
        throw TargetError(request.mode == TargetMode::circles ? "radius" : "threshold", e.what());
    }

    TargetExport out;
    out.warnings = plan.warnings;
    out.landing_link = plan.landing_link;
    out.report_json = report_json(plan);
    const std::string base = "lernorte-" + std::string(p.name) + "-stadtraum-" + join_ints(plan.selection, "-") +
                             (request.mode == TargetMode::postcodes ? "-plz" : "");
    switch (request.platform) {
    case Platform::meta:
        out.body = meta_file(plan);
        out.content_type = "application/json";
        out.filename = base + ".json";
        break;
    case Platform::google:
        out.body = google_file(plan);
        out.content_type = "text/csv; charset=utf-8";
        out.filename = base + ".csv";
        break;
    case Platform::snapchat:
        out.body = snapchat_file(plan);
        out.content_type = "application/json";
        out.filename = base + ".json";
        break;
    case Platform::tiktok:
        out.body = tiktok_file(plan);
        out.content_type = "application/json";
        out.filename = base + ".json";
        break;
    case Platform::geojson:
        out.body = gis_file(plan, geo::SinkFormat::geojson);
        out.content_type = "application/geo+json";
        out.filename = base + ".geojson";
        break;
    case Platform::kml:
        out.body = gis_file(plan, geo::SinkFormat::kml);
        out.content_type = "application/vnd.google-earth.kml+xml";
        out.filename = base + ".kml";
        break;
    case Platform::gpkg:
        out.body = gis_file(plan, geo::SinkFormat::gpkg);
        out.content_type = "application/geopackage+sqlite3";
        out.filename = base + ".gpkg";
        break;
    }
    return out;
}

}  // namespace lernorte::engine
