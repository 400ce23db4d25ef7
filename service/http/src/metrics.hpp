#pragma once
// Request counters and latency histograms in Prometheus text format.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <lernorte/engine/catalogue.hpp>

namespace lernorte::http {

class Metrics {
public:
    /// `route` must outlive the Metrics (routes are string literals).
    void observe(std::string_view route, int status, std::chrono::nanoseconds duration);
    /// The exposition text, with catalogue gauges from the given snapshot.
    [[nodiscard]] std::string render(const engine::Catalogue& catalogue) const;

private:
    static constexpr std::array<double, 12> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
    struct Histogram {
        std::array<std::uint64_t, bounds.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0.0;
    };
    mutable std::mutex m_mutex;
    // Keyed by views of the route literals: counting allocates nothing.
    std::map<std::pair<std::string_view, int>, std::uint64_t> m_requests;
    std::map<std::string_view, Histogram> m_latency;
};

}  // namespace lernorte::http
