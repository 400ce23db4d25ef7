#pragma once
// Error kinds at the HTTP edge: one table maps each to its status, stable code and title.

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lernorte::http::detail {

enum class ErrorKind {
    invalid_parameter,
    unknown_parameter,
    invalid_body,
    unauthorized,
    forbidden,
    not_found,
    method_not_allowed,
    not_acceptable,
    conflict,
    precondition_failed,
    payload_too_large,
    uri_too_long,
    unsupported_media_type,
    precondition_required,
    too_many_requests,
    internal,
    count_
};

struct ErrorInfo {
    ErrorKind kind;
    int status;
    std::string_view code;
    std::string_view title;
};

inline constexpr std::array<ErrorInfo, static_cast<std::size_t>(ErrorKind::count_)> error_table{{
    {ErrorKind::invalid_parameter, 400, "invalid-parameter", "Invalid query parameter"},
    {ErrorKind::unknown_parameter, 400, "unknown-parameter", "Unknown query parameter"},
    {ErrorKind::invalid_body, 400, "invalid-body", "Invalid request body"},
    {ErrorKind::unauthorized, 401, "unauthorized", "Authentication required"},
    {ErrorKind::forbidden, 403, "forbidden", "Forbidden"},
    {ErrorKind::not_found, 404, "not-found", "Not found"},
    {ErrorKind::method_not_allowed, 405, "method-not-allowed", "Method not allowed"},
    {ErrorKind::not_acceptable, 406, "not-acceptable", "Not acceptable"},
    {ErrorKind::conflict, 409, "conflict", "Conflict"},
    {ErrorKind::precondition_failed, 412, "precondition-failed", "Precondition failed"},
    {ErrorKind::payload_too_large, 413, "payload-too-large", "Payload too large"},
    {ErrorKind::uri_too_long, 414, "uri-too-long", "URI too long"},
    {ErrorKind::unsupported_media_type, 415, "unsupported-media-type", "Unsupported media type"},
    {ErrorKind::precondition_required, 428, "precondition-required", "Precondition required"},
    {ErrorKind::too_many_requests, 429, "too-many-requests", "Too many requests"},
    {ErrorKind::internal, 500, "internal-error", "Internal server error"},
}};
static_assert([] {
    for (std::size_t i = 0; i < error_table.size(); ++i) {
        if (static_cast<std::size_t>(error_table[i].kind) != i) return false;
    }
    return true;
}(), "error_table must list every ErrorKind in order");

[[nodiscard]] constexpr const ErrorInfo& info(ErrorKind k) { return error_table[static_cast<std::size_t>(k)]; }

struct FieldError {
    std::string field;
    std::string message;
};

/// Thrown inside request handling; turned into a problem response at the edge.
class ApiError : public std::runtime_error {
public:
    ApiError(ErrorKind kind, std::string detail, std::vector<FieldError> errors = {})
        : std::runtime_error(detail), m_kind(kind), m_errors(std::move(errors)) {}
    [[nodiscard]] ErrorKind kind() const noexcept { return m_kind; }
    [[nodiscard]] const std::vector<FieldError>& errors() const noexcept { return m_errors; }
    /// Headers the problem answer carries (WWW-Authenticate, Retry-After, ETag).
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& headers() const noexcept { return m_headers; }
    ApiError& with_header(std::string name, std::string value) {
        m_headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }

private:
    ErrorKind m_kind;
    std::vector<FieldError> m_errors;
    std::vector<std::pair<std::string, std::string>> m_headers;
};

/// An invalid value of one query parameter.
[[nodiscard]] inline ApiError invalid(const std::string& field, const std::string& message) {
    return ApiError(ErrorKind::invalid_parameter, field + ": " + message, {{field, message}});
}

}  // namespace lernorte::http::detail
