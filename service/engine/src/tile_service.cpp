#include <lernorte/engine/tile_service.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <unordered_map>

#include <lernorte/tiles/cluster_pyramid.hpp>
#include <lernorte/tiles/mvt.hpp>
#include <lernorte/tiles/point_layer.hpp>
#include <lernorte/tiles/tile_geometry.hpp>

namespace lernorte::engine {
namespace {

// The buffered tile in lon/lat: the buffer is options.buffer / extent of a tile.
geo::BBox buffered_bounds(tiles::TileId tile, const tiles::TileOptions& options) {
    geo::BBox box = tiles::tile_bounds(tile);
    const double margin_x = (box.max_x - box.min_x) * options.buffer / options.extent;
    const double margin_y = (box.max_y - box.min_y) * options.buffer / options.extent;
    return {box.min_x - margin_x, box.min_y - margin_y, box.max_x + margin_x, box.max_y + margin_y};
}

// The Stadträume of the buffered tile; `boxes` (if given) holds tiles::ring_boxes of each one's
// Web Mercator geometry.
std::vector<tiles::AreaFeature> area_features(const Catalogue& catalogue, const geo::BBox& box,
                                              const std::vector<tiles::RingBoxes>* boxes = nullptr) {
    std::vector<tiles::AreaFeature> areas;
    const auto& stats = catalogue.stats().stadtraeume;
    for (std::size_t i = 0; i < catalogue.stadtraeume().size(); ++i) {
        const auto& s = catalogue.stadtraeume()[i];
        if (!catalogue.stadtraum_box(i).intersects(box)) continue;
        double per_10k = 0.0;
        for (const auto& a : stats) {
            if (a.nr == s.nr) per_10k = std::round(a.per_10k * 100.0) / 100.0;
        }
        areas.push_back(tiles::AreaFeature{static_cast<std::uint64_t>(s.nr), &s.geometry,
                                           {{"nr", std::int64_t{s.nr}},
                                            {"name", s.short_name},
                                            {"population", std::int64_t{s.population}},
                                            {"per_10k", per_10k}},
                                           &catalogue.stadtraum_mercator(i),
                                           boxes != nullptr && i < boxes->size() ? &(*boxes)[i] : nullptr});
    }
    return areas;
}

// The place filters of a tile (see render_tile) as a catalogue query within `box`.
PlaceQuery tile_query(const Catalogue& catalogue, const geo::BBox& box, const PlaceQuery& filter) {
    PlaceQuery q;
    q.bbox = box;
    q.categories = filter.categories;
    q.target_groups = filter.target_groups;
    q.languages = filter.languages;
    q.wheelchair = filter.wheelchair;
    q.free = filter.free;
    q.limit = catalogue.size();
    return q;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// Numbers distinct texts: equal texts get equal tokens. Open addressing over the texts seen; a
// slot keeps the upper half of the hash, so most probes end without comparing texts.
class TextNumbering {
public:
    explicit TextNumbering(std::size_t expected) : m_slots(std::bit_ceil(std::max<std::size_t>(16, expected * 2))) {
        m_texts.reserve(expected);
    }

    std::uint32_t operator()(std::string_view text) {
        if ((m_texts.size() + 1) * 2 > m_slots.size()) grow();
        const std::uint64_t h = std::hash<std::string_view>{}(text);
        const auto check = static_cast<std::uint32_t>(h >> 32U);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            Slot& s = m_slots[i];
            if (s.token == empty) {
                s = Slot{static_cast<std::uint32_t>(m_texts.size()), check};
                m_texts.push_back(text);
                return s.token;
            }
            if (s.check == check && m_texts[s.token] == text) return s.token;
        }
    }

    [[nodiscard]] std::string_view text(std::uint32_t token) const { return m_texts[token]; }

private:
    static constexpr std::uint32_t empty = 0xFFFFFFFFU;
    struct Slot {
        std::uint32_t token = empty;
        std::uint32_t check = 0;
    };
    void grow() {
        std::vector<Slot> bigger(m_slots.size() * 2);
        const std::size_t mask = bigger.size() - 1;
        for (std::uint32_t t = 0; t < m_texts.size(); ++t) {
            const std::uint64_t h = std::hash<std::string_view>{}(m_texts[t]);
            std::size_t i = h & mask;
            while (bigger[i].token != empty) i = (i + 1) & mask;
            bigger[i] = Slot{t, static_cast<std::uint32_t>(h >> 32U)};
        }
        m_slots.swap(bigger);
    }
    std::vector<Slot> m_slots;
    std::vector<std::string_view> m_texts;  // valid while the catalogue lives: only during the build
};

}  // namespace

std::uint64_t feature_id(std::string_view place_id) noexcept {
    std::uint64_t id = 0;
    int digits = 0;
    for (char c : place_id) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) continue;
        id = (id << 4) | static_cast<std::uint64_t>(v);
        if (++digits == 13) break;
    }
    return id;  // 52 bits: below the cluster ids (bit 52) and exact in JavaScript
}

TileBytes render_tile(const Catalogue& catalogue, tiles::TileId tile, const PlaceQuery& filter) {
    const tiles::TileOptions options;
    const geo::BBox box = buffered_bounds(tile, options);
    const std::vector<tiles::AreaFeature> areas = area_features(catalogue, box);

    std::vector<tiles::PointFeature> points;
    for (const PlaceHit& h : catalogue.query(tile_query(catalogue, box, filter)).hits) {
        const std::string id(catalogue.id(h.index));
        const std::string category(catalogue.category(h.index));
        tiles::PointFeature f{feature_id(id), catalogue.position(h.index), category,
                              {{"id", id},
                               {"name", std::string(catalogue.name(h.index))},
                               {"category", category},
                               {"wheelchair", std::string(catalogue.wheelchair(h.index))}}};
        if (const auto free = catalogue.free(h.index)) f.properties.push_back({"free", *free});
        points.push_back(std::move(f));
    }
    return tiles::build_tile(tile, areas, points, options);
}

// Per place: the position in Web Mercator metres (to_mercator, as to_tile_coords computes it),
// the feature id, the tokens of its texts and its class. Texts are numbered across the fields
// id, name, category and wheelchair, so that equal texts share a value in a tile, as
// build_tile's deduplication of encoded values does.
class TileIndex {
public:
    struct Texts {
        std::uint32_t id = 0;
        std::uint32_t name = 0;
    };
    // A combination of the filterable values that have few distinct values (the cluster classes).
    struct Class {
        std::string category;
        std::optional<bool> free;
        std::string wheelchair;
        std::uint32_t category_rank = 0;  // of `category` in m_categories
        std::uint32_t category_token = 0;
        std::uint32_t wheelchair_token = 0;
    };

    explicit TileIndex(const Catalogue& catalogue);

    [[nodiscard]] std::string_view arena_text(std::size_t k) const noexcept {
        return std::string_view(m_arena).substr(m_arena_offsets[k], m_arena_offsets[k + 1] - m_arena_offsets[k]);
    }
    [[nodiscard]] std::string_view id(std::uint32_t i) const noexcept { return arena_text(2 * std::size_t{i}); }
    [[nodiscard]] std::string_view name(std::uint32_t i) const noexcept { return arena_text(2 * std::size_t{i} + 1); }

    [[nodiscard]] bool serves(const Catalogue& c) const noexcept {
        return &c == m_source && c.version() == m_version && c.size() == m_mercator.size();
    }

    const Catalogue* m_source;
    std::int64_t m_version;
    std::vector<geo::Point> m_mercator;
    std::vector<std::uint64_t> m_feature_ids;
    std::vector<Texts> m_texts;
    std::vector<std::int8_t> m_free;  // -1 unknown, 0 false, 1 true
    std::vector<std::uint32_t> m_place_class;
    // Each place's id and name, next to each other in index order: a tile's places lie close
    // together here, unlike in the catalogue's arena (which keeps the texts in import order).
    std::string m_arena;
    std::vector<std::uint32_t> m_arena_offsets;  // id of place i at [2i, 2i+1), name at [2i+1, 2i+2)
    std::vector<tiles::RingBoxes> m_area_boxes;  // tiles::ring_boxes of each Stadtraum (Mercator)
    std::vector<Class> m_classes;     // sorted by category, so clusters list categories in order
    std::vector<std::string> m_categories;  // distinct, sorted as build_tile sorts them
    tiles::ClusterPyramid m_pyramid;
};

TileIndex::TileIndex(const Catalogue& catalogue) : m_source(&catalogue), m_version(catalogue.version()) {
    const std::size_t n = catalogue.size();
    m_mercator.resize(n);
    m_feature_ids.resize(n);
    m_texts.resize(n);
    m_free.resize(n);
    TextNumbering number(2 * n + 64);
    constexpr std::uint32_t none = 0xFFFFFFFFU;
    // Categories and wheelchair values come from small pools: remember the last text of each.
    std::string_view last_category, last_wheelchair;
    std::uint32_t last_category_token = 0, last_wheelchair_token = 0;
    bool have_category = false, have_wheelchair = false;
    const auto pooled = [&](std::string_view text, std::string_view& last, std::uint32_t& token, bool& have) {
        if (!have || text.data() != last.data() || text.size() != last.size()) {
            token = number(text);
            last = text;
            have = true;
        }
        return token;
    };
    // Classes by (category token, wheelchair token, free) while reading, renumbered by category below.
    std::unordered_map<std::uint64_t, std::array<std::uint32_t, 3>> class_of_key;  // [free + 1]
    std::unordered_map<std::uint32_t, std::uint32_t> small_number;  // category/wheelchair token -> dense number
    const auto dense = [&](std::uint32_t token) {
        return small_number.emplace(token, static_cast<std::uint32_t>(small_number.size())).first->second;
    };
    std::vector<std::uint32_t>& classes = m_place_class;
    classes.resize(n);
    std::vector<std::uint32_t> class_category;
    std::vector<std::uint32_t> class_wheelchair;
    std::vector<std::int8_t> class_free;
    m_arena_offsets.reserve(2 * n + 1);
    m_arena_offsets.push_back(0);
    const auto keep_text = [&](std::string_view text) {
        m_arena += text;
        if (m_arena.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("tile index: texts beyond 4 GB");
        m_arena_offsets.push_back(static_cast<std::uint32_t>(m_arena.size()));
    };
    for (std::uint32_t i = 0; i < n; ++i) {
        m_mercator[i] = tiles::to_mercator(catalogue.position(i));
        const std::string_view id = catalogue.id(i);
        const std::string_view name = catalogue.name(i);
        keep_text(id);
        keep_text(name);
        m_feature_ids[i] = feature_id(id);
        Texts& t = m_texts[i];
        t.id = number(id);
        t.name = number(name);
        const std::uint32_t category = pooled(catalogue.category(i), last_category, last_category_token, have_category);
        const std::uint32_t wheelchair =
            pooled(catalogue.wheelchair(i), last_wheelchair, last_wheelchair_token, have_wheelchair);
        const std::optional<bool> free = catalogue.free(i);
        m_free[i] = free ? static_cast<std::int8_t>(*free ? 1 : 0) : std::int8_t{-1};
        const std::uint64_t key = (std::uint64_t{dense(category)} << 32U) | dense(wheelchair);
        std::uint32_t& cls = class_of_key.try_emplace(key, std::array{none, none, none}).first->second[m_free[i] + 1];
        if (cls == none) {
            cls = static_cast<std::uint32_t>(class_category.size());
            class_category.push_back(category);
            class_wheelchair.push_back(wheelchair);
            class_free.push_back(m_free[i]);
        }
        classes[i] = cls;
    }

    // Classes ordered by category text (the order of the count_<category> tags), then the rest.
    std::vector<std::uint32_t> order(class_category.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const std::string_view ca = number.text(class_category[a]);
        const std::string_view cb = number.text(class_category[b]);
        if (ca != cb) return ca < cb;
        const std::string_view wa = number.text(class_wheelchair[a]);
        const std::string_view wb = number.text(class_wheelchair[b]);
        if (wa != wb) return wa < wb;
        return class_free[a] < class_free[b];
    });
    std::vector<std::uint32_t> renumber(order.size());
    for (std::uint32_t k = 0; k < order.size(); ++k) {
        const std::uint32_t c = order[k];
        renumber[c] = k;
        Class cls;
        cls.category = std::string(number.text(class_category[c]));
        if (class_free[c] >= 0) cls.free = class_free[c] == 1;
        cls.wheelchair = std::string(number.text(class_wheelchair[c]));
        cls.category_token = class_category[c];
        cls.wheelchair_token = class_wheelchair[c];
        if (m_categories.empty() || m_categories.back() != cls.category) m_categories.push_back(cls.category);
        cls.category_rank = static_cast<std::uint32_t>(m_categories.size() - 1);
        m_classes.push_back(std::move(cls));
    }
    for (std::uint32_t& c : classes) c = renumber[c];
    for (std::size_t a = 0; a < catalogue.stadtraeume().size(); ++a) {
        m_area_boxes.push_back(tiles::ring_boxes(catalogue.stadtraum_mercator(a)));
    }
    m_pyramid = tiles::ClusterPyramid(m_mercator, classes, static_cast<std::uint32_t>(m_classes.size()));
}

std::shared_ptr<const TileIndex> build_tile_index(const Catalogue& catalogue) {
    return std::make_shared<const TileIndex>(catalogue);
}

bool index_serves(const TileIndex& index, const Catalogue& catalogue) noexcept { return index.serves(catalogue); }

namespace {

// Writes the places layer of one tile from the index: the tags of build_tile's place and cluster
// features in the same order, keys looked up once per tile.
class PlaceWriter {
public:
    PlaceWriter(const TileIndex& index, std::size_t expected)
        : m_index(index), m_layer(tiles::TileOptions{}.extent, expected),
          m_count_keys(index.m_categories.size(), tiles::PointLayer::none) {}

    void place(std::uint32_t i, geo::Point xy) {
        const TileIndex::Texts& t = m_index.m_texts[i];
        std::uint32_t tags[10];
        std::size_t n = 0;
        const TileIndex::Class& cls = m_index.m_classes[m_index.m_place_class[i]];
        tags[n++] = key(m_id, "id");
        tags[n++] = m_layer.string_value(t.id, m_index.id(i));
        tags[n++] = key(m_name, "name");
        tags[n++] = m_layer.string_value(t.name, m_index.name(i));
        tags[n++] = key(m_category, "category");
        tags[n++] = m_layer.string_value(cls.category_token, cls.category);
        tags[n++] = key(m_wheelchair, "wheelchair");
        tags[n++] = m_layer.string_value(cls.wheelchair_token, cls.wheelchair);
        if (const std::int8_t free = m_index.m_free[i]; free >= 0) {
            tags[n++] = key(m_free, "free");
            tags[n++] = m_layer.bool_value(free == 1);
        }
        m_layer.add_point(m_index.m_feature_ids[i], static_cast<std::int32_t>(std::lround(xy.x)),
                          static_cast<std::int32_t>(std::lround(xy.y)), std::span<const std::uint32_t>(tags, n));
    }

    /// A cluster of `count` places; `per_category` holds (category rank, count) in rank order.
    void cluster(std::uint64_t id, geo::Point xy, std::uint32_t count,
                 const std::vector<std::pair<std::uint32_t, std::uint32_t>>& per_category) {
        m_tags.clear();
        m_tags.push_back(key(m_cluster, "cluster"));
        m_tags.push_back(m_layer.bool_value(true));
        m_tags.push_back(key(m_point_count, "point_count"));
        m_tags.push_back(m_layer.uint_value(count));
        for (const auto& [rank, n] : per_category) {
            const std::string& category = m_index.m_categories[rank];
            if (category.empty()) continue;  // build_tile counts no empty category
            std::uint32_t& k = m_count_keys[rank];
            if (k == tiles::PointLayer::none) k = m_layer.key("count_" + category);
            m_tags.push_back(k);
            m_tags.push_back(m_layer.uint_value(n));
        }
        m_layer.add_point(id, static_cast<std::int32_t>(std::lround(xy.x)), static_cast<std::int32_t>(std::lround(xy.y)),
                          m_tags);
    }

    [[nodiscard]] const tiles::PointLayer& layer() const noexcept { return m_layer; }

private:
    std::uint32_t key(std::uint32_t& slot, std::string_view name) {
        if (slot == tiles::PointLayer::none) slot = m_layer.key(name);
        return slot;
    }

    const TileIndex& m_index;
    tiles::PointLayer m_layer;
    std::uint32_t m_id = tiles::PointLayer::none;
    std::uint32_t m_name = tiles::PointLayer::none;
    std::uint32_t m_category = tiles::PointLayer::none;
    std::uint32_t m_wheelchair = tiles::PointLayer::none;
    std::uint32_t m_free = tiles::PointLayer::none;
    std::uint32_t m_cluster = tiles::PointLayer::none;
    std::uint32_t m_point_count = tiles::PointLayer::none;
    std::vector<std::uint32_t> m_count_keys;  // per category rank
    std::vector<std::uint32_t> m_tags;
};

// The classes a filter keeps, as Catalogue::query decides for its places; empty when the filter
// needs more than the classes know (target groups, languages).
std::optional<std::vector<bool>> class_filter(const TileIndex& index, const PlaceQuery& filter) {
    if (!filter.target_groups.empty() || !filter.languages.empty()) return std::nullopt;
    std::vector<bool> keep(index.m_classes.size(), true);
    for (std::size_t c = 0; c < keep.size(); ++c) {
        const TileIndex::Class& cls = index.m_classes[c];
        if (!filter.categories.empty() && !contains(filter.categories, cls.category)) keep[c] = false;
        if (!filter.wheelchair.empty() && !contains(filter.wheelchair, cls.wheelchair)) keep[c] = false;
        if (filter.free && cls.free != filter.free) keep[c] = false;
    }
    return keep;
}

bool unfiltered(const PlaceQuery& filter) {
    return filter.categories.empty() && filter.target_groups.empty() && filter.languages.empty() &&
           filter.wheelchair.empty() && !filter.free;
}

// Clusters of a tile below zoom 14 from the index's cells; false when the filter needs more than
// the classes know (the tile is then rendered from its places).
bool write_clusters(PlaceWriter& writer, const TileIndex& index, tiles::TileId tile, const PlaceQuery& filter) {
    using Pyramid = tiles::ClusterPyramid;
    const bool all = unfiltered(filter);
    std::optional<std::vector<bool>> keep;
    if (!all) {
        keep = class_filter(index, filter);
        if (!keep) return false;
    }
    const auto kept = [&](std::uint32_t cls) { return all || (*keep)[cls]; };
    std::vector<Pyramid::TileCell> cells;
    std::vector<std::uint32_t> edge_items;
    if (!index.m_pyramid.cells(tile, cells, edge_items)) return false;
    const tiles::TileOptions options;
    const tiles::TileFrame frame(tile, options.extent);

    // Places on a cell edge go where build_tile's arithmetic puts them: (cell number, place).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> extra;
    for (const std::uint32_t i : edge_items) {
        if (!kept(index.m_place_class[i])) continue;
        const geo::Point xy = frame.to_tile(index.m_mercator[i]);
        const double extent = options.extent;
        if (!(xy.x >= 0.0 && xy.x < extent && xy.y >= 0.0 && xy.y < extent)) continue;
        const std::uint64_t last = Pyramid::cells_per_side - 1;
        const auto col = std::min(static_cast<std::uint64_t>(xy.x / options.cluster_cell), last);
        const auto row = std::min(static_cast<std::uint64_t>(xy.y / options.cluster_cell), last);
        extra.emplace_back(static_cast<std::uint32_t>(row * Pyramid::cells_per_side + col), i);
    }
    std::sort(extra.begin(), extra.end());
    auto next_extra = extra.begin();
    auto next_cell = cells.begin();

    std::vector<std::pair<std::uint32_t, std::uint32_t>> per_category;  // (category rank, count), by rank
    const auto count_category = [&](std::uint32_t rank, std::uint32_t n) {
        auto it = std::lower_bound(per_category.begin(), per_category.end(), std::pair{rank, std::uint32_t{0}});
        if (it != per_category.end() && it->first == rank) {
            it->second += n;
        } else {
            per_category.insert(it, {rank, n});
        }
    };
    for (std::uint32_t number = 0; number < Pyramid::cells_per_side * Pyramid::cells_per_side; ++number) {
        const bool has_cell = next_cell != cells.end() && next_cell->number == number;
        const bool has_extra = next_extra != extra.end() && next_extra->first == number;
        if (!has_cell && !has_extra) continue;
        std::uint32_t count = 0;
        std::uint32_t single = 0;
        double sum_x = 0.0;
        double sum_y = 0.0;
        per_category.clear();
        if (has_cell) {
            for (const Pyramid::Group& g : index.m_pyramid.groups(*next_cell->cell)) {
                if (!kept(g.cls)) continue;
                if (count == 0) single = g.single;
                count += g.count;
                sum_x += g.sum_x;
                sum_y += g.sum_y;
                const std::uint32_t rank = index.m_classes[g.cls].category_rank;
                if (!per_category.empty() && per_category.back().first == rank) {
                    per_category.back().second += g.count;
                } else {
                    per_category.emplace_back(rank, g.count);
                }
            }
            ++next_cell;
        }
        for (; next_extra != extra.end() && next_extra->first == number; ++next_extra) {
            const std::uint32_t i = next_extra->second;
            if (count == 0) single = i;
            ++count;
            sum_x += index.m_mercator[i].x;
            sum_y += index.m_mercator[i].y;
            count_category(index.m_classes[index.m_place_class[i]].category_rank, 1);
        }
        if (count == 0) continue;
        if (count == 1) {
            writer.place(single, frame.to_tile(index.m_mercator[single]));
        } else {
            const double n = count;
            writer.cluster(tiles::cluster_id(tile, number), frame.to_tile({sum_x / n, sum_y / n}), count, per_category);
        }
    }
    return true;
}

}  // namespace

TileBytes render_tile(const Catalogue& catalogue, const TileIndex& index, tiles::TileId tile, const PlaceQuery& filter) {
    const tiles::TileOptions options;
    const geo::BBox box = buffered_bounds(tile, options);
    if (tile.z < options.cluster_below_zoom) {
        PlaceWriter writer(index, 256);
        if (!write_clusters(writer, index, tile, filter)) return render_tile(catalogue, tile, filter);
        return tiles::build_tile_with_layer(tile, area_features(catalogue, box, &index.m_area_boxes), writer.layer(), options);
    }
    // Every place of the buffered tile, in the catalogue's order, as build_tile selects them.
    const std::vector<PlaceHit> hits = catalogue.query(tile_query(catalogue, box, filter)).hits;
    PlaceWriter writer(index, hits.size());
    const tiles::TileFrame frame(tile, options.extent);
    const double lo = -static_cast<double>(options.buffer);
    const double hi = static_cast<double>(options.extent) + options.buffer;
    for (const PlaceHit& h : hits) {
        const geo::Point xy = frame.to_tile(index.m_mercator[h.index]);
        if (xy.x >= lo && xy.x <= hi && xy.y >= lo && xy.y <= hi) writer.place(h.index, xy);
    }
    return tiles::build_tile_with_layer(tile, area_features(catalogue, box, &index.m_area_boxes), writer.layer(), options);
}

std::shared_ptr<const TileIndex> TileCache::index_for(const Catalogue& catalogue) {
    {
        std::lock_guard lock(m_mutex);
        if (m_tile_index && m_tile_index->serves(catalogue)) return m_tile_index;
        if (m_index_building || catalogue.version() < m_version) return nullptr;
        if (m_tile_index && catalogue.version() < m_tile_index->m_version) return nullptr;
        m_index_building = true;
    }
    std::shared_ptr<const TileIndex> index;
    try {
        index = build_tile_index(catalogue);
    } catch (...) {
        std::lock_guard lock(m_mutex);
        m_index_building = false;
        throw;
    }
    std::lock_guard lock(m_mutex);
    m_index_building = false;
    if (!m_tile_index || m_tile_index->m_version <= index->m_version) m_tile_index = index;
    return index;
}

std::shared_ptr<const TileBytes> TileCache::get(const Catalogue& catalogue, tiles::TileId tile,
                                                const PlaceQuery& filter, const std::string& filter_key) {
    const std::string key = std::to_string(catalogue.version()) + "/" + std::to_string(tile.z) + "/" +
                            std::to_string(tile.x) + "/" + std::to_string(tile.y) + "?" + filter_key;
    {
        std::lock_guard lock(m_mutex);
        if (catalogue.version() > m_version) {
            // A newer catalogue: tiles of older versions can never be asked for again.
            m_lru.clear();
            m_index.clear();
            m_version = catalogue.version();
        }
        if (const auto it = m_index.find(key); it != m_index.end()) {
            m_lru.splice(m_lru.begin(), m_lru, it->second);
            ++m_hits;
            return it->second->second;
        }
        ++m_misses;
    }
    // Rendered outside the lock: other tiles keep being served meanwhile. Without the snapshot's
    // index (another thread is building it) the tile is rendered from its places.
    const std::shared_ptr<const TileIndex> index = index_for(catalogue);
    auto bytes = std::make_shared<const TileBytes>(index ? render_tile(catalogue, *index, tile, filter)
                                                         : render_tile(catalogue, tile, filter));
    std::lock_guard lock(m_mutex);
    if (catalogue.version() < m_version) return bytes;  // rendered from a snapshot already replaced
    if (m_index.find(key) == m_index.end()) {
        m_lru.emplace_front(key, bytes);
        m_index.emplace(key, m_lru.begin());
        if (m_lru.size() > m_capacity) {
            m_index.erase(m_lru.back().first);
            m_lru.pop_back();
        }
    }
    return bytes;
}

std::size_t TileCache::size() const {
    std::lock_guard lock(m_mutex);
    return m_lru.size();
}

std::uint64_t TileCache::hits() const {
    std::lock_guard lock(m_mutex);
    return m_hits;
}

std::uint64_t TileCache::misses() const {
    std::lock_guard lock(m_mutex);
    return m_misses;
}

}  // namespace lernorte::engine
