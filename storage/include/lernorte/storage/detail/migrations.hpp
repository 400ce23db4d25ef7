#pragma once
// Test hooks into the SpatiaLite store's migrations. Not for production code.

#include <memory>
#include <string>

#include <lernorte/storage/store.hpp>

namespace lernorte::storage::detail {

/// open_spatialite(), but applies migrations only up to `max_version` and treats that as the
/// newest schema it supports: lets a test write a file exactly as an older Lernorte would
/// have and then check that open_spatialite() upgrades it.
[[nodiscard]] std::unique_ptr<Store> open_spatialite_at_version(const std::string& path, int max_version);

}  // namespace lernorte::storage::detail
