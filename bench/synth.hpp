#pragma once
// Seeded SYNTHETIC learning places for the benchmarks: points uniformly inside the Dresden
// city outline (rejection sampling), names and descriptions from small German word lists.
// The same seed and count give the same places on every machine (own PRNG, no std::
// distributions, whose output is implementation-defined).

#include <cstdint>
#include <string>
#include <vector>

#include <lernorte/geo/geometry.hpp>
#include <lernorte/geo/prepared_polygon.hpp>
#include <lernorte/storage/model.hpp>

namespace lernorte::bench {

/// SplitMix64: tiny, fast and identical everywhere.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : m_state(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
    /// Uniform in [0, n).
    std::uint32_t below(std::uint32_t n) noexcept {
        return static_cast<std::uint32_t>((next() >> 32) * n >> 32);
    }

private:
    std::uint64_t m_state;
};

/// All polygons of all features of a polygon source (e.g. the city outline) as one
/// multipolygon, in lon/lat. Throws on a missing file or a source without polygons.
[[nodiscard]] geo::MultiPolygon load_polygons(const std::string& path);

/// A point uniformly distributed inside `area` (rejection sampling in its bbox).
[[nodiscard]] geo::Point random_point_in(const geo::PreparedPolygon& area, Rng& rng);

/// `count` synthetic places inside `area`, deterministic for (seed, count). Ids are
/// "syn-<seed>-<n>", source_id the same, description starts with "SYNTHETIC".
[[nodiscard]] std::vector<storage::Place> generate_places(const geo::PreparedPolygon& area,
                                                          std::uint64_t seed, std::size_t count);

/// The bundled Dresden data directory (source tree).
[[nodiscard]] std::string data_dir();

}  // namespace lernorte::bench
