#pragma once
// Rendering of the model: GeoJSON/JSON with RapidJSON, protobuf with the lernorte.v1 messages.
// Protobuf types stop here.

#include <optional>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <lernorte/engine/catalogue.hpp>

namespace lernorte::http::detail {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

/// The text a JSON writer produced.
[[nodiscard]] inline std::string finish(const rapidjson::StringBuffer& buffer) {
    return {buffer.GetString(), buffer.GetSize()};
}

struct Link {
    std::string href;
    std::string rel;
    std::string type;
    std::string title;
};

void write_link(JsonWriter& w, const Link& link);
void write_links(JsonWriter& w, const std::vector<Link>& links);
void write_bbox(JsonWriter& w, const geo::BBox& b);
void write_place_feature(JsonWriter& w, const storage::Place& p, std::optional<double> distance_m);
void write_stadtraum_properties(JsonWriter& w, const storage::Stadtraum& s);
void write_stadtraum_feature(JsonWriter& w, const storage::Stadtraum& s);
void write_area_stats(JsonWriter& w, const engine::AreaStats& a);

/// Protobuf encodings (serialized bytes).
[[nodiscard]] std::string pb_place(const storage::Place& p, std::optional<double> distance_m);
[[nodiscard]] std::string pb_stadtraum(const storage::Stadtraum& s);
[[nodiscard]] std::string pb_places(const engine::Catalogue& c, const engine::PlaceResult& r,
                                    const std::vector<Link>& links, const std::string& time_stamp);
[[nodiscard]] std::string pb_stadtraeume(const std::vector<const storage::Stadtraum*>& items,
                                         std::size_t number_matched, const std::vector<Link>& links,
                                         const std::string& time_stamp);
[[nodiscard]] std::string pb_lookup(double lon, double lat, const storage::Stadtraum& s);
[[nodiscard]] std::string pb_stats(const engine::Stats& stats, std::int64_t version);
[[nodiscard]] std::string pb_categories(const engine::Catalogue& c);
[[nodiscard]] std::string pb_problem(int status, const std::string& type, const std::string& title,
                                     const std::string& detail, const std::string& instance,
                                     const std::vector<std::pair<std::string, std::string>>& errors);

}  // namespace lernorte::http::detail
