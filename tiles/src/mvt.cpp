#include <lernorte/tiles/mvt.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <protozero/pbf_writer.hpp>
#include <protozero/varint.hpp>

#include <lernorte/tiles/tile_geometry.hpp>

namespace lernorte::tiles {
namespace {

// Field numbers of vector_tile.proto (MVT 2.1).
namespace field {
constexpr protozero::pbf_tag_type tile_layers = 3;
constexpr protozero::pbf_tag_type layer_version = 15;
constexpr protozero::pbf_tag_type layer_name = 1;
constexpr protozero::pbf_tag_type layer_features = 2;
constexpr protozero::pbf_tag_type layer_keys = 3;
constexpr protozero::pbf_tag_type layer_values = 4;
constexpr protozero::pbf_tag_type layer_extent = 5;
constexpr protozero::pbf_tag_type feature_id = 1;
constexpr protozero::pbf_tag_type feature_tags = 2;
constexpr protozero::pbf_tag_type feature_type = 3;
constexpr protozero::pbf_tag_type feature_geometry = 4;
constexpr protozero::pbf_tag_type value_string = 1;
constexpr protozero::pbf_tag_type value_double = 3;
constexpr protozero::pbf_tag_type value_uint = 5;
constexpr protozero::pbf_tag_type value_sint = 6;
constexpr protozero::pbf_tag_type value_bool = 7;
}  // namespace field

enum class GeomType : std::int32_t { point = 1, polygon = 3 };

constexpr std::uint32_t command(std::uint32_t id, std::uint32_t count) noexcept { return (id & 0x7U) | (count << 3U); }
constexpr std::uint32_t move_to = 1;
constexpr std::uint32_t line_to = 2;
constexpr std::uint32_t close_path = 7;

constexpr std::uint32_t zigzag(std::int32_t v) noexcept { return protozero::encode_zigzag32(v); }

using Geometry = std::vector<std::uint32_t>;

// Lets the key table be searched with a string_view, without building a std::string per tag.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using StringIndex = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

// Encoded Value messages: the bytes are the dedup key, so values are compared by type and bit pattern
// (1 and 1.0 stay distinct, NaN does not break an ordering).
std::string encode_string_value(std::string_view s) {
    std::string out;
    protozero::pbf_writer w(out);
    w.add_string(field::value_string, s.data(), s.size());
    return out;
}
std::string encode_value(const Value& v) {
    std::string out;
    protozero::pbf_writer w(out);
    std::visit(
        [&w](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
                w.add_string(field::value_string, x);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                // Non-negative integers as uint_value, negative ones as zigzag sint_value: both compact.
                if (x >= 0) {
                    w.add_uint64(field::value_uint, static_cast<std::uint64_t>(x));
                } else {
                    w.add_sint64(field::value_sint, x);
                }
            } else if constexpr (std::is_same_v<T, double>) {
                w.add_double(field::value_double, x);
            } else {
                w.add_bool(field::value_bool, x);
            }
        },
        v);
    return out;
}

// One layer under construction. A feature is committed in one call, after its geometry is known to be
// non-empty, so a dropped geometry leaves neither a half-written feature nor orphan keys and values.
class LayerBuilder {
public:
    LayerBuilder(std::string_view name, std::uint32_t extent) : m_name(name), m_extent(extent) {}

    /// Tags of the feature being prepared: key index / value index pairs, first key wins.
    class Tags {
    public:
        explicit Tags(LayerBuilder& layer) : m_layer(layer) {}
        void add(std::string_view key, std::string encoded_value) {
            const std::uint32_t k = m_layer.key_index(key);
            for (std::size_t i = 0; i < m_tags.size(); i += 2) {
                if (m_tags[i] == k) return;
            }
            m_tags.push_back(k);
            m_tags.push_back(m_layer.value_index(std::move(encoded_value)));
        }
        void add(std::string_view key, const Value& value) { add(key, encode_value(value)); }
        [[nodiscard]] const std::vector<std::uint32_t>& list() const noexcept { return m_tags; }

    private:
        LayerBuilder& m_layer;
        std::vector<std::uint32_t> m_tags;
    };

    void add_feature(std::uint64_t id, GeomType type, const Geometry& geometry, const Tags& tags) {
        protozero::pbf_writer layer(m_features);
        protozero::pbf_writer feature(layer, field::layer_features);
        feature.add_uint64(field::feature_id, id);
        if (!tags.list().empty()) feature.add_packed_uint32(field::feature_tags, tags.list().begin(), tags.list().end());
        feature.add_enum(field::feature_type, static_cast<std::int32_t>(type));
        feature.add_packed_uint32(field::feature_geometry, geometry.begin(), geometry.end());
        ++m_feature_count;
    }

    [[nodiscard]] std::size_t feature_count() const noexcept { return m_feature_count; }

    /// Appends the layer to the tile unless it has no features.
    void write_to(protozero::pbf_writer& tile) const {
        if (m_feature_count == 0) return;
        std::string layer;
        {
            protozero::pbf_writer w(layer);
            w.add_uint32(field::layer_version, 2);
            w.add_string(field::layer_name, m_name);
            w.add_uint32(field::layer_extent, m_extent);
        }
        layer += m_features;  // already a sequence of encoded `features` fields
        {
            protozero::pbf_writer w(layer);
            for (const std::string& key : m_keys) w.add_string(field::layer_keys, key);
            for (const std::string& value : m_values) w.add_message(field::layer_values, value);
        }
        tile.add_message(field::tile_layers, layer);
    }

private:
    std::uint32_t key_index(std::string_view key) {
        const auto it = m_key_index.find(key);
        if (it != m_key_index.end()) return it->second;
        const auto index = static_cast<std::uint32_t>(m_keys.size());
        m_keys.emplace_back(key);
        m_key_index.emplace(m_keys.back(), index);
        return index;
    }
    std::uint32_t value_index(std::string encoded) {
        const auto it = m_value_index.find(encoded);
        if (it != m_value_index.end()) return it->second;
        const auto index = static_cast<std::uint32_t>(m_values.size());
        m_values.push_back(encoded);
        m_value_index.emplace(std::move(encoded), index);
        return index;
    }

    std::string m_name;
    std::uint32_t m_extent;
    std::string m_features;
    std::size_t m_feature_count = 0;
    std::vector<std::string> m_keys;
    StringIndex m_key_index;
    std::vector<std::string> m_values;
    StringIndex m_value_index;
};

void validate(const TileOptions& o) {
    constexpr std::uint64_t max_coordinate = std::uint64_t{1} << 30;  // keeps every delta inside int32
    if (o.extent == 0) throw std::invalid_argument("tile extent must be positive");
    if (std::uint64_t{o.extent} + o.buffer > max_coordinate) throw std::invalid_argument("tile extent + buffer exceeds 2^30");
    if (o.cluster_cell == 0) throw std::invalid_argument("cluster cell size must be positive");
    if (!std::isfinite(o.simplify_tolerance) || o.simplify_tolerance < 0.0) {
        throw std::invalid_argument("simplify tolerance must be a finite number >= 0");
    }
}

Geometry encode_polygon(const std::vector<TileRing>& rings) {
    Geometry g;
    std::int32_t cx = 0;
    std::int32_t cy = 0;
    for (const TileRing& ring : rings) {
        g.push_back(command(move_to, 1));
        g.push_back(zigzag(ring[0].x - cx));
        g.push_back(zigzag(ring[0].y - cy));
        cx = ring[0].x;
        cy = ring[0].y;
        g.push_back(command(line_to, static_cast<std::uint32_t>(ring.size() - 1)));
        for (std::size_t i = 1; i < ring.size(); ++i) {
            g.push_back(zigzag(ring[i].x - cx));
            g.push_back(zigzag(ring[i].y - cy));
            cx = ring[i].x;
            cy = ring[i].y;
        }
        g.push_back(command(close_path, 1));
    }
    return g;
}

Geometry encode_point(geo::Point tile_xy) {
    return {command(move_to, 1), zigzag(static_cast<std::int32_t>(std::lround(tile_xy.x))),
            zigzag(static_cast<std::int32_t>(std::lround(tile_xy.y)))};
}

void write_place(LayerBuilder& layer, const PointFeature& p, geo::Point tile_xy) {
    const Geometry geometry = encode_point(tile_xy);
    LayerBuilder::Tags tags(layer);
    for (const Property& prop : p.properties) tags.add(prop.key, prop.value);
    if (!p.category.empty()) tags.add("category", encode_string_value(p.category));
    layer.add_feature(p.id, GeomType::point, geometry, tags);
}

struct Projected {
    const PointFeature* feature;
    geo::Point xy;
};

void write_clusters(LayerBuilder& layer, TileId tile, const std::vector<Projected>& inside, const TileOptions& o) {
    const std::uint64_t cells_per_side = (std::uint64_t{o.extent} + o.cluster_cell - 1) / o.cluster_cell;
    const auto cell_of = [&](geo::Point xy) {
        const auto col = std::min(static_cast<std::uint64_t>(xy.x / o.cluster_cell), cells_per_side - 1);
        const auto row = std::min(static_cast<std::uint64_t>(xy.y / o.cluster_cell), cells_per_side - 1);
        return row * cells_per_side + col;
    };
    // (cell, input position): a stable order, so cells come out row-major and their points in input order.
    std::vector<std::pair<std::uint64_t, std::size_t>> order;
    order.reserve(inside.size());
    for (std::size_t i = 0; i < inside.size(); ++i) order.emplace_back(cell_of(inside[i].xy), i);
    std::sort(order.begin(), order.end());

    for (std::size_t begin = 0; begin < order.size();) {
        std::size_t end = begin + 1;
        while (end < order.size() && order[end].first == order[begin].first) ++end;
        if (end - begin == 1) {
            const Projected& p = inside[order[begin].second];
            write_place(layer, *p.feature, p.xy);
        } else {
            double sx = 0.0;
            double sy = 0.0;
            std::map<std::string_view, std::int64_t> per_category;  // sorted: deterministic tag order
            for (std::size_t i = begin; i < end; ++i) {
                const Projected& p = inside[order[i].second];
                sx += p.xy.x;
                sy += p.xy.y;
                if (!p.feature->category.empty()) ++per_category[p.feature->category];
            }
            const auto n = static_cast<double>(end - begin);
            const Geometry geometry = encode_point({sx / n, sy / n});
            LayerBuilder::Tags tags(layer);
            tags.add("cluster", Value{true});
            tags.add("point_count", Value{static_cast<std::int64_t>(end - begin)});
            for (const auto& [category, count] : per_category) {
                tags.add("count_" + std::string(category), Value{count});
            }
            layer.add_feature(cluster_id(tile, order[begin].first), GeomType::point, geometry, tags);
        }
        begin = end;
    }
}

void add_areas(LayerBuilder& area_layer, TileId tile, const std::vector<AreaFeature>& areas, const TileOptions& options) {
    const AreaGeometryOptions area_options{options.extent, options.buffer, options.simplify_tolerance};
    for (const AreaFeature& area : areas) {
        if (area.geometry == nullptr && area.mercator == nullptr) continue;
        const std::vector<TileRing> rings = area.mercator != nullptr
                                                ? tile_polygon_rings_mercator(*area.mercator, tile, area_options, area.mercator_boxes)
                                                : tile_polygon_rings(*area.geometry, tile, area_options);
        if (rings.empty()) continue;
        const Geometry geometry = encode_polygon(rings);
        LayerBuilder::Tags tags(area_layer);
        for (const Property& prop : area.properties) tags.add(prop.key, prop.value);
        area_layer.add_feature(area.id, GeomType::polygon, geometry, tags);
    }
}

}  // namespace

std::uint64_t cluster_id(TileId tile, std::uint64_t cell) noexcept {
    // FNV-1a over fixed little-endian words: the same on every platform and every run.
    std::uint64_t h = 14695981039346656037ULL;
    const std::array<std::uint64_t, 4> words{static_cast<std::uint64_t>(tile.z), tile.x, tile.y, cell};
    for (std::uint64_t w : words) {
        for (int byte = 0; byte < 8; ++byte) {
            h ^= (w >> (8 * byte)) & 0xFFU;
            h *= 1099511628211ULL;
        }
    }
    // Ids stay below 2^53 so JavaScript clients read them exactly: places use ids below 2^52,
    // clusters have bit 52 set and 52 bits of hash.
    return (h & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
}

std::optional<std::string> build_tile_with_layer(TileId tile, const std::vector<AreaFeature>& areas,
                                                 const PointLayer& points, const TileOptions& options) {
    validate(options);
    LayerBuilder area_layer(area_layer_name, options.extent);
    add_areas(area_layer, tile, areas, options);
    if (area_layer.feature_count() == 0 && points.feature_count() == 0) return std::nullopt;
    std::string data;
    {
        protozero::pbf_writer writer(data);
        area_layer.write_to(writer);
    }
    points.append_to(data);
    return data;
}

std::optional<std::string> build_tile(TileId tile, const std::vector<AreaFeature>& areas,
                                      const std::vector<PointFeature>& points, const TileOptions& options) {
    validate(options);

    LayerBuilder area_layer(area_layer_name, options.extent);
    add_areas(area_layer, tile, areas, options);

    LayerBuilder point_layer(point_layer_name, options.extent);
    const double extent = options.extent;
    const double lo = -static_cast<double>(options.buffer);
    const double hi = extent + options.buffer;
    if (tile.z >= options.cluster_below_zoom) {
        // Symbols near the edge are drawn by both neighbours, so the buffer's points are written too.
        for (const PointFeature& p : points) {
            const geo::Point xy = to_tile_coords(p.lonlat, tile, options.extent);
            if (xy.x >= lo && xy.x <= hi && xy.y >= lo && xy.y <= hi) write_place(point_layer, p, xy);
        }
    } else {
        // Only the tile proper (half-open, so an edge point belongs to one tile): a cluster is drawn once.
        std::vector<Projected> inside;
        for (const PointFeature& p : points) {
            const geo::Point xy = to_tile_coords(p.lonlat, tile, options.extent);
            if (xy.x >= 0.0 && xy.x < extent && xy.y >= 0.0 && xy.y < extent) inside.push_back({&p, xy});
        }
        write_clusters(point_layer, tile, inside, options);
    }

    if (area_layer.feature_count() == 0 && point_layer.feature_count() == 0) return std::nullopt;
    std::string data;
    protozero::pbf_writer writer(data);
    area_layer.write_to(writer);
    point_layer.write_to(writer);
    return data;
}

}  // namespace lernorte::tiles
