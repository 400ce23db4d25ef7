// Campaign planners' geo-target exports: GET /api/targets (the file a platform accepts) and
// /api/targets/preview (figures, warnings and the geometry for the planner view), for planner,
// editor and admin tokens. The computation is the engine's; this is parameters and answers.

#include <algorithm>
#include <cmath>

#include <rapidjson/document.h>

#include "problem.hpp"
#include "routes.hpp"

namespace lernorte::http::detail {

TargetService::TargetService(std::string data_dir) : m_data_dir(std::move(data_dir)) {}

std::shared_ptr<const geo::TargetPlanner> TargetService::planner(const engine::Catalogue& catalogue) {
    std::lock_guard lock(m_mutex);
    if (!m_data) {
        if (m_data_dir.empty()) throw std::runtime_error("no data directory for residents and postcodes");
        m_data = engine::load_target_data(m_data_dir);
    }
    // Built once per set of Stadträume; place writes share the boundaries, so they keep it.
    if (!m_planner || m_bounds.lock() != catalogue.boundaries()) {
        m_planner = std::make_shared<const geo::TargetPlanner>(engine::make_planner(*m_data, catalogue.stadtraeume()));
        m_bounds = catalogue.boundaries();
    }
    return m_planner;
}

namespace {

bool parse_bool(const std::string& field, const std::string& v) {
    if (v == "true" || v == "1" || v == "yes") return true;
    if (v == "false" || v == "0" || v == "no") return false;
    throw invalid(field, "must be true or false");
}

engine::TargetRequest parse_request(const QueryParams& params, const engine::Catalogue& catalogue,
                                    const std::string& root) {
    params.allow_only({"stadtraum", "platform", "mode", "radius", "target", "threshold", "share",
                       "exclude_neighbours", "campaign"});
    engine::TargetRequest r;
    const std::string* nrs = params.get("stadtraum");
    if (nrs == nullptr || nrs->empty()) {
        throw invalid("stadtraum", "required: one or more Stadtraum numbers, e.g. stadtraum=11 or stadtraum=2,11,16");
    }
    std::size_t start = 0;
    while (start <= nrs->size()) {
        const auto end = nrs->find(',', start);
        const std::string item = nrs->substr(start, end == std::string::npos ? std::string::npos : end - start);
        const bool digits = !item.empty() && item.size() <= 3 &&
                            std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || catalogue.stadtraum(std::stoi(item)) == nullptr) {
            throw invalid("stadtraum", "'" + item + "' is not one of the Stadtraum numbers 1.." +
                                           std::to_string(catalogue.stadtraeume().size()));
        }
        const int nr = std::stoi(item);
        if (std::find(r.stadtraeume.begin(), r.stadtraeume.end(), nr) == r.stadtraeume.end()) r.stadtraeume.push_back(nr);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    const std::string* platform = params.get("platform");
    if (platform == nullptr) throw invalid("platform", "required: meta, google, snapchat, tiktok, geojson, kml or gpkg");
    try {
        r.platform = engine::require_platform(*platform);
        if (const std::string* m = params.get("mode")) {
            r.mode = engine::require_target_mode(*m);
        } else {
            r.mode = engine::platform_limits(r.platform).circles ? engine::TargetMode::circles : engine::TargetMode::postcodes;
        }
    } catch (const engine::TargetError& e) {
        throw invalid(e.field, e.what());
    }
    if (const std::string* v = params.get("radius")) r.radius_m = parse_double("radius", *v);
    if (const std::string* v = params.get("target")) r.target_pct = parse_double("target", *v);
    if (const std::string* v = params.get("threshold")) r.threshold_pct = parse_double("threshold", *v);
    if (const std::string* v = params.get("share")) {
        if (*v == "residents") r.share_basis = geo::ShareBasis::residents;
        else if (*v == "area") r.share_basis = geo::ShareBasis::area;
        else throw invalid("share", "must be residents or area");
    }
    if (const std::string* v = params.get("exclude_neighbours")) r.exclude_neighbours = parse_bool("exclude_neighbours", *v);
    if (const std::string* v = params.get("campaign")) {
        if (v->empty() || v->size() > 100) throw invalid("campaign", "1 to 100 characters");
        r.campaign = *v;
    }
    r.landing_base = root + "/";
    return r;
}

engine::TargetExport run(const engine::TargetRequest& r, const geo::TargetPlanner& planner) {
    try {
        return engine::export_targets(planner, r);
    } catch (const engine::TargetError& e) {
        throw invalid(e.field, e.what());
    }
}

}  // namespace

Reply targets(const TargetContext& c, bool preview) {
    const engine::TargetRequest request = parse_request(c.params, c.catalogue, c.root);
    const auto planner = c.service.planner(c.catalogue);
    engine::TargetExport file = run(request, *planner);
    if (!preview) {
        Reply reply{file.content_type, std::move(file.body), {}, 200};
        reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file.filename + "\"");
        return reply;
    }
    // The planner view: the requested platform's figures and warnings, and the same areas as
    // GeoJSON to draw.
    engine::TargetRequest drawing = request;
    drawing.platform = engine::Platform::geojson;
    drawing.exclude_neighbours = false;  // the drawing shows what is targeted
    const engine::TargetExport geojson = run(drawing, *planner);
    rapidjson::Document report;
    report.Parse(file.report_json.data(), file.report_json.size());
    rapidjson::Document features;
    features.Parse(geojson.body.data(), geojson.body.size());
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("platform");
    const auto name = engine::platform_name(request.platform);
    w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Key("filename");
    w.String(file.filename.c_str());
    w.Key("report");
    report.Accept(w);
    w.Key("landing_link");
    w.String(file.landing_link.c_str());
    w.Key("features");
    features.Accept(w);
    w.EndObject();
    return {json_type, finish(buffer), {}, 200};
}

Reply target_platforms(const TargetContext& c) {
    c.params.allow_only({});
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("platforms");
    w.StartArray();
    for (const auto p : engine::all_platforms()) {
        const auto limits = engine::platform_limits(p);
        w.StartObject();
        const auto name = engine::platform_name(p);
        const auto label = engine::platform_label(p);
        w.Key("name");
        w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        w.Key("label");
        w.String(label.data(), static_cast<rapidjson::SizeType>(label.size()));
        w.Key("circles");
        w.Bool(limits.circles);
        w.Key("postcodes");
        w.Bool(limits.postcodes);
        if (limits.circles) {
            w.Key("min_radius_m");
            w.Double(limits.min_radius_m);
            w.Key("max_radius_m");
            w.Double(limits.max_radius_m);
            w.Key("max_circles_per_chunk");
            if (limits.max_circles_per_chunk == SIZE_MAX) w.Null(); else w.Uint64(limits.max_circles_per_chunk);
        }
        w.Key("exclusions");
        w.Bool(limits.exclusions);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {json_type, finish(buffer), {}, 200};
}

}  // namespace lernorte::http::detail
