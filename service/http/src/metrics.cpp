#include "metrics.hpp"

#include <sstream>

namespace lernorte::http {

void Metrics::observe(std::string_view route, int status, std::chrono::nanoseconds duration) {
    const double seconds = std::chrono::duration<double>(duration).count();
    std::lock_guard lock(m_mutex);
    ++m_requests[{route, status}];
    Histogram& h = m_latency[route];
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (seconds <= bounds[i]) ++h.buckets[i];
    }
    ++h.count;
    h.sum += seconds;
}

std::string Metrics::render(const engine::Catalogue& catalogue) const {
    std::ostringstream out;
    out << "# HELP lernorte_http_requests_total HTTP requests by route and status.\n"
           "# TYPE lernorte_http_requests_total counter\n";
    std::lock_guard lock(m_mutex);
    for (const auto& [key, count] : m_requests) {
        out << "lernorte_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} "
            << count << '\n';
    }
    out << "# HELP lernorte_http_request_duration_seconds Time to answer a request.\n"
           "# TYPE lernorte_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : m_latency) {
        for (std::size_t i = 0; i < bounds.size(); ++i) {
            out << "lernorte_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << bounds[i]
                << "\"} " << h.buckets[i] << '\n';
        }
        out << "lernorte_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count
            << '\n';
        out << "lernorte_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << '\n';
        out << "lernorte_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << '\n';
    }
    out << "# HELP lernorte_catalogue_places Published places in the read model.\n"
           "# TYPE lernorte_catalogue_places gauge\n"
           "lernorte_catalogue_places "
        << catalogue.size()
        << "\n# HELP lernorte_catalogue_stadtraeume Stadträume in the read model.\n"
           "# TYPE lernorte_catalogue_stadtraeume gauge\n"
           "lernorte_catalogue_stadtraeume "
        << catalogue.stadtraeume().size()
        << "\n# HELP lernorte_catalogue_version Version of the published read model.\n"
           "# TYPE lernorte_catalogue_version gauge\n"
           "lernorte_catalogue_version "
        << catalogue.version() << '\n';
    return out.str();
}

}  // namespace lernorte::http
