#pragma once
// The HTTP server: Pistache on the outside, Api::handle inside. Pistache types stay here.

#include <cstdint>
#include <memory>
#include <string>

#include <lernorte/http/api.hpp>

namespace lernorte::http {

struct ServerOptions {
    std::string listen = "127.0.0.1";
    std::uint16_t port = 8080;  ///< 0: any free port (read it back with port())
    int threads = 2;
    bool access_log = true;     ///< one line per request on stdout
    std::size_t max_body = 1024 * 1024;
};

class Server {
public:
    Server(Api& api, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and serves on background threads. Throws std::runtime_error when binding fails.
    void start();
    /// The bound port (after start()).
    [[nodiscard]] std::uint16_t port() const;
    /// Stops accepting, lets in-flight requests finish, joins the threads.
    void shutdown();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace lernorte::http
