// OGC API - Features Part 1 (core, geojson, oas30) and Part 3 queryables.
#include <algorithm>

#include <lernorte/storage/model.hpp>

#include "problem.hpp"
#include "routes.hpp"

namespace lernorte::http::detail {
namespace {

constexpr const char* crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";


void require_collection(const std::string& cid) {
    if (cid != "places" && cid != "stadtraeume") {
        throw ApiError(ErrorKind::not_found, "no collection '" + cid + "'; there are 'places' and 'stadtraeume'");
    }
}

std::string with_query(const std::string& base, const std::string& query) {
    return query.empty() ? base : base + "?" + query;
}

void write_collection(JsonWriter& w, const Context& c, const std::string& cid) {
    const bool places = cid == "places";
    const std::string href = c.api + "/collections/" + cid;
    w.StartObject();
    w.Key("id");
    w.String(cid.c_str());
    w.Key("title");
    w.String(places ? "Lernorte" : "Stadträume");
    w.Key("description");
    w.String(places ? "Places where people learn in Dresden: libraries, schools and more (published places only)."
                    : "The 17 Stadträume (planning areas) of Dresden with residents, foreign share and single-parent households (31.12.2025).");
    w.Key("itemType");
    w.String("feature");
    w.Key("crs");
    w.StartArray();
    w.String(crs84);
    w.EndArray();
    w.Key("extent");
    w.StartObject();
    w.Key("spatial");
    w.StartObject();
    w.Key("bbox");
    w.StartArray();
    const geo::BBox& extent = places ? c.catalogue.places_extent() : c.catalogue.stadtraeume_extent();
    write_bbox(w, extent.empty() ? c.catalogue.stadtraeume_extent() : extent);
    w.EndArray();
    w.Key("crs");
    w.String(crs84);
    w.EndObject();
    w.EndObject();
    w.Key("links");
    write_links(w, {
        {href, "self", json_type, ""},
        {href + "/items", "items", geojson_type, "Items as GeoJSON"},
        {href + "/items?f=pb", "items", pb_type, "Items as protobuf (lernorte.v1.FeatureCollection)"},
        {href + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json",
         "Queryable properties"},
        places ? Link{c.api + "/sources", "license", "text/markdown",
                      "Licences differ per source: see each place's license property and the sources"}
               : Link{dl_de_by_url, "license", "text/html", "Datenlizenz Deutschland – Namensnennung – Version 2.0"},
        {c.api + "/sources", "describedby", "text/markdown", "Data sources and licences"},
    });
    w.EndObject();
}

std::vector<Link> page_links(const Context& c, const std::string& cid, std::size_t offset, std::size_t returned,
                             std::size_t matched, std::size_t limit) {
    const std::string href = c.api + "/collections/" + cid + "/items";
    const std::string keep = c.params.encode({"offset", "f"});
    const auto page = [&](std::size_t off, const char* fmt) {
        std::string q = keep;
        const auto add = [&q](std::string_view key, std::string_view value) {
            if (!q.empty()) q.push_back('&');
            q.append(key).push_back('=');
            q.append(value);
        };
        if (off > 0) add("offset", std::to_string(off));
        if (fmt != nullptr) add("f", fmt);
        return with_query(href, q);
    };
    std::vector<Link> links{
        {page(offset, nullptr), "self", geojson_type, "This page"},
        {page(offset, "pb"), "alternate", pb_type, "This page as protobuf"},
        {c.api + "/collections/" + cid, "collection", json_type, ""},
    };
    if (offset + returned < matched) links.push_back({page(offset + returned, nullptr), "next", geojson_type, "Next page"});
    if (offset > 0) links.push_back({page(offset > limit ? offset - limit : 0, nullptr), "prev", geojson_type, "Previous page"});
    return links;
}

std::string link_header(const std::vector<Link>& links) {
    std::string out;
    for (const auto& l : links) {
        if (l.rel != "next" && l.rel != "prev" && l.rel != "self") continue;
        if (!out.empty()) out += ", ";
        out += "<" + l.href + ">; rel=\"" + l.rel + "\"; type=\"" + l.type + "\"";
    }
    return out;
}

/// Whether a polygon (lon/lat) meets a box: a vertex inside, a box corner inside, or crossing edges.
bool intersects(const geo::MultiPolygon& mp, const geo::BBox& box) {
    if (!mp.bbox().intersects(box)) return false;
    const auto segment_hits_box = [&](geo::Point a, geo::Point b) {
        // Liang-Barsky clipping of the segment against the box.
        double t0 = 0.0;
        double t1 = 1.0;
        const double dx = b.x - a.x;
        const double dy = b.y - a.y;
        const double p[4] = {-dx, dx, -dy, dy};
        const double q[4] = {a.x - box.min_x, box.max_x - a.x, a.y - box.min_y, box.max_y - a.y};
        for (int i = 0; i < 4; ++i) {
            if (p[i] == 0.0) {
                if (q[i] < 0.0) return false;
            } else {
                const double t = q[i] / p[i];
                if (p[i] < 0.0) t0 = std::max(t0, t); else t1 = std::min(t1, t);
                if (t0 > t1) return false;
            }
        }
        return true;
    };
    for (const auto& poly : mp.polygons) {
        for (const auto& ring : poly.rings) {
            for (std::size_t i = 1; i < ring.size(); ++i) {
                if (segment_hits_box(ring[i - 1], ring[i])) return true;
            }
        }
    }
    // No edge meets the box: the box is wholly inside or wholly outside the polygon.
    const geo::Point corner{box.min_x, box.min_y};
    for (const auto& poly : mp.polygons) {
        bool inside = false;
        for (const auto& ring : poly.rings) {
            for (std::size_t i = 1; i < ring.size(); ++i) {
                const geo::Point a = ring[i - 1];
                const geo::Point b = ring[i];
                if ((a.y > corner.y) != (b.y > corner.y) &&
                    corner.x < (b.x - a.x) * (corner.y - a.y) / (b.y - a.y) + a.x) {
                    inside = !inside;
                }
            }
        }
        if (inside) return true;
    }
    return false;
}

}  // namespace

void require_json(const Context& c) {
    if (c.format == Format::pb) {
        throw ApiError(ErrorKind::not_acceptable, "this resource has no protobuf form; ask for JSON (f=json)");
    }
}

Reply landing(const Context& c) {
    require_json(c);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("title");
    w.String("Lernorte Dresden");
    w.Key("description");
    w.String("Places where people learn in Dresden, UNESCO Learning City, as OGC API - Features (GeoJSON and protobuf).");
    w.Key("attribution");
    w.String("Landeshauptstadt Dresden, opendata.dresden.de (dl-de/by-2-0); Sächsische Schuldatenbank, Freistaat Sachsen; "
             "Säbig-Karte Sächsische Bibliotheken");
    w.Key("links");
    write_links(w, {
        {c.api, "self", json_type, "This document"},
        {c.api + "/openapi", "service-desc", openapi_type, "The API definition (OpenAPI 3.0)"},
        {c.root + "/", "service-doc", "text/html", "The map of learning places"},
        {c.api + "/conformance", "conformance", json_type, "Conformance classes"},
        {c.api + "/collections", "data", json_type, "Collections"},
        {dl_de_by_url, "license", "text/html", "Datenlizenz Deutschland – Namensnennung – Version 2.0 (Stadträume, city data)"},
        {c.api + "/sources", "describedby", "text/markdown", "Data sources, licences and attribution"},
        {c.api + "/categories", "http://www.opengis.net/def/rel/ogc/1.0/data-meta", json_type, "Category taxonomy"},
        {c.api + "/stadtraeume/stats", "related", json_type, "Places per Stadtraum and per 10,000 residents"},
        {c.api + "/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", json_type, "Vector tiles"},
        {c.root + "/tiles.json", "describedby", "application/json", "TileJSON of the vector tiles"},
    });
    w.EndObject();
    return {json_type, finish(buffer), {{"Link", "<" + c.api + "/openapi>; rel=\"service-desc\"; type=\"" +
                                                      std::string(openapi_type) + "\", <" + c.api +
                                                      "/sources>; rel=\"describedby\""}}};
}

Reply conformance(const Context& c) {
    require_json(c);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("conformsTo");
    w.StartArray();
    for (const char* cls : {"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
                            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
                            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
                            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
                            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
                            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
                            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
                            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
                            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
                            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
                            "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt"}) {
        w.String(cls);
    }
    w.EndArray();
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

Reply collections(const Context& c) {
    require_json(c);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("links");
    write_links(w, {{c.api + "/collections", "self", json_type, ""}});
    w.Key("collections");
    w.StartArray();
    write_collection(w, c, "places");
    write_collection(w, c, "stadtraeume");
    w.EndArray();
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

Reply collection(const Context& c, const std::string& cid) {
    require_collection(cid);
    require_json(c);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_collection(w, c, cid);
    return {json_type, finish(buffer), {}};
}

Reply items(const Context& c, const std::string& cid) {
    require_collection(cid);
    const std::string time_stamp = storage::now_rfc3339();
    if (cid == "stadtraeume") {
        c.params.allow_only({"bbox", "limit", "offset"});
        const auto [limit, offset] = parse_paging(c.params);
        const auto bbox = parse_bbox(c.params);
        std::vector<const storage::Stadtraum*> matched;
        for (const auto& s : c.catalogue.stadtraeume()) {
            if (!bbox || intersects(s.geometry, *bbox)) matched.push_back(&s);
        }
        std::vector<const storage::Stadtraum*> page;
        for (std::size_t i = offset; i < matched.size() && page.size() < limit; ++i) page.push_back(matched[i]);
        const auto links = page_links(c, cid, offset, page.size(), matched.size(), limit);
        if (c.format == Format::pb) {
            return {pb_type, pb_stadtraeume(page, matched.size(), links, time_stamp), {{"Link", link_header(links)}}};
        }
        rapidjson::StringBuffer buffer;
        JsonWriter w(buffer);
        w.StartObject();
        w.Key("type");
        w.String("FeatureCollection");
        w.Key("numberMatched");
        w.Uint64(matched.size());
        w.Key("numberReturned");
        w.Uint64(page.size());
        w.Key("timeStamp");
        w.String(time_stamp.c_str());
        w.Key("links");
        write_links(w, links);
        w.Key("features");
        w.StartArray();
        for (const auto* s : page) write_stadtraum_feature(w, *s);
        w.EndArray();
        w.EndObject();
        return {geojson_type, finish(buffer), {{"Link", link_header(links)}}};
    }

    c.params.allow_only({"bbox", "limit", "offset", "datetime", "category", "q", "stadtraum", "near", "radius",
                         "target_group", "language", "free", "wheelchair", "orte100", "abc"});
    const engine::PlaceQuery query = parse_place_query(c.params, c.catalogue);
    const engine::PlaceResult result = c.catalogue.query(query);
    const auto links = page_links(c, cid, query.offset, result.hits.size(), result.number_matched, query.limit);
    if (c.format == Format::pb) {
        return {pb_type, pb_places(c.catalogue, result, links, time_stamp), {{"Link", link_header(links)}}};
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("type");
    w.String("FeatureCollection");
    w.Key("numberMatched");
    w.Uint64(result.number_matched);
    w.Key("numberReturned");
    w.Uint64(result.hits.size());
    w.Key("timeStamp");
    w.String(time_stamp.c_str());
    w.Key("links");
    write_links(w, links);
    w.Key("features");
    w.StartArray();
    for (const auto& h : result.hits) write_place_feature(w, c.catalogue.place_at(h.index), h.distance_m);
    w.EndArray();
    w.EndObject();
    return {geojson_type, finish(buffer), {{"Link", link_header(links)}}};
}

Reply item(const Context& c, const std::string& cid, const std::string& id) {
    require_collection(cid);
    c.params.allow_only({});
    if (cid == "places") {
        const std::optional<storage::Place> p = c.catalogue.place(id);
        if (!p) throw ApiError(ErrorKind::not_found, "no published place with id '" + id + "'");
        // A strong ETag from the place's version: what PUT, PATCH and DELETE expect in If-Match.
        const std::string version = std::to_string(p->version);
        if (c.format == Format::pb) return {pb_type, pb_place(*p, std::nullopt), {{"ETag", "\"" + version + "-pb\""}}};
        rapidjson::StringBuffer buffer;
        JsonWriter w(buffer);
        write_place_feature(w, *p, std::nullopt);
        return {geojson_type, finish(buffer), {{"ETag", "\"" + version + "\""}}};
    }
    const storage::Stadtraum* s = nullptr;
    if (!id.empty() && id.size() <= 3 && std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        s = c.catalogue.stadtraum(std::stoi(id));
    }
    if (s == nullptr) throw ApiError(ErrorKind::not_found, "no Stadtraum '" + id + "'; the numbers are 1 to " +
                                                               std::to_string(c.catalogue.stadtraeume().size()));
    if (c.format == Format::pb) return {pb_type, pb_stadtraum(*s), {}};
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_stadtraum_feature(w, *s);
    return {geojson_type, finish(buffer), {}};
}

Reply queryables(const Context& c, const std::string& cid) {
    require_collection(cid);
    require_json(c);
    c.params.allow_only({});
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    const auto string_enum = [&](const char* name, const char* title, const auto& values) {
        w.Key(name);
        w.StartObject();
        w.Key("title");
        w.String(title);
        w.Key("type");
        w.String("string");
        w.Key("enum");
        w.StartArray();
        for (const auto& v : values) w.String(std::string(v).c_str());
        w.EndArray();
        w.EndObject();
    };
    w.StartObject();
    w.Key("$schema");
    w.String("https://json-schema.org/draft/2019-09/schema");
    w.Key("$id");
    w.String((c.api + "/collections/" + cid + "/queryables").c_str());
    w.Key("type");
    w.String("object");
    w.Key("title");
    w.String(cid == "places" ? "Lernorte" : "Stadträume");
    w.Key("properties");
    w.StartObject();
    w.Key("geometry");
    w.StartObject();
    w.Key("$ref");
    w.String(cid == "places" ? "https://geojson.org/schema/Point.json" : "https://geojson.org/schema/MultiPolygon.json");
    w.EndObject();
    if (cid == "places") {
        std::vector<std::string> keys;
        for (const auto& cat : storage::categories()) keys.emplace_back(cat.key);
        string_enum("category", "Category (comma-separated list: any of them)", keys);
        string_enum("target_group", "Target group (comma-separated list: any of them)", storage::target_group_values);
        string_enum("wheelchair", "Wheelchair access (comma-separated list)", storage::wheelchair_values);
        w.Key("language");
        w.StartObject();
        w.Key("title");
        w.String("Language offered, ISO 639-1 (comma-separated list: any of them)");
        w.Key("type");
        w.String("string");
        w.Key("pattern");
        w.String("^[a-z]{2}$");
        w.EndObject();
        w.Key("stadtraum");
        w.StartObject();
        w.Key("title");
        w.String("Stadtraum number (comma-separated list)");
        w.Key("type");
        w.String("integer");
        w.Key("minimum");
        w.Int(1);
        w.Key("maximum");
        w.Int(static_cast<int>(std::max<std::size_t>(1, c.catalogue.stadtraeume().size())));
        w.EndObject();
        w.Key("free");
        w.StartObject();
        w.Key("title");
        w.String("Free of charge");
        w.Key("type");
        w.String("boolean");
        w.EndObject();
        w.Key("orte100");
        w.StartObject();
        w.Key("title");
        w.String("Number in the series '100 Orte, wo gelernt wird' (or true/false)");
        w.Key("type");
        w.String("integer");
        w.Key("minimum");
        w.Int(1);
        w.Key("maximum");
        w.Int(100);
        w.EndObject();
        w.Key("abc");
        w.StartObject();
        w.Key("title");
        w.String("Letter in the ABC des Lebenslangen Lernens (or true/false)");
        w.Key("type");
        w.String("string");
        w.Key("pattern");
        w.String("^[A-Za-z]$");
        w.EndObject();
        w.Key("q");
        w.StartObject();
        w.Key("title");
        w.String("Full-text search in name, description, address and tags");
        w.Key("type");
        w.String("string");
        w.EndObject();
    }
    w.EndObject();
    w.Key("additionalProperties");
    w.Bool(false);
    w.EndObject();
    return {"application/schema+json", finish(buffer), {}};
}

}  // namespace lernorte::http::detail
