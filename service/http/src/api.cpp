#include <lernorte/http/api.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <zlib.h>

#include <lernorte/storage/text.hpp>

#include "metrics.hpp"
#include "problem.hpp"
#include "response_cache.hpp"
#include "routes.hpp"

namespace lernorte::http {

using namespace detail;

const std::string* Response::header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
        if (k.size() == name.size() &&
            std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
            return &v;
        }
    }
    return nullptr;
}

namespace {

constexpr std::size_t max_query_bytes = 8192;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
    return s;
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

const std::string* header(const Request& r, const std::string& name) {
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? nullptr : &it->second;
}

bool accepts_gzip(const Request& r) {
    const std::string* ae = header(r, "accept-encoding");
    if (ae == nullptr) return false;
    const auto pos = ae->find("gzip");
    if (pos == std::string::npos) return false;
    const auto rest = ae->substr(pos + 4, 8);
    return rest.rfind(";q=0", 0) != 0 || rest.rfind(";q=0.", 0) == 0;
}

std::optional<std::string> gzip(std::string_view body) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(body.size())));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    zs.avail_in = static_cast<uInt>(body.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) return std::nullopt;
    out.resize(zs.total_out);
    return out;
}

/// Format asked for, without validation (used for problems too).
Format wanted_format(const Request& r) {
    for (const auto& [k, v] : r.query) {
        if (k == "f") return (v == "pb" || v == "protobuf") ? Format::pb : Format::json;
    }
    const std::string* accept = header(r, "accept");
    if (accept != nullptr && (accept->find("application/x-protobuf") != std::string::npos ||
                              accept->find("application/protobuf") != std::string::npos)) {
        return Format::pb;
    }
    return Format::json;
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start <= path.size()) {
        const auto end = path.find('/', start);
        std::string segment = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        auto decoded = percent_decode(segment, false);
        if (!decoded || !storage::valid_utf8(*decoded)) {
            throw ApiError(ErrorKind::not_found, "malformed path");
        }
        if (!decoded->empty()) out.push_back(std::move(*decoded));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

std::string mime_for(const std::filesystem::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".woff2") return "font/woff2";
    return "application/octet-stream";
}

std::string root_url(const Request& req, const std::string& base_url) {
    if (const std::string* host = header(req, "host"); host != nullptr && !host->empty()) {
        const std::string* proto = header(req, "x-forwarded-proto");
        return (proto != nullptr && *proto == "https" ? "https://" : "http://") + *host;
    }
    return base_url;
}

bool private_path(const Request& req) {
    const std::string& p = req.path;
    return p.rfind("/api/auth/", 0) == 0 || p.rfind("/api/suggestions", 0) == 0 || p.rfind("/api/targets", 0) == 0 ||
           (p.rfind("/api/collections/", 0) == 0 && p.size() > 8 && p.compare(p.size() - 8, 8, "/history") == 0);
}

}  // namespace

struct Api::Impl {
    Impl(engine::Engine& e, ApiConfig c)
        : engine(e), config(std::move(c)), accounts(e.store(), accounts_options(config)), editor(e),
          targets(config.data_dir) {}
    static engine::Accounts::Options accounts_options(const ApiConfig& c) {
        engine::Accounts::Options o;
        o.token_lifetime = c.token_lifetime;
        return o;
    }
    engine::Engine& engine;
    ApiConfig config;
    mutable engine::Accounts accounts;
    mutable engine::Editor editor;
    mutable TargetService targets;
    std::string openapi_template;
    std::string sources;
    mutable Metrics metrics;
    mutable engine::TileCache tile_cache;
    mutable ResponseCache responses;
    std::atomic<bool> ready{false};

    Reply dispatch(const Request& req, const QueryParams& params, const engine::Catalogue& catalogue,
                   Format format, std::string_view& route) const;
    Reply static_file(const std::vector<std::string>& segments, std::string_view& route) const;
};

Api::Api(engine::Engine& engine, ApiConfig config) : m_impl(std::make_unique<Impl>(engine, std::move(config))) {
    m_impl->openapi_template = read_file(m_impl->config.openapi_path);
    m_impl->sources = read_file(m_impl->config.sources_path);
}

Api::~Api() = default;

void Api::set_ready(bool ready) noexcept { m_impl->ready = ready; }

void Api::observe(std::string_view route, int status, std::chrono::nanoseconds duration) const {
    m_impl->metrics.observe(route, status, duration);
}

Reply Api::Impl::static_file(const std::vector<std::string>& segments, std::string_view& route) const {
    route = "/{static}";
    std::filesystem::path p(config.frontend_dir);
    if (segments.empty()) {
        route = "/";
        p /= "index.html";
    }
    for (const auto& s : segments) {
        if (s == ".." || s == "." || s.find('\\') != std::string::npos) throw ApiError(ErrorKind::not_found, "no such file");
        p /= s;
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) throw ApiError(ErrorKind::not_found, "no such resource");
    return {mime_for(p), read_file(p.string()), {}};
}

Reply Api::Impl::dispatch(const Request& req, const QueryParams& params, const engine::Catalogue& catalogue,
                          Format format, std::string_view& route) const {
    const std::vector<std::string> seg = split_path(req.path);
    const std::string root = root_url(req, config.base_url);
    const Context c{req, params, catalogue, format, root, root + "/api"};
    const auto n = seg.size();
    const auto is = [&](std::initializer_list<std::string_view> parts) {
        if (parts.size() != n) return false;
        std::size_t i = 0;
        for (auto p : parts) {
            if (p != "*" && seg[i] != p) return false;
            ++i;
        }
        return true;
    };

    if (n >= 1 && seg[0] == "api") {
        if (n == 1) {
            route = "/api";
            params.allow_only({});
            return landing(c);
        }
        if (is({"api", "conformance"})) {
            route = "/api/conformance";
            params.allow_only({});
            return conformance(c);
        }
        if (is({"api", "openapi"})) {
            route = "/api/openapi";
            params.allow_only({});
            require_json(c);
            std::string doc = replace_all(openapi_template, "{{SERVER_URL}}", c.api);
            doc = replace_all(std::move(doc), "{{ROOT_URL}}", c.root);
            return {openapi_type, std::move(doc), {}};
        }
        if (is({"api", "collections"})) {
            route = "/api/collections";
            params.allow_only({});
            return collections(c);
        }
        if (is({"api", "collections", "*"})) {
            route = "/api/collections/{cid}";
            params.allow_only({});
            return collection(c, seg[2]);
        }
        if (is({"api", "collections", "*", "items"})) {
            route = "/api/collections/{cid}/items";
            return items(c, seg[2]);
        }
        if (is({"api", "collections", "*", "items", "*"})) {
            route = "/api/collections/{cid}/items/{id}";
            return item(c, seg[2], seg[4]);
        }
        if (is({"api", "collections", "*", "queryables"})) {
            route = "/api/collections/{cid}/queryables";
            return queryables(c, seg[2]);
        }
        if (is({"api", "lookup"})) {
            route = "/api/lookup";
            return lookup(c);
        }
        if (is({"api", "stadtraeume", "stats"})) {
            route = "/api/stadtraeume/stats";
            return stadtraeume_stats(c);
        }
        if (is({"api", "categories"})) {
            route = "/api/categories";
            return categories(c);
        }
        if (is({"api", "tiles"})) {
            route = "/api/tiles";
            return tilesets(c);
        }
        if (is({"api", "tiles", "*"})) {
            route = "/api/tiles/{tms}";
            return tileset(c, seg[2]);
        }
        if (is({"api", "tiles", "*", "*", "*", "*"})) {
            route = "/api/tiles/{tms}/{z}/{y}/{x}";
            if (seg[2] != "WebMercatorQuad") {
                throw ApiError(ErrorKind::not_found, "no tile matrix set '" + seg[2] + "'; there is WebMercatorQuad");
            }
            return tile(c, tile_cache, seg[3], seg[5], seg[4]);
        }
        if (is({"api", "sources"})) {
            route = "/api/sources";
            params.allow_only({});
            require_json(c);
            return {"text/markdown; charset=utf-8", sources, {}};
        }
        route = "/api/{unknown}";
        throw ApiError(ErrorKind::not_found, "no such resource: " + req.path + " (see " + c.api + "/openapi)");
    }
    if (is({"tiles", "*", "*", "*"})) {
        route = "/tiles/{z}/{x}/{y}.mvt";
        const std::string& last = seg[3];
        if (last.size() < 5 || last.compare(last.size() - 4, 4, ".mvt") != 0) {
            throw ApiError(ErrorKind::not_found, "tiles are at /tiles/{z}/{x}/{y}.mvt");
        }
        return tile(c, tile_cache, seg[1], seg[2], last.substr(0, last.size() - 4));
    }
    if (is({"tiles.json"})) {
        route = "/tiles.json";
        return tilejson(c);
    }
    if (is({"healthz"})) {
        route = "/healthz";
        return {"text/plain; charset=utf-8", "ok\n", {}};
    }
    if (is({"metrics"})) {
        route = "/metrics";
        return {"text/plain; version=0.0.4; charset=utf-8", metrics.render(catalogue), {}};
    }
    // Static files ignore query strings: campaign links carry utm_* parameters, and the map
    // keeps its own state in the fragment.
    return static_file(seg, route);
}

Response Api::handle(const Request& req) const {
    Response res = *handle_shared(req);
    if (res.shared_body) {
        res.body = *res.shared_body;
        res.shared_body.reset();
    }
    return res;
}

std::shared_ptr<const Response> Api::handle_shared(const Request& req) const {
    auto shared = std::make_shared<Response>();
    Response& res = *shared;
    res.route = "unmatched";
    const Format format = wanted_format(req);
    const auto cors = [&] {
        res.headers.emplace_back("Access-Control-Allow-Origin", "*");
        res.headers.emplace_back("Access-Control-Expose-Headers", "ETag, Link, Location, Retry-After");
    };
    try {
        std::size_t query_bytes = 0;
        for (const auto& [k, v] : req.query) query_bytes += k.size() + v.size() + 2;
        if (query_bytes > max_query_bytes) {
            throw ApiError(ErrorKind::uri_too_long, "the query string is longer than 8192 bytes");
        }
        if (req.method == "OPTIONS") {
            res.route = "OPTIONS";
            res.status = 204;
            const char* allow = allowed_methods(split_path(req.path));
            res.headers.emplace_back("Allow", allow);
            res.headers.emplace_back("Access-Control-Allow-Methods", allow);
            res.headers.emplace_back("Access-Control-Allow-Headers",
                                     "Accept, Accept-Encoding, If-None-Match, If-Match, Content-Type, Authorization");
            res.headers.emplace_back("Access-Control-Max-Age", "86400");
            cors();
            return shared;
        }
        const bool read = req.method == "GET" || req.method == "HEAD";
        if (!read || private_path(req)) {
            const std::vector<std::string> seg = split_path(req.path);
            const QueryParams params(req.query);
            const std::string root = root_url(req, m_impl->config.base_url);
            const WriteContext wc{req,  params, m_impl->editor, m_impl->accounts, m_impl->targets, m_impl->engine.catalogue(),
                                  root, root + "/api", m_impl->config.max_body};
            if (auto reply = private_route(wc, seg, res.route)) {
                res.status = reply->status;
                res.content_type = std::move(reply->content_type);
                res.body = std::move(reply->body);
                for (auto& h : reply->headers) res.headers.push_back(std::move(h));
                res.headers.emplace_back("Cache-Control", "no-store");
                cors();
                return shared;
            }
            if (!read) {
                const char* allow = allowed_methods(seg);
                throw ApiError(ErrorKind::method_not_allowed, req.method + " is not allowed here; allowed: " + allow)
                    .with_header("Allow", allow);
            }
        }
        const QueryParams params(req.query);
        if (const std::string* f = params.get("f"); f != nullptr && *f != "json" && *f != "geojson" && *f != "pb" &&
                                                    *f != "protobuf") {
            throw invalid("f", "must be json, geojson or pb");
        }
        const auto catalogue = m_impl->engine.catalogue();
        if (!m_impl->ready && req.path == "/healthz") {
            res.route = "/healthz";
            res.status = 503;
            res.content_type = "text/plain; charset=utf-8";
            res.body = "starting\n";
            return shared;
        }
        const bool volatile_route = req.path == "/healthz" || req.path == "/metrics";
        // The answer is a function of the catalogue version and the normalised request.
        const std::string key = req.path + "?" + params.encode() + (format == Format::pb ? "#pb" : "#json");
        char etag[64];
        std::snprintf(etag, sizeof etag, "W/\"%lld-%016llx\"", static_cast<long long>(catalogue->version()),
                      static_cast<unsigned long long>(fnv1a(key)));
        const auto not_modified = [&] {
            const std::string* inm = header(req, "if-none-match");
            return !volatile_route && inm != nullptr && (inm->find(etag) != std::string::npos || *inm == "*");
        };
        const bool gzipped = accepts_gzip(req);
        const std::string* host = header(req, "host");
        const std::string* proto = header(req, "x-forwarded-proto");
        // Links in answers carry the host, so it is part of the cache key, as is the encoding.
        const std::string cache_key = key + "|" + (host ? *host : "") + "|" + (proto ? *proto : "") + (gzipped ? "|gz" : "");
        // Tiles have their own cache (by catalogue version, tile and filter); keeping them here
        // too would hold every tile twice.
        const bool tile_route = req.path.rfind("/tiles/", 0) == 0 || req.path.rfind("/api/tiles/WebMercatorQuad/", 0) == 0;
        const bool use_response_cache = !volatile_route && !tile_route;
        if (use_response_cache) {
            if (auto cached = m_impl->responses.get(catalogue->version(), cache_key)) {
                if (const std::string* own = cached->header("ETag")) std::snprintf(etag, sizeof etag, "%s", own->c_str());
                if (!not_modified()) return cached;
                res = *cached;
                res.status = 304;
                res.body.clear();
                res.shared_body.reset();
                std::erase_if(res.headers, [](const auto& h) { return h.first == "Content-Encoding"; });
                return shared;
            }
        }
        Reply reply = m_impl->dispatch(req, params, *catalogue, format, res.route);
        for (auto it = reply.headers.begin(); it != reply.headers.end(); ++it) {
            if (it->first == "ETag") {  // a route's own ETag (a place's version) wins
                std::snprintf(etag, sizeof etag, "%s", it->second.c_str());
                reply.headers.erase(it);
                break;
            }
        }
        res.status = reply.status;
        res.content_type = std::move(reply.content_type);
        res.body = std::move(reply.body);
        res.shared_body = std::move(reply.shared_body);
        for (auto& h : reply.headers) res.headers.push_back(std::move(h));
        if (volatile_route) {
            res.headers.emplace_back("Cache-Control", "no-store");
            cors();
            return shared;
        }
        res.headers.emplace_back("ETag", etag);
        // no-cache: browsers and CDNs may keep answers but revalidate each use (If-None-Match -> 304),
        // so a write is on every map with the next request.
        res.headers.emplace_back("Cache-Control", "public, no-cache");
        res.headers.emplace_back("Vary", "Accept, Accept-Encoding");
        if (res.body_view().size() >= 1024 && gzipped) {
            if (auto z = gzip(res.body_view())) {
                res.body = std::move(*z);
                res.shared_body.reset();
                res.headers.emplace_back("Content-Encoding", "gzip");
            }
        }
        cors();
        if (not_modified()) {
            if (use_response_cache) {
                m_impl->responses.put(catalogue->version(), cache_key, std::make_shared<const Response>(res));
            }
            res.status = 304;
            res.body.clear();
            res.shared_body.reset();
            std::erase_if(res.headers, [](const auto& h) { return h.first == "Content-Encoding"; });
            return shared;
        }
        if (use_response_cache) m_impl->responses.put(catalogue->version(), cache_key, shared);
        return shared;
    } catch (const ApiError& e) {
        const ErrorInfo& info = detail::info(e.kind());
        res.status = info.status;
        res.body.clear();
        res.shared_body.reset();
        std::erase_if(res.headers, [](const auto& h) { return h.first != "Allow"; });
        for (const auto& h : e.headers()) res.headers.push_back(h);
        std::vector<std::pair<std::string, std::string>> errors;
        for (const auto& fe : e.errors()) errors.emplace_back(fe.field, fe.message);
        const std::string type = "urn:lernorte:problem:" + std::string(info.code);
        if (format == Format::pb && e.kind() != ErrorKind::not_acceptable) {
            res.content_type = pb_type;
            res.body = pb_problem(info.status, type, std::string(info.title), e.what(), req.path, errors);
        } else {
            rapidjson::StringBuffer buffer;
            JsonWriter w(buffer);
            w.StartObject();
            w.Key("type");
            w.String(type.c_str());
            w.Key("title");
            w.String(info.title.data(), static_cast<rapidjson::SizeType>(info.title.size()));
            w.Key("status");
            w.Int(info.status);
            w.Key("detail");
            w.String(e.what());
            w.Key("instance");
            const std::string instance = storage::valid_utf8(req.path) ? req.path : std::string("/");
            w.String(instance.c_str());
            if (!errors.empty()) {
                w.Key("errors");
                w.StartArray();
                for (const auto& [field, message] : errors) {
                    w.StartObject();
                    w.Key("field");
                    w.String(field.c_str());
                    w.Key("message");
                    w.String(message.c_str());
                    w.EndObject();
                }
                w.EndArray();
            }
            w.EndObject();
            res.content_type = "application/problem+json";
            res.body.assign(buffer.GetString(), buffer.GetSize());
        }
        res.headers.emplace_back("Cache-Control", "no-store");
        cors();
        return shared;
    } catch (const std::exception& e) {
        std::cerr << "lernorte: internal error on " << req.method << ' ' << res.route << ": " << e.what() << '\n';
        res.status = 500;
        res.content_type = "application/problem+json";
        res.shared_body.reset();
        res.body = R"({"type":"urn:lernorte:problem:internal-error","title":"Internal server error","status":500,)"
                   R"("detail":"the server could not answer; the error is logged"})";
        res.headers.clear();
        res.headers.emplace_back("Cache-Control", "no-store");
        cors();
        return shared;
    }
}

}  // namespace lernorte::http
