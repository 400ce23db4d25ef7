#pragma once
// The HTTP API without sockets: a request in, a response out. The Pistache server is a thin
// adapter around Api::handle, and tests call handle() directly.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lernorte/engine/engine.hpp>

namespace lernorte::http {

struct Request {
    std::string method = "GET";
    std::string path = "/";  ///< as received (percent-encoded)
    /// Query parameters as received (percent-encoded), in order.
    std::vector<std::pair<std::string, std::string>> query;
    std::map<std::string, std::string> headers;  ///< names lower case
    std::string body;
    /// The client's address, for per-address limits only (never logged or stored).
    std::string remote;
};

struct Response {
    int status = 200;
    std::string content_type;
    std::string body;
    /// When set, the body is this immutable answer held by a cache (a tile), not copied into
    /// `body`, which stays empty. body_view() reads either.
    std::shared_ptr<const std::string> shared_body = nullptr;
    std::vector<std::pair<std::string, std::string>> headers;
    /// The route template, for logs and metrics (e.g. "/api/collections/{cid}/items"); always a literal.
    std::string_view route;

    [[nodiscard]] const std::string* header(const std::string& name) const;
    [[nodiscard]] std::string_view body_view() const noexcept {
        return shared_body ? std::string_view(*shared_body) : std::string_view(body);
    }
};

struct ApiConfig {
    std::string frontend_dir;   ///< static files served at /
    std::string openapi_path;   ///< the OpenAPI document template
    std::string sources_path;   ///< data sources and licences (Markdown)
    std::string base_url;       ///< used when a request has no Host header
    std::string data_dir;       ///< bundled data (residents, postcodes for the geo-target exports)
    std::chrono::seconds token_lifetime{std::chrono::hours(8)};
    std::size_t max_body = 1024 * 1024;  ///< larger request bodies are refused with 413
};

class Metrics;

class Api {
public:
    /// Throws std::runtime_error when a resource file cannot be read.
    Api(engine::Engine& engine, ApiConfig config);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    /// Answers one request; never throws (internal errors become 500 problems).
    [[nodiscard]] Response handle(const Request& request) const;
    /// The same answer, shared: a cached answer is handed out without copying its body.
    [[nodiscard]] std::shared_ptr<const Response> handle_shared(const Request& request) const;

    /// Records a finished request for /metrics.
    void observe(std::string_view route, int status, std::chrono::nanoseconds duration) const;

    void set_ready(bool ready) noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace lernorte::http
