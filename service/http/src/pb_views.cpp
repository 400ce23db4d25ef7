#include <cmath>

#include "lernorte/v1/collection.pb.h"
#include "lernorte/v1/place.pb.h"
#include "lernorte/v1/problem.pb.h"
#include "lernorte/v1/stadtraum.pb.h"
#include "lernorte/v1/stats.pb.h"

#include "views.hpp"

namespace lernorte::http::detail {
namespace {

// The same rounding as the JSON views, so both forms carry the same numbers.
double round_to(double v, double factor) { return std::round(v * factor) / factor; }

void fill_place(v1::Place& out, const storage::Place& p, std::optional<double> distance_m) {
    out.set_id(p.id);
    out.set_name(p.name);
    out.set_description(p.description);
    out.set_category(p.category);
    for (const auto& t : p.tags) out.add_tags(t);
    out.mutable_address()->set_street(p.address.street);
    out.mutable_address()->set_postcode(p.address.postcode);
    out.mutable_address()->set_city(p.address.city);
    out.set_website(p.website);
    out.set_phone(p.phone);
    out.set_email(p.email);
    out.set_opening_hours(p.opening_hours);
    for (const auto& g : p.target_groups) out.add_target_groups(g);
    for (const auto& l : p.languages) out.add_languages(l);
    if (p.free) out.set_free(*p.free);
    out.set_wheelchair(p.wheelchair);
    if (p.orte100) out.set_orte100(*p.orte100);
    if (p.abc_letter) out.set_abc_letter(*p.abc_letter);
    if (p.stadtraum) out.set_stadtraum(*p.stadtraum);
    out.set_source(p.source);
    out.set_license(p.license);
    out.set_status(p.status);
    out.set_version(p.version);
    out.set_updated_at(p.updated_at);
    out.set_lon(p.position.x);
    out.set_lat(p.position.y);
    if (distance_m) out.set_distance_m(round_to(*distance_m, 10.0));
}

void fill_stadtraum(v1::Stadtraum& out, const storage::Stadtraum& s, bool with_geometry) {
    out.set_nr(s.nr);
    out.set_name(s.name);
    out.set_short_name(s.short_name);
    out.set_area_km2(round_to(s.area_km2, 1000.0));
    out.set_population(s.population);
    out.set_foreign_pct(s.foreign_pct);
    out.set_single_parent_households(s.single_parent_households);
    for (const auto& d : s.member_districts) out.add_member_districts(d);
    out.set_source(s.source);
    out.set_license(s.license);
    if (!with_geometry) return;
    auto* mp = out.mutable_geometry();
    for (const auto& poly : s.geometry.polygons) {
        auto* pp = mp->add_polygons();
        for (const auto& ring : poly.rings) {
            auto* r = pp->add_rings();
            r->mutable_coords()->Reserve(static_cast<int>(ring.size() * 2));
            for (const auto& pt : ring) {
                r->add_coords(pt.x);
                r->add_coords(pt.y);
            }
        }
    }
}

void fill_links(google::protobuf::RepeatedPtrField<v1::Link>& out, const std::vector<Link>& links) {
    for (const auto& l : links) {
        auto* o = out.Add();
        o->set_href(l.href);
        o->set_rel(l.rel);
        o->set_type(l.type);
        o->set_title(l.title);
    }
}

void fill_area(v1::StadtraumStats& out, const engine::AreaStats& a) {
    out.set_nr(a.nr);
    out.set_name(a.name);
    out.set_population(a.population);
    out.set_area_km2(round_to(a.area_km2, 1000.0));
    out.set_foreign_pct(round_to(a.foreign_pct, 100.0));
    out.set_places(a.places);
    out.set_per_10k(round_to(a.per_10k, 100.0));
    for (const auto& c : a.categories) {
        auto* o = out.add_categories();
        o->set_category(c.category);
        o->set_places(c.places);
        o->set_per_10k(round_to(c.per_10k, 100.0));
    }
}

}  // namespace

std::string pb_place(const storage::Place& p, std::optional<double> distance_m) {
    v1::Place out;
    fill_place(out, p, distance_m);
    return out.SerializeAsString();
}

std::string pb_stadtraum(const storage::Stadtraum& s) {
    v1::Stadtraum out;
    fill_stadtraum(out, s, true);
    return out.SerializeAsString();
}

std::string pb_places(const engine::Catalogue& c, const engine::PlaceResult& r, const std::vector<Link>& links,
                      const std::string& time_stamp) {
    v1::FeatureCollection out;
    out.set_number_matched(static_cast<std::int64_t>(r.number_matched));
    out.set_number_returned(static_cast<std::int64_t>(r.hits.size()));
    for (const auto& h : r.hits) fill_place(*out.add_places(), c.place_at(h.index), h.distance_m);
    fill_links(*out.mutable_links(), links);
    out.set_time_stamp(time_stamp);
    return out.SerializeAsString();
}

std::string pb_stadtraeume(const std::vector<const storage::Stadtraum*>& items, std::size_t number_matched,
                           const std::vector<Link>& links, const std::string& time_stamp) {
    v1::FeatureCollection out;
    out.set_number_matched(static_cast<std::int64_t>(number_matched));
    out.set_number_returned(static_cast<std::int64_t>(items.size()));
    for (const auto* s : items) fill_stadtraum(*out.add_stadtraeume(), *s, true);
    fill_links(*out.mutable_links(), links);
    out.set_time_stamp(time_stamp);
    return out.SerializeAsString();
}

std::string pb_lookup(double lon, double lat, const storage::Stadtraum& s) {
    v1::Lookup out;
    out.set_lon(lon);
    out.set_lat(lat);
    fill_stadtraum(*out.mutable_stadtraum(), s, false);
    return out.SerializeAsString();
}

std::string pb_stats(const engine::Stats& stats, std::int64_t version) {
    v1::Stats out;
    for (const auto& a : stats.stadtraeume) fill_area(*out.add_stadtraeume(), a);
    fill_area(*out.mutable_total(), stats.total);
    out.set_catalogue_version(version);
    return out.SerializeAsString();
}

std::string pb_categories(const engine::Catalogue& c) {
    v1::CategoryList out;
    for (const auto& cat : storage::categories()) {
        auto* o = out.add_categories();
        o->set_key(std::string(cat.key));
        o->set_label_de(std::string(cat.label_de));
        o->set_label_en(std::string(cat.label_en));
        o->set_places(c.category_count(std::string(cat.key)));
    }
    return out.SerializeAsString();
}

std::string pb_problem(int status, const std::string& type, const std::string& title, const std::string& detail,
                       const std::string& instance, const std::vector<std::pair<std::string, std::string>>& errors) {
    v1::Problem out;
    out.set_status(status);
    out.set_type(type);
    out.set_title(title);
    out.set_detail(detail);
    out.set_instance(instance);
    for (const auto& [field, message] : errors) {
        auto* e = out.add_errors();
        e->set_field(field);
        e->set_message(message);
    }
    return out.SerializeAsString();
}

}  // namespace lernorte::http::detail
