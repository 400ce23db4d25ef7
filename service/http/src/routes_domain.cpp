// Domain routes: which Stadtraum is this point in, figures per Stadtraum, the taxonomy.
#include "problem.hpp"
#include "routes.hpp"

namespace lernorte::http::detail {
Reply lookup(const Context& c) {
    c.params.allow_only({"lon", "lat"});
    const std::string* lon_text = c.params.get("lon");
    const std::string* lat_text = c.params.get("lat");
    if (lon_text == nullptr || lat_text == nullptr) {
        std::vector<FieldError> errors;
        if (lon_text == nullptr) errors.push_back({"lon", "required"});
        if (lat_text == nullptr) errors.push_back({"lat", "required"});
        throw ApiError(ErrorKind::invalid_parameter, "lookup needs lon and lat (EPSG:4326 degrees)", errors);
    }
    const double lon = parse_double("lon", *lon_text);
    const double lat = parse_double("lat", *lat_text);
    if (lon < -180 || lon > 180) throw invalid("lon", "must be within -180..180");
    if (lat < -90 || lat > 90) throw invalid("lat", "must be within -90..90");
    const auto nr = c.catalogue.locate({lon, lat});
    const storage::Stadtraum* s = nr ? c.catalogue.stadtraum(*nr) : nullptr;
    if (s == nullptr) {
        throw ApiError(ErrorKind::not_found, "the point " + *lon_text + "," + *lat_text + " is in no Stadtraum of Dresden");
    }
    if (c.format == Format::pb) return {pb_type, pb_lookup(lon, lat, *s), {}};
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("lon");
    w.Double(lon);
    w.Key("lat");
    w.Double(lat);
    w.Key("stadtraum");
    write_stadtraum_properties(w, *s);
    w.Key("links");
    write_links(w, {{c.api + "/collections/stadtraeume/items/" + std::to_string(s->nr), "item", geojson_type,
                     "The Stadtraum with its boundary"},
                    {c.api + "/collections/places/items?stadtraum=" + std::to_string(s->nr), "items", geojson_type,
                     "Learning places in this Stadtraum"}});
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

Reply stadtraeume_stats(const Context& c) {
    c.params.allow_only({});
    const engine::Stats& stats = c.catalogue.stats();
    if (c.format == Format::pb) return {pb_type, pb_stats(stats, c.catalogue.version()), {}};
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("stadtraeume");
    w.StartArray();
    for (const auto& a : stats.stadtraeume) write_area_stats(w, a);
    w.EndArray();
    w.Key("total");
    write_area_stats(w, stats.total);
    w.Key("catalogue_version");
    w.Int64(c.catalogue.version());
    w.Key("links");
    write_links(w, {{dl_de_by_url, "license", "text/html",
                     "Residents: Landeshauptstadt Dresden, Kommunale Statistikstelle, dl-de/by-2-0"},
                    {c.api + "/sources", "describedby", "text/markdown", "Data sources and licences"}});
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

Reply categories(const Context& c) {
    c.params.allow_only({});
    if (c.format == Format::pb) return {pb_type, pb_categories(c.catalogue), {}};
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("categories");
    w.StartArray();
    for (const auto& cat : storage::categories()) {
        w.StartObject();
        w.Key("key");
        w.String(cat.key.data(), static_cast<rapidjson::SizeType>(cat.key.size()));
        w.Key("label_de");
        w.String(cat.label_de.data(), static_cast<rapidjson::SizeType>(cat.label_de.size()));
        w.Key("label_en");
        w.String(cat.label_en.data(), static_cast<rapidjson::SizeType>(cat.label_en.size()));
        w.Key("places");
        w.Int64(c.catalogue.category_count(std::string(cat.key)));
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

}  // namespace lernorte::http::detail
