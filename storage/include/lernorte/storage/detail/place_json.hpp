#pragma once
// The full state of a place as one JSON object, for the revisions table (previous and new
// state of every change). Internal to the store; the HTTP API has its own GeoJSON views.

#include <string>
#include <string_view>

#include <lernorte/storage/model.hpp>

namespace lernorte::storage::detail {

[[nodiscard]] std::string write_place_json(const Place& place);
/// Throws std::invalid_argument on anything write_place_json did not write.
[[nodiscard]] Place parse_place_json(std::string_view json);

}  // namespace lernorte::storage::detail
