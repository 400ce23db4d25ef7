// Mapbox Vector Tiles: /tiles/{z}/{x}/{y}.mvt, the OGC API - Tiles form, tileset metadata, TileJSON.
#include <algorithm>

#include "problem.hpp"
#include "routes.hpp"

namespace lernorte::http::detail {
namespace {

constexpr const char* web_mercator_quad = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
constexpr const char* tile_filters_doc = "category, target_group, language, free, wheelchair";

/// What every tileset description starts with: the one tileset of Lernorte.
void write_tileset_identity(JsonWriter& w) {
    w.Key("title");
    w.String("Lernorte Dresden");
    w.Key("dataType");
    w.String("vector");
    w.Key("crs");
    w.String("http://www.opengis.net/def/crs/EPSG/0/3857");
    w.Key("tileMatrixSetURI");
    w.String(web_mercator_quad);
}

std::int64_t parse_index(const std::string& field, const std::string& text) {
    if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        throw invalid(field, "'" + text + "' is not a tile index (a whole number >= 0)");
    }
    return std::stoll(text);
}

/// The place filters a tile URL may carry (part of the cache key).
engine::PlaceQuery tile_filter(const Context& c) {
    c.params.allow_only({"category", "target_group", "language", "free", "wheelchair"});
    return parse_place_query(c.params, c.catalogue);
}

std::string filter_query(const Context& c) {
    const std::string q = c.params.encode({"f"});
    return q.empty() ? "" : "?" + q;
}

void write_vector_layers(JsonWriter& w) {
    const auto layer = [&](const char* id, const char* description,
                           std::initializer_list<std::pair<const char*, const char*>> fields) {
        w.StartObject();
        w.Key("id");
        w.String(id);
        w.Key("description");
        w.String(description);
        w.Key("minzoom");
        w.Int(0);
        w.Key("maxzoom");
        w.Int(tiles::max_zoom);
        w.Key("fields");
        w.StartObject();
        for (const auto& [k, v] : fields) {
            w.Key(k);
            w.String(v);
        }
        w.EndObject();
        w.EndObject();
    };
    w.StartArray();
    layer("stadtraeume", "The 17 Stadträume with residents and learning places per 10,000 residents",
          {{"nr", "Number"}, {"name", "String"}, {"population", "Number"}, {"per_10k", "Number"}});
    layer("places", "Published learning places; below zoom 14 nearby places merge into clusters",
          {{"id", "String"}, {"name", "String"}, {"category", "String"}, {"free", "Boolean"},
           {"wheelchair", "String"}, {"cluster", "Boolean"}, {"point_count", "Number"}});
    w.EndArray();
}

}  // namespace

Reply tile(const Context& c, engine::TileCache& cache, const std::string& z, const std::string& x, const std::string& y) {
    const auto id = tiles::make_tile(parse_index("z", z), parse_index("x", x), parse_index("y", y));
    if (!id) {
        throw ApiError(ErrorKind::not_found, "no tile " + z + "/" + x + "/" + y + " in WebMercatorQuad (zoom 0.." +
                                                 std::to_string(tiles::max_zoom) + ", x and y below 2^zoom)");
    }
    require_json(c);  // tiles are MVT; f=pb (a lernorte.v1 message) does not apply
    const engine::PlaceQuery filter = tile_filter(c);
    const auto bytes = cache.get(c.catalogue, *id, filter, c.params.encode({"f"}));
    if (!bytes->has_value()) return {mvt_type, {}, {}, 204};
    // The cached bytes themselves, kept alive by the cache entry: a tile is not copied per request.
    Reply reply{mvt_type, {}, {}};
    reply.shared_body = std::shared_ptr<const std::string>(bytes, &**bytes);
    return reply;
}

Reply tilejson(const Context& c) {
    require_json(c);
    (void)tile_filter(c);  // validates the filters that are passed on to the tile URLs
    const geo::BBox& b = c.catalogue.stadtraeume_extent();
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("tilejson");
    w.String("3.0.0");
    w.Key("name");
    w.String("Lernorte Dresden");
    w.Key("tiles");
    w.StartArray();
    w.String((c.root + "/tiles/{z}/{x}/{y}.mvt" + filter_query(c)).c_str());
    w.EndArray();
    w.Key("minzoom");
    w.Int(0);
    w.Key("maxzoom");
    w.Int(tiles::max_zoom);
    if (!b.empty()) {
        w.Key("bounds");
        write_bbox(w, b);
        w.Key("center");
        w.StartArray();
        w.Double((b.min_x + b.max_x) / 2);
        w.Double((b.min_y + b.max_y) / 2);
        w.Int(11);
        w.EndArray();
    }
    w.Key("attribution");
    w.String("Landeshauptstadt Dresden, opendata.dresden.de (dl-de/by-2-0); Sächsische Schuldatenbank; Säbig-Karte");
    w.Key("vector_layers");
    write_vector_layers(w);
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

Reply tilesets(const Context& c) {
    require_json(c);
    c.params.allow_only({});
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("tilesets");
    w.StartArray();
    w.StartObject();
    write_tileset_identity(w);
    w.Key("links");
    write_links(w, {{c.api + "/tiles/WebMercatorQuad", "self", json_type, "The tileset"}});
    w.EndObject();
    w.EndArray();
    w.Key("links");
    write_links(w, {{c.api + "/tiles", "self", json_type, ""}});
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

Reply tileset(const Context& c, const std::string& tms) {
    if (tms != "WebMercatorQuad") {
        throw ApiError(ErrorKind::not_found, "no tile matrix set '" + tms + "'; there is WebMercatorQuad");
    }
    require_json(c);
    c.params.allow_only({});
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_tileset_identity(w);
    w.Key("description");
    w.String((std::string("Mapbox Vector Tiles 2.1, extent 4096, buffer 64. Tile URLs accept the filters ") +
              tile_filters_doc + ".").c_str());
    w.Key("layers");
    write_vector_layers(w);
    w.Key("links");
    write_links(w, {
        {c.api + "/tiles/WebMercatorQuad", "self", json_type, ""},
        {c.api + "/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}", "item", mvt_type, "Tiles (templated)"},
        {c.root + "/tiles.json", "describedby", json_type, "TileJSON"},
    });
    w.EndObject();
    return {json_type, finish(buffer), {}};
}

}  // namespace lernorte::http::detail
