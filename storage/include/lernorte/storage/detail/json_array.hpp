#pragma once
// The JSON form of the string lists the store keeps in TEXT columns (tags, target_groups,
// languages, member_districts): `["a","b"]`, written and read with RapidJSON.

#include <string>
#include <string_view>
#include <vector>

namespace lernorte::storage::detail {

/// `["a","b\"c"]`: quotes, backslashes and control characters escaped, other bytes (UTF-8)
/// written as they are.
[[nodiscard]] std::string write_json_string_array(const std::vector<std::string>& items);

/// Parses a JSON array whose elements are all strings (any JSON whitespace, every escape
/// including \uXXXX surrogate pairs). Throws std::invalid_argument naming the offset on
/// anything else.
[[nodiscard]] std::vector<std::string> parse_json_string_array(std::string_view json);

}  // namespace lernorte::storage::detail
