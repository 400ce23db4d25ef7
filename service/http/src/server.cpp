#include <lernorte/http/server.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <pistache/endpoint.h>
#include <pistache/http.h>

namespace lernorte::http {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string method_name(Pistache::Http::Method m) {
    using Pistache::Http::Method;
    switch (m) {
        case Method::Get: return "GET";
        case Method::Head: return "HEAD";
        case Method::Options: return "OPTIONS";
        case Method::Post: return "POST";
        case Method::Put: return "PUT";
        case Method::Patch: return "PATCH";
        case Method::Delete: return "DELETE";
        default: return "OTHER";
    }
}

/// Pistache 0.0.5 writes only typed headers into responses (raw ones are dropped), so every
/// header we set travels as one of these.
class NamedHeader : public Pistache::Http::Header::Header {
public:
    NamedHeader(std::string name, std::string value) : m_name(std::move(name)), m_value(std::move(value)) {}
    const char* name() const override { return m_name.c_str(); }
    void parse(const std::string& data) override { m_value = data; }
    void write(std::ostream& stream) const override { stream << m_value; }
#ifdef SAFE_HEADER_CAST
    uint64_t hash() const override { return std::hash<std::string>{}(m_name); }
#endif

private:
    std::string m_name;
    std::string m_value;
};

constexpr std::size_t large_body = 16 * 1024;

struct Shared {
    Shared(Api& a, bool log) : api(a), access_log(log) {}
    Api& api;
    bool access_log;
    std::mutex log_mutex;
};

class Handler : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(std::shared_ptr<Shared> shared) : m_shared(std::move(shared)) {}

    void onRequest(const Pistache::Http::Request& in, Pistache::Http::ResponseWriter writer) override {
        const auto start = std::chrono::steady_clock::now();
        Request req;
        req.method = method_name(in.method());
        req.path = in.resource();
        for (auto it = in.query().parameters_begin(); it != in.query().parameters_end(); ++it) {
            req.query.emplace_back(it->first, it->second);
        }
        // Only the headers the API reads are copied (formatting a header costs a stream).
        static const std::array<std::string_view, 9> wanted{"host", "accept", "accept-encoding", "if-none-match",
                                                            "x-forwarded-proto", "origin", "authorization",
                                                            "if-match", "content-type"};
        thread_local std::ostringstream value;
        for (const auto& h : in.headers().list()) {
            std::string name = lower(h->name());
            if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
            value.str({});
            h->write(value);
            req.headers[std::move(name)] = value.str();
        }
        for (const auto& [name, raw] : in.headers().rawList()) {
            std::string key = lower(name);
            if (std::find(wanted.begin(), wanted.end(), key) != wanted.end()) req.headers[std::move(key)] = raw.value();
        }

        req.body = in.body();
        req.remote = in.address().host();

        const std::shared_ptr<const Response> answer = m_shared->api.handle_shared(req);
        const Response& res = *answer;
        // HTTP/1.1 keeps connections open unless the client says close; Pistache 0.0.5 closes
        // them unless the client says keep-alive. Follow the protocol.
        const auto connection = in.headers().tryGet<Pistache::Http::Header::Connection>();
        const bool close = connection ? connection->control() == Pistache::Http::ConnectionControl::Close
                                      : in.version() == Pistache::Http::Version::Http10;
        if (!close) {
            writer.headers().remove<Pistache::Http::Header::Connection>();
            writer.headers().add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::KeepAlive);
        }
        for (const auto& [name, value] : res.headers) writer.headers().add(std::make_shared<NamedHeader>(name, value));
        if (!res.content_type.empty()) writer.headers().add(std::make_shared<NamedHeader>("Content-Type", res.content_type));
        const std::string_view body = res.body_view();
        const std::size_t bytes = body.size();
        const bool head = req.method == "HEAD";
        const auto code = static_cast<Pistache::Http::Code>(res.status);
        if (head) {
            // Pistache 0.0.5 would write a body on HEAD too, so HEAD sends none (Content-Length: 0).
            writer.send(code, std::string());
        } else if (bytes >= large_body) {
            // send() copies a body into a 512-byte buffer that doubles as it fills: a large body
            // is copied many times over. A stream sized for the body copies it once (chunked).
            // Sized for the status line, the headers, the chunk framing and the body: a stream
            // that has to grow copies everything written so far.
            std::size_t head_bytes = 512 + res.content_type.size();
            for (const auto& [name, value] : res.headers) head_bytes += name.size() + value.size() + 4;
            auto stream = writer.stream(code, bytes + head_bytes);
            stream.write(body.data(), static_cast<std::streamsize>(bytes));
            stream.ends();
        } else {
            writer.send(code, body.data(), bytes);
        }

        const auto elapsed = std::chrono::steady_clock::now() - start;
        m_shared->api.observe(res.route, res.status, elapsed);
        if (m_shared->access_log) {
            // No client address is kept: method, route, status, bytes, duration.
            char line[512];
            const int n = std::snprintf(line, sizeof line, "%s %s %d %zu %.3fms\n", req.method.c_str(),
                                        std::string(res.route).c_str(), res.status, head ? 0 : bytes,
                                        std::chrono::duration<double, std::milli>(elapsed).count());
            std::lock_guard lock(m_shared->log_mutex);
            std::fwrite(line, 1, static_cast<std::size_t>(std::max(0, std::min<int>(n, sizeof line - 1))), stdout);
            std::fflush(stdout);
        }
    }

private:
    std::shared_ptr<Shared> m_shared;
};

}  // namespace

struct Server::Impl {
    ServerOptions options;
    std::shared_ptr<Shared> shared;
    std::unique_ptr<Pistache::Http::Endpoint> endpoint;
    bool running = false;
};

Server::Server(Api& api, ServerOptions options)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    m_impl->shared = std::make_shared<Shared>(api, m_impl->options.access_log);
}

Server::~Server() { shutdown(); }

void Server::start() {
    try {
        const Pistache::Address address(m_impl->options.listen, Pistache::Port(m_impl->options.port));
        m_impl->endpoint = std::make_unique<Pistache::Http::Endpoint>(address);
        auto opts = Pistache::Http::Endpoint::options()
                        .threads(std::max(1, m_impl->options.threads))
                        .flags(Pistache::Tcp::Options::ReuseAddr)
                        .maxRequestSize(4 * m_impl->options.max_body + 64 * 1024)
                        .maxResponseSize(64 * 1024 * 1024);
        m_impl->endpoint->init(opts);
        m_impl->endpoint->setHandler(Pistache::Http::make_handler<Handler>(m_impl->shared));
        m_impl->endpoint->serveThreaded();
        m_impl->running = true;
    } catch (const std::exception& e) {
        m_impl->endpoint.reset();
        throw std::runtime_error("cannot listen on " + m_impl->options.listen + ":" +
                                 std::to_string(m_impl->options.port) + ": " + e.what());
    }
}

std::uint16_t Server::port() const {
    if (!m_impl->endpoint) return 0;
    return static_cast<std::uint16_t>(m_impl->endpoint->getPort());
}

void Server::shutdown() {
    if (m_impl->running && m_impl->endpoint) {
        m_impl->endpoint->shutdown();
        m_impl->running = false;
    }
}

}  // namespace lernorte::http
