#pragma once
// The immutable read model: every read of the API is answered from one Catalogue snapshot.
// A write builds a new snapshot and publishes it (see Engine); readers keep the one they hold.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <lernorte/engine/place_table.hpp>
#include <lernorte/engine/text_index.hpp>
#include <lernorte/geo/geometry.hpp>
#include <lernorte/geo/point_index.hpp>
#include <lernorte/geo/prepared_polygon.hpp>
#include <lernorte/storage/model.hpp>

namespace lernorte::engine {

/// A query over the published places. Empty lists mean "no filter"; values within one
/// list are OR-ed, different filters are AND-ed.
struct PlaceQuery {
    std::optional<geo::BBox> bbox;
    std::vector<std::string> categories;
    std::vector<std::string> target_groups;
    std::vector<std::string> languages;
    std::vector<std::string> wheelchair;
    std::vector<int> stadtraeume;
    std::optional<bool> free;
    std::optional<bool> in_orte100;    ///< has (true) / has no (false) 100-Orte number
    std::optional<int> orte100;        ///< exactly this number
    std::optional<bool> in_abc;        ///< has / has no ABC letter
    std::optional<std::string> abc;    ///< exactly this letter (upper case)
    std::optional<std::string> updated_from;  ///< RFC 3339, inclusive (string compare on UTC)
    std::optional<std::string> updated_to;    ///< RFC 3339, inclusive
    std::string text;                  ///< full-text query; results ranked by relevance
    struct Near {
        geo::Point center;
        double radius_m = 0.0;
    };
    std::optional<Near> near;          ///< results sorted by distance
    std::size_t limit = 100;
    std::size_t offset = 0;
};

struct PlaceHit {
    std::uint32_t index = 0;            ///< into Catalogue::places()
    std::optional<double> distance_m;   ///< for near queries
};

struct PlaceResult {
    std::vector<PlaceHit> hits;         ///< the page: at most limit, from offset
    std::size_t number_matched = 0;     ///< all matches, exact
};

struct CategoryCount {
    std::string category;
    std::int64_t places = 0;
    double per_10k = 0.0;
};

struct AreaStats {
    int nr = 0;                        ///< 0 for the whole city
    std::string name;
    std::int64_t population = 0;
    double area_km2 = 0.0;
    double foreign_pct = 0.0;
    std::int64_t places = 0;
    double per_10k = 0.0;
    std::vector<CategoryCount> categories;  ///< every category of the taxonomy, in its order
};

struct Stats {
    std::vector<AreaStats> stadtraeume;
    AreaStats total;
};

/// The Stadträume and the city outline with what is derived from them (boxes, Web Mercator
/// geometry, prepared polygons). They change only with an import of boundaries, so snapshots
/// made for place writes share them instead of rebuilding them.
struct Boundaries {
    std::vector<storage::Stadtraum> stadtraeume;  ///< sorted by nr
    std::vector<geo::BBox> boxes;
    std::vector<geo::MultiPolygon> mercator;
    geo::RegionIndex regions;
    std::optional<geo::PreparedPolygon> outline;
    geo::BBox extent;

    static std::shared_ptr<const Boundaries> build(std::vector<storage::Stadtraum> stadtraeume,
                                                   std::optional<geo::MultiPolygon> outline);
};

class Catalogue {
public:
    /// Builds the read model; `places` may hold any statuses, only published ones are kept.
    /// Places are reordered into the spatial index's order.
    static std::shared_ptr<const Catalogue> build(std::vector<storage::Place> places,
                                                  std::vector<storage::Stadtraum> stadtraeume,
                                                  std::optional<geo::MultiPolygon> outline,
                                                  std::int64_t version);
    /// The same with boundaries shared with another snapshot.
    static std::shared_ptr<const Catalogue> build(std::vector<storage::Place> places,
                                                  std::shared_ptr<const Boundaries> boundaries,
                                                  std::int64_t version);
    /// Places handed over one by one, so that a large catalogue never exists as
    /// storage::Place values all at once: `source(add)` calls add(place) for every place.
    using PlaceSource = std::function<void(const std::function<void(storage::Place&&)>& add)>;
    static std::shared_ptr<const Catalogue> build(const PlaceSource& source,
                                                  std::shared_ptr<const Boundaries> boundaries,
                                                  std::int64_t version);

    /// Writes the read model's places part to a snapshot file (see snapshot.hpp for the
    /// header that names the store state; this writes only the body).
    void write_body(BinaryWriter& out) const;
    /// Reads a body written by write_body; throws SnapshotError when it is damaged.
    static std::shared_ptr<const Catalogue> read_body(BinaryReader& in, std::shared_ptr<const Boundaries> boundaries,
                                                      std::int64_t version);
    [[nodiscard]] const std::shared_ptr<const Boundaries>& boundaries() const noexcept { return m_bounds; }

    /// Published places, numbered 0..size()-1 in the spatial index's order. The accessors
    /// below read one field of place i without building a storage::Place.
    [[nodiscard]] std::size_t size() const noexcept { return m_table.size(); }
    [[nodiscard]] geo::Point position(std::uint32_t i) const noexcept { return m_point_index.point(i); }
    [[nodiscard]] std::string_view id(std::uint32_t i) const { return m_table.text(i, PlaceText::id); }
    [[nodiscard]] std::string_view name(std::uint32_t i) const { return m_table.text(i, PlaceText::name); }
    [[nodiscard]] std::string_view category(std::uint32_t i) const { return m_table.pooled(m_table.row(i).category); }
    [[nodiscard]] std::optional<bool> free(std::uint32_t i) const {
        const std::int8_t f = m_table.row(i).free;
        return f < 0 ? std::nullopt : std::optional<bool>(f == 1);
    }
    [[nodiscard]] std::string_view wheelchair(std::uint32_t i) const { return m_table.pooled(m_table.row(i).wheelchair); }
    /// The whole place i.
    [[nodiscard]] storage::Place place_at(std::uint32_t i) const { return m_table.materialize(i, position(i)); }
    /// The published place with this id.
    [[nodiscard]] std::optional<storage::Place> place(const std::string& id) const;
    [[nodiscard]] const std::vector<storage::Stadtraum>& stadtraeume() const noexcept { return m_bounds->stadtraeume; }
    [[nodiscard]] const storage::Stadtraum* stadtraum(int nr) const;
    /// The lon/lat box of stadtraeume()[i], computed once per snapshot.
    [[nodiscard]] const geo::BBox& stadtraum_box(std::size_t i) const { return m_bounds->boxes[i]; }
    /// stadtraeume()[i] in Web Mercator metres, projected once per snapshot for the tiles.
    [[nodiscard]] const geo::MultiPolygon& stadtraum_mercator(std::size_t i) const { return m_bounds->mercator[i]; }
    /// The Stadtraum containing a lon/lat point.
    [[nodiscard]] std::optional<int> locate(geo::Point p) const noexcept { return m_bounds->regions.locate(p); }
    /// Inside the city outline (or, without an outline, inside any Stadtraum).
    [[nodiscard]] bool in_city(geo::Point p) const noexcept;
    [[nodiscard]] bool has_outline() const noexcept { return m_bounds->outline.has_value(); }

    [[nodiscard]] PlaceResult query(const PlaceQuery& q) const;

    [[nodiscard]] std::int64_t version() const noexcept { return m_version; }
    [[nodiscard]] const geo::BBox& places_extent() const noexcept { return m_places_extent; }
    [[nodiscard]] const geo::BBox& stadtraeume_extent() const noexcept { return m_bounds->extent; }
    [[nodiscard]] const Stats& stats() const noexcept { return m_stats; }
    /// Published places per category key.
    [[nodiscard]] std::int64_t category_count(const std::string& key) const;
    /// The newest updated_at of any place ("" when there are none).
    [[nodiscard]] const std::string& last_updated() const noexcept { return m_last_updated; }

    Catalogue(const Catalogue&) = delete;
    Catalogue& operator=(const Catalogue&) = delete;
    Catalogue(Catalogue&&) = delete;
    Catalogue& operator=(Catalogue&&) = delete;
    ~Catalogue() = default;

private:
    struct Filter;  // a PlaceQuery's filters in the table's terms (pool numbers)
    Catalogue() = default;
    [[nodiscard]] Filter compile(const PlaceQuery& q) const;
    [[nodiscard]] bool matches(std::uint32_t i, const Filter& f) const;
    /// Everything derived from the table and the point index: ids, counts, stats.
    void derive();
    void compute_stats();

    std::int64_t m_version = 0;
    PlaceTable m_table;
    std::vector<std::uint32_t> m_by_id;  // place indices in id order
    geo::PointIndex m_point_index;
    TextIndex m_text;
    std::shared_ptr<const Boundaries> m_bounds;
    geo::BBox m_places_extent;
    Stats m_stats;
    std::unordered_map<std::string, std::int64_t> m_category_counts;
    std::string m_last_updated;
};

}  // namespace lernorte::engine
