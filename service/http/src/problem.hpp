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
    not_found,
    method_not_allowed,
    not_acceptable,
    uri_too_long,
    payload_too_large,
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
    {ErrorKind::not_found, 404, "not-found", "Not found"},
    {ErrorKind::method_not_allowed, 405, "method-not-allowed", "Method not allowed"},
    {ErrorKind::not_acceptable, 406, "not-acceptable", "Not acceptable"},
    {ErrorKind::uri_too_long, 414, "uri-too-long", "URI too long"},
    {ErrorKind::payload_too_large, 413, "payload-too-large", "Payload too large"},
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

private:
    ErrorKind m_kind;
    std::vector<FieldError> m_errors;
};

/// An invalid value of one query parameter.
[[nodiscard]] inline ApiError invalid(const std::string& field, const std::string& message) {
    return ApiError(ErrorKind::invalid_parameter, field + ": " + message, {{field, message}});
}

}  // namespace lernorte::http::detail
