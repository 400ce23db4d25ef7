#pragma once
// Polygon validity with GEOS: check, and repair where a repair is unambiguous.

#include <string>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::geo {

struct ValidityResult {
    bool valid = true;       ///< the input was valid
    bool repaired = false;   ///< it was not, and `geometry` holds GEOS's repair
    std::string reason;      ///< GEOS's reason when the input was invalid
    MultiPolygon geometry;   ///< the input, or its repair; empty when it cannot be repaired
};

/// Checks a multipolygon; invalid ones are repaired with GEOS MakeValid, keeping only the
/// polygonal part. Rings are normalised: exterior counter-clockwise, holes clockwise.
[[nodiscard]] ValidityResult make_valid(const MultiPolygon& mp);

/// Union of multipolygons (e.g. Stadträume -> city outline), through GEOS.
[[nodiscard]] MultiPolygon union_all(const std::vector<MultiPolygon>& parts);

}  // namespace lernorte::geo
