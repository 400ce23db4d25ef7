#pragma once
// Geo-targets for campaigns: which circles (or postcode areas) reach the residents of a
// selection of Stadträume, and how much of the targeted area spills into the neighbours.
// Everything is computed in metres (EPSG:25833); inputs and outputs are lon/lat.

#include <memory>
#include <string>
#include <vector>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::geo {

/// An area that can be selected (a Stadtraum).
struct TargetRegion {
    int nr = 0;
    std::string name;
    MultiPolygon geometry;  ///< lon/lat
};

/// An area with a known number of residents, spread evenly over it (a Stadtteil or part of one).
struct PopulatedArea {
    std::string key;
    MultiPolygon geometry;  ///< lon/lat
    double residents = 0;
};

/// A postcode area.
struct PostcodeArea {
    std::string code;
    MultiPolygon geometry;  ///< lon/lat
};

struct CoverCircle {
    Point center;  ///< lon/lat
    double radius_m = 0;
};

struct CoverOptions {
    double radius_m = 1000;
    double target = 0.95;  ///< fraction of the selection to cover, in (0, 1]
    /// Grid phases tried per lattice axis (phases² grids in all); the grid with the least spill
    /// at the target wins. 1 = a single grid anchored at the selection's corner.
    int phases = 3;
};

/// What a set of targeted areas covers. Areas are exact up to the row integration (rows of at
/// most 20 m and radius/24, so well below 0.1 percentage points for the figures).
struct AreaFigures {
    double selection_km2 = 0;
    double targeted_km2 = 0;        ///< area of the union of the targeted areas (also outside the city)
    double covered_km2 = 0;         ///< targeted ∩ selection
    double spill_km2 = 0;           ///< targeted \ selection
    double coverage_pct = 0;        ///< covered / selection * 100
    double spill_pct = 0;           ///< spill / targeted * 100
    double residents_selection = 0; ///< area-weighted residents of the selection
    double residents_inside = 0;    ///< ... of targeted ∩ selection
    double residents_spill = 0;     ///< ... of targeted \ selection (inside the city; nothing known outside)
};

struct CoverResult {
    std::vector<CoverCircle> circles;
    AreaFigures figures;
    bool target_reached = false;
};

struct PostcodeShare {
    std::string code;
    double area_km2 = 0;
    double share_in_selection = 0;      ///< fraction of the postcode's area inside the selection
    double share_in_neighbours = 0;     ///< fraction inside the Stadträume adjacent to the selection
    double share_in_city = 0;           ///< fraction inside the districts (residents are known there only)
    double residents = 0;               ///< area-weighted residents of the postcode (inside the city)
    double residents_in_selection = 0;
    double residents_share = 0;         ///< residents_in_selection / residents (0 when none)
    bool included = false;              ///< the share of the chosen ShareBasis >= threshold
};

/// Which share decides whether a postcode is included. Dresden's postcodes are about as large
/// as its Stadträume, so the residents share (where the people live) is the default: Gorbitz
/// holds 49 % of 01169's area but 83 % of its residents. Postcodes mostly outside the districts
/// (residents unknown) fall back to their area share.
enum class ShareBasis { residents, area };

struct PostcodeResult {
    /// Every postcode that overlaps the selection, largest share first (ties by code).
    std::vector<PostcodeShare> postcodes;
    AreaFigures figures;  ///< of the included postcodes as the targeted area
    /// Postcodes of the neighbouring Stadträume, sorted: not included, at most
    /// exclusion_max_share of their area in the selection and at least
    /// exclusion_min_neighbour_share in the neighbours; as an exclusion also cuts its part of the
    /// selection, the cheapest are taken while together they cut at most
    /// exclusion_max_coverage_loss of the selection.
    std::vector<std::string> exclusions;
};

inline constexpr double exclusion_max_share = 0.10;
inline constexpr double exclusion_min_neighbour_share = 0.10;
inline constexpr double exclusion_max_coverage_loss = 0.02;

/// Plans circle and postcode targets for selections of regions. Immutable after construction
/// and safe to use from several threads at once. Building one projects and indexes every
/// geometry (a few tens of ms for Dresden): build it once per set of regions and keep it.
class TargetPlanner {
public:
    TargetPlanner(std::vector<TargetRegion> regions, std::vector<PopulatedArea> districts,
                  std::vector<PostcodeArea> postcodes);

    /// Hexagonal grid of circles plus greedy pruning toward the target coverage with the least
    /// spill. std::invalid_argument with a clear message for an unknown nr, an empty selection,
    /// a radius <= 0 (or so small against the selection that the grid would be unbounded),
    /// a target outside (0, 1].
    [[nodiscard]] CoverResult cover(const std::vector<int>& selection, const CoverOptions& options) const;

    /// Postcodes with their shares; those whose share (see ShareBasis) reaches the threshold are
    /// included. std::invalid_argument for a bad selection or a threshold outside (0, 1].
    [[nodiscard]] PostcodeResult postcodes(const std::vector<int>& selection, double threshold = 0.5,
                                           ShareBasis basis = ShareBasis::residents) const;

    /// The figures of any set of circles against a selection (e.g. circles edited by hand),
    /// optionally with postcode areas excluded from the targeted area (Meta's
    /// excluded_geo_locations win over its custom_locations). Unknown codes are ignored.
    [[nodiscard]] AreaFigures circle_figures(const std::vector<int>& selection, const std::vector<CoverCircle>& circles,
                                             const std::vector<std::string>& excluded_postcodes = {}) const;

    /// Area-weighted residents of a selection.
    [[nodiscard]] double residents(const std::vector<int>& selection) const;

    /// Region numbers that share a border with the selection (within 25 m) and are not in it.
    [[nodiscard]] std::vector<int> neighbours(const std::vector<int>& selection) const;

    [[nodiscard]] MultiPolygon selection_geometry(const std::vector<int>& selection) const;  ///< lon/lat union
    /// A circle as a polygon: built in EPSG:25833 with `segments` vertices, returned in lon/lat.
    [[nodiscard]] static Polygon circle_polygon(const CoverCircle& c, int segments = 64);
    [[nodiscard]] const std::vector<TargetRegion>& regions() const noexcept;
    [[nodiscard]] const std::vector<PopulatedArea>& districts() const noexcept;
    [[nodiscard]] const std::vector<PostcodeArea>& postcode_areas() const noexcept;
    /// Area in km² of a region, computed in EPSG:25833 (0 for an unknown nr).
    [[nodiscard]] double region_area_km2(int nr) const noexcept;

private:
    struct Impl;
    std::shared_ptr<const Impl> m_impl;  // shared: copies of a planner are cheap and immutable
};

/// Intersection of two lon/lat multipolygons through GEOS (e.g. a Stadtteil cut by a Stadtraum).
[[nodiscard]] MultiPolygon intersection(const MultiPolygon& a, const MultiPolygon& b);

}  // namespace lernorte::geo
