#pragma once
// Query-string parsing and validation of the API's parameters.

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lernorte/engine/catalogue.hpp>

namespace lernorte::http::detail {

/// Percent-decodes (and '+' -> space). Returns nullopt on a malformed escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
/// Percent-encodes for a query value.
[[nodiscard]] std::string percent_encode(std::string_view s);

/// Decoded query parameters. Throws ApiError on bad escapes, invalid UTF-8, or a
/// parameter given twice with different values.
class QueryParams {
public:
    explicit QueryParams(const std::vector<std::pair<std::string, std::string>>& raw);

    /// Throws unknown_parameter when a parameter is not in `allowed` (nor "f").
    void allow_only(std::initializer_list<std::string_view> allowed) const;

    [[nodiscard]] const std::string* get(std::string_view name) const;
    [[nodiscard]] bool has(std::string_view name) const { return get(name) != nullptr; }
    [[nodiscard]] const std::map<std::string, std::string, std::less<>>& all() const noexcept { return m_values; }

    /// Re-encodes all parameters except `except`, sorted by name (for links and cache keys).
    [[nodiscard]] std::string encode(std::initializer_list<std::string_view> except = {}) const;

private:
    std::map<std::string, std::string, std::less<>> m_values;
};

/// limit (default 100, clamped to 10000) and offset (default 0).
[[nodiscard]] std::pair<std::size_t, std::size_t> parse_paging(const QueryParams& params);
[[nodiscard]] std::optional<geo::BBox> parse_bbox(const QueryParams& params);
/// All place filters of the items route; validates against the taxonomy and the catalogue.
[[nodiscard]] engine::PlaceQuery parse_place_query(const QueryParams& params, const engine::Catalogue& catalogue);
/// A finite number, or an ApiError naming the parameter.
[[nodiscard]] double parse_double(const std::string& field, const std::string& text);

}  // namespace lernorte::http::detail
