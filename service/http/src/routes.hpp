#pragma once
// Route handlers. Each takes the request context and returns a reply or throws ApiError.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lernorte/engine/accounts.hpp>
#include <lernorte/engine/editor.hpp>
#include <lernorte/engine/targets.hpp>

#include <memory>
#include <mutex>

#include <lernorte/engine/catalogue.hpp>
#include <lernorte/engine/tile_service.hpp>
#include <lernorte/http/api.hpp>

#include "params.hpp"
#include "views.hpp"

namespace lernorte::http::detail {

enum class Format { json, pb };

inline constexpr const char* geojson_type = "application/geo+json";
inline constexpr const char* json_type = "application/json";
inline constexpr const char* pb_type = "application/x-protobuf";
inline constexpr const char* openapi_type = "application/vnd.oai.openapi+json;version=3.0";
inline constexpr const char* dl_de_by_url = "https://www.govdata.de/dl-de/by-2-0";

struct Context {
    const Request& request;
    const QueryParams& params;
    const engine::Catalogue& catalogue;
    Format format;
    std::string root;  ///< e.g. "http://127.0.0.1:8080"
    std::string api;   ///< root + "/api"
};

struct Reply {
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int status = 200;
    std::shared_ptr<const std::string> shared_body = nullptr;  ///< instead of `body`: see Response::shared_body
};

/// Throws not_acceptable when the client asked for protobuf on a JSON-only route.
void require_json(const Context& c);

// OGC API - Features (routes_features.cpp)
Reply landing(const Context& c);
Reply conformance(const Context& c);
Reply collections(const Context& c);
Reply collection(const Context& c, const std::string& cid);
Reply items(const Context& c, const std::string& cid);
Reply item(const Context& c, const std::string& cid, const std::string& id);
Reply queryables(const Context& c, const std::string& cid);

// Vector tiles (routes_tiles.cpp)
inline constexpr const char* mvt_type = "application/vnd.mapbox-vector-tile";
Reply tile(const Context& c, engine::TileCache& cache, const std::string& z, const std::string& x,
           const std::string& y);
Reply tilejson(const Context& c);
Reply tilesets(const Context& c);
Reply tileset(const Context& c, const std::string& tms);

// Domain routes (routes_domain.cpp)
Reply lookup(const Context& c);
Reply stadtraeume_stats(const Context& c);
Reply categories(const Context& c);

// Geo-target exports (routes_targets.cpp). The planner is built once per set of Stadträume.
class TargetService {
public:
    explicit TargetService(std::string data_dir);
    /// Throws std::runtime_error when the data directory cannot be read.
    std::shared_ptr<const geo::TargetPlanner> planner(const engine::Catalogue& catalogue);

private:
    std::string m_data_dir;
    std::mutex m_mutex;
    std::shared_ptr<const engine::TargetData> m_data;
    std::shared_ptr<const geo::TargetPlanner> m_planner;
    std::weak_ptr<const engine::Boundaries> m_bounds;
};

struct TargetContext {
    const QueryParams& params;
    const engine::Catalogue& catalogue;
    TargetService& service;
    std::string root;
};
Reply targets(const TargetContext& c, bool preview);
Reply target_platforms(const TargetContext& c);

// Accounts, writes, history, suggestions (routes_write.cpp). Never cached.
struct WriteContext {
    const Request& request;
    const QueryParams& params;
    engine::Editor& editor;
    engine::Accounts& accounts;
    TargetService& targets;
    std::shared_ptr<const engine::Catalogue> catalogue;
    std::string root;
    std::string api;
    std::size_t max_body;
};

/// Answers the routes that write or need an account; nullopt when the path is none of them.
std::optional<Reply> private_route(const WriteContext& c, const std::vector<std::string>& segments,
                                   std::string_view& route);
/// The Allow header of a path (for OPTIONS and 405).
const char* allowed_methods(const std::vector<std::string>& segments);

}  // namespace lernorte::http::detail
