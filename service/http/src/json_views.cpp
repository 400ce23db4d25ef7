#include "views.hpp"

#include <cmath>

namespace lernorte::http::detail {
namespace {

void write_string(JsonWriter& w, const std::string& s) { w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size())); }

void write_strings(JsonWriter& w, const std::vector<std::string>& list) {
    w.StartArray();
    for (const auto& s : list) write_string(w, s);
    w.EndArray();
}

void write_ring(JsonWriter& w, const geo::Ring& ring) {
    w.StartArray();
    for (const geo::Point& p : ring) {
        w.StartArray();
        w.Double(p.x);
        w.Double(p.y);
        w.EndArray();
    }
    w.EndArray();
}

void write_multipolygon(JsonWriter& w, const geo::MultiPolygon& mp) {
    w.StartObject();
    w.Key("type");
    w.String("MultiPolygon");
    w.Key("coordinates");
    w.StartArray();
    for (const auto& poly : mp.polygons) {
        w.StartArray();
        for (const auto& ring : poly.rings) write_ring(w, ring);
        w.EndArray();
    }
    w.EndArray();
    w.EndObject();
}

}  // namespace

void write_link(JsonWriter& w, const Link& link) {
    w.StartObject();
    w.Key("href");
    write_string(w, link.href);
    w.Key("rel");
    write_string(w, link.rel);
    if (!link.type.empty()) {
        w.Key("type");
        write_string(w, link.type);
    }
    if (!link.title.empty()) {
        w.Key("title");
        write_string(w, link.title);
    }
    w.EndObject();
}

void write_links(JsonWriter& w, const std::vector<Link>& links) {
    w.StartArray();
    for (const auto& l : links) write_link(w, l);
    w.EndArray();
}

void write_bbox(JsonWriter& w, const geo::BBox& b) {
    w.StartArray();
    w.Double(b.min_x);
    w.Double(b.min_y);
    w.Double(b.max_x);
    w.Double(b.max_y);
    w.EndArray();
}

void write_place_feature(JsonWriter& w, const storage::Place& p, std::optional<double> distance_m) {
    w.StartObject();
    w.Key("type");
    w.String("Feature");
    w.Key("id");
    write_string(w, p.id);
    w.Key("geometry");
    w.StartObject();
    w.Key("type");
    w.String("Point");
    w.Key("coordinates");
    w.StartArray();
    w.Double(p.position.x);
    w.Double(p.position.y);
    w.EndArray();
    w.EndObject();
    w.Key("properties");
    w.StartObject();
    w.Key("id");
    write_string(w, p.id);
    w.Key("name");
    write_string(w, p.name);
    w.Key("description");
    write_string(w, p.description);
    w.Key("category");
    write_string(w, p.category);
    w.Key("tags");
    write_strings(w, p.tags);
    w.Key("address");
    w.StartObject();
    w.Key("street");
    write_string(w, p.address.street);
    w.Key("postcode");
    write_string(w, p.address.postcode);
    w.Key("city");
    write_string(w, p.address.city);
    w.EndObject();
    w.Key("website");
    write_string(w, p.website);
    w.Key("phone");
    write_string(w, p.phone);
    w.Key("email");
    write_string(w, p.email);
    w.Key("opening_hours");
    write_string(w, p.opening_hours);
    w.Key("target_groups");
    write_strings(w, p.target_groups);
    w.Key("languages");
    write_strings(w, p.languages);
    w.Key("free");
    if (p.free) w.Bool(*p.free); else w.Null();
    w.Key("wheelchair");
    write_string(w, p.wheelchair);
    w.Key("orte100");
    if (p.orte100) w.Int(*p.orte100); else w.Null();
    w.Key("abc_letter");
    if (p.abc_letter) write_string(w, *p.abc_letter); else w.Null();
    w.Key("stadtraum");
    if (p.stadtraum) w.Int(*p.stadtraum); else w.Null();
    w.Key("source");
    write_string(w, p.source);
    w.Key("license");
    write_string(w, p.license);
    w.Key("status");
    write_string(w, p.status);
    w.Key("version");
    w.Int64(p.version);
    w.Key("updated_at");
    write_string(w, p.updated_at);
    if (distance_m) {
        w.Key("distance_m");
        w.Double(std::round(*distance_m * 10.0) / 10.0);
    }
    w.EndObject();
    w.EndObject();
}

void write_stadtraum_properties(JsonWriter& w, const storage::Stadtraum& s) {
    w.StartObject();
    w.Key("nr");
    w.Int(s.nr);
    w.Key("name");
    write_string(w, s.name);
    w.Key("short_name");
    write_string(w, s.short_name);
    w.Key("area_km2");
    w.Double(std::round(s.area_km2 * 1000.0) / 1000.0);
    w.Key("population");
    w.Int64(s.population);
    w.Key("foreign_pct");
    w.Double(s.foreign_pct);
    w.Key("single_parent_households");
    w.Int64(s.single_parent_households);
    w.Key("member_districts");
    write_strings(w, s.member_districts);
    w.Key("source");
    write_string(w, s.source);
    w.Key("license");
    write_string(w, s.license);
    w.EndObject();
}

void write_stadtraum_feature(JsonWriter& w, const storage::Stadtraum& s) {
    w.StartObject();
    w.Key("type");
    w.String("Feature");
    w.Key("id");
    w.Int(s.nr);
    w.Key("geometry");
    write_multipolygon(w, s.geometry);
    w.Key("properties");
    write_stadtraum_properties(w, s);
    w.EndObject();
}

void write_area_stats(JsonWriter& w, const engine::AreaStats& a) {
    const auto round2 = [](double v) { return std::round(v * 100.0) / 100.0; };
    w.StartObject();
    w.Key("nr");
    w.Int(a.nr);
    w.Key("name");
    write_string(w, a.name);
    w.Key("population");
    w.Int64(a.population);
    w.Key("area_km2");
    w.Double(std::round(a.area_km2 * 1000.0) / 1000.0);
    w.Key("foreign_pct");
    w.Double(round2(a.foreign_pct));
    w.Key("places");
    w.Int64(a.places);
    w.Key("per_10k");
    w.Double(round2(a.per_10k));
    w.Key("categories");
    w.StartArray();
    for (const auto& c : a.categories) {
        w.StartObject();
        w.Key("category");
        write_string(w, c.category);
        w.Key("places");
        w.Int64(c.places);
        w.Key("per_10k");
        w.Double(round2(c.per_10k));
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
}

}  // namespace lernorte::http::detail
