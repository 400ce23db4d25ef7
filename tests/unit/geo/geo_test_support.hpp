#pragma once
// Helpers shared by the geo tests: where the data is, temp dirs, small shapes.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/geo/ogr_source.hpp>

#include "temp_dir.hpp"

namespace lernorte::geo::test {

inline std::string data_path(const std::string& relative) {
    return std::string(LERNORTE_TEST_DATA_DIR) + "/" + relative;
}

inline std::string fixture_path(const std::string& relative) {
    return std::string(LERNORTE_FIXTURES_DIR) + "/geo/" + relative;
}

using lernorte::test::TempDir;

/// Closed counter-clockwise ring of an axis-aligned rectangle.
inline Ring rect(double x0, double y0, double x1, double y1) {
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

inline MultiPolygon rect_mp(double x0, double y0, double x1, double y1) {
    return MultiPolygon{{Polygon{{rect(x0, y0, x1, y1)}}}};
}

inline std::vector<SourceFeature> read_all(Source& source) {
    std::vector<SourceFeature> out;
    while (auto f = source.next()) out.push_back(std::move(*f));
    return out;
}

inline std::vector<SourceFeature> read_all(const std::string& path, const SourceOptions& options = {}) {
    Source source(path, options);
    return read_all(source);
}

}  // namespace lernorte::geo::test
