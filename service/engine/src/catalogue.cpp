#include <lernorte/engine/catalogue.hpp>

#include <algorithm>
#include <cmath>
#include <future>
#include <numeric>

#include <lernorte/tiles/tile_math.hpp>

namespace lernorte::engine {
namespace {

template <typename T, typename V>
bool contains(const std::vector<T>& list, const V& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

template <typename T>
bool any_of_in(const std::vector<T>& wanted, const std::vector<T>& have) {
    return std::any_of(wanted.begin(), wanted.end(), [&](const T& w) { return contains(have, w); });
}

double per_10k(std::int64_t places, std::int64_t population) {
    return population > 0 ? static_cast<double>(places) * 10000.0 / static_cast<double>(population) : 0.0;
}

}  // namespace

std::shared_ptr<const Boundaries> Boundaries::build(std::vector<storage::Stadtraum> stadtraeume,
                                                   std::optional<geo::MultiPolygon> outline) {
    auto b = std::make_shared<Boundaries>();
    std::sort(stadtraeume.begin(), stadtraeume.end(), [](const auto& x, const auto& y) { return x.nr < y.nr; });
    for (const auto& s : stadtraeume) {
        b->regions.add(s.nr, s.geometry);
        b->boxes.push_back(s.geometry.bbox());
        b->extent.expand(b->boxes.back());
        geo::MultiPolygon mercator = s.geometry;
        for (auto& polygon : mercator.polygons) {
            for (auto& ring : polygon.rings) {
                for (auto& p : ring) p = tiles::to_mercator(p);
            }
        }
        b->mercator.push_back(std::move(mercator));
    }
    b->stadtraeume = std::move(stadtraeume);
    if (outline) b->outline.emplace(std::move(*outline));
    return b;
}

std::shared_ptr<const Catalogue> Catalogue::build(std::vector<storage::Place> places,
                                                  std::vector<storage::Stadtraum> stadtraeume,
                                                  std::optional<geo::MultiPolygon> outline,
                                                  std::int64_t version) {
    return build(std::move(places), Boundaries::build(std::move(stadtraeume), std::move(outline)), version);
}

std::shared_ptr<const Catalogue> Catalogue::build(std::vector<storage::Place> places,
                                                  std::shared_ptr<const Boundaries> boundaries,
                                                  std::int64_t version) {
    return build(
        [&places](const std::function<void(storage::Place&&)>& add) {
            for (auto& p : places) add(std::move(p));
        },
        std::move(boundaries), version);
}

std::shared_ptr<const Catalogue> Catalogue::build(const PlaceSource& source,
                                                  std::shared_ptr<const Boundaries> boundaries,
                                                  std::int64_t version) {
    std::shared_ptr<Catalogue> c(new Catalogue());
    c->m_version = version;
    c->m_bounds = std::move(boundaries);

    std::vector<geo::Point> points;
    source([&](storage::Place&& p) {
        if (p.status != "published") return;
        points.push_back(p.position);
        c->m_table.append(p);
    });
    const std::vector<std::uint32_t> order = geo::PointIndex::build_order(points);
    c->m_table.permute(order);
    c->m_table.shrink_to_fit();
    c->m_point_index = geo::PointIndex(std::move(points));

    // The text index is the slowest part: it is built on another core meanwhile.
    const PlaceTable& table = c->m_table;
    auto text = std::async(std::launch::async, [&table] {
        return TextIndex(static_cast<std::uint32_t>(table.size()), [&table](std::uint32_t doc, const TextIndex::FieldSink& add) {
            add(table.text(doc, PlaceText::name), 3.0F);
            add(table.text(doc, PlaceText::description), 1.0F);
            add(table.text(doc, PlaceText::street), 1.0F);
            add(table.text(doc, PlaceText::postcode), 1.0F);
            add(table.pooled(table.row(doc).city), 0.5F);
            for (std::uint32_t tag : table.list(doc, PlaceList::tags)) add(table.pool().at(tag), 2.0F);
        });
    });
    // Sorted as (id, index) pairs: comparing views is cheaper than finding the ids in the arena.
    std::vector<std::pair<std::string_view, std::uint32_t>> ids(table.size());
    for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = {table.text(i, PlaceText::id), i};
    std::sort(ids.begin(), ids.end());
    c->m_by_id.reserve(ids.size());
    for (const auto& entry : ids) c->m_by_id.push_back(entry.second);
    c->derive();
    c->m_text = text.get();
    return c;
}

void Catalogue::write_body(BinaryWriter& out) const {
    m_table.write(out);
    out.array(m_by_id);
    // The points in index order: the index's nodes are recomputed from them when read.
    std::vector<geo::Point> points(m_table.size());
    for (std::uint32_t i = 0; i < points.size(); ++i) points[i] = m_point_index.point(i);
    out.array(points);
    m_text.write(out);
}

std::shared_ptr<const Catalogue> Catalogue::read_body(BinaryReader& in, std::shared_ptr<const Boundaries> boundaries,
                                                      std::int64_t version) {
    std::shared_ptr<Catalogue> c(new Catalogue());
    c->m_version = version;
    c->m_bounds = std::move(boundaries);
    c->m_table.read(in);
    const auto n = static_cast<std::uint32_t>(c->m_table.size());
    c->m_by_id = in.array<std::uint32_t>();
    auto points = in.array<geo::Point>();
    if (c->m_by_id.size() != n || points.size() != n) throw SnapshotError("snapshot file: the parts disagree in size");
    std::vector<bool> seen(n, false);
    for (std::uint32_t i : c->m_by_id) {
        if (i >= n || seen[i]) throw SnapshotError("snapshot file: the id index is damaged");
        seen[i] = true;
    }
    for (const geo::Point& p : points) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) throw SnapshotError("snapshot file: a position is not a number");
    }
    c->m_point_index = geo::PointIndex(std::move(points));
    c->m_text = TextIndex::read(in, n);
    if (!in.at_end()) throw SnapshotError("snapshot file: unexpected data after the text index");
    c->derive();
    return c;
}

void Catalogue::derive() {
    for (std::uint32_t i = 0; i < m_table.size(); ++i) {
        m_places_extent.expand(m_point_index.point(i));
        const std::string_view updated = m_table.text(i, PlaceText::updated_at);
        if (updated > m_last_updated) m_last_updated = updated;
    }
    std::vector<std::int64_t> per_pool(m_table.pool().size(), 0);
    for (std::uint32_t i = 0; i < m_table.size(); ++i) ++per_pool[m_table.row(i).category];
    for (std::uint32_t id = 0; id < per_pool.size(); ++id) {
        if (per_pool[id] > 0) m_category_counts.emplace(std::string(m_table.pool().at(id)), per_pool[id]);
    }
    compute_stats();
}

std::optional<storage::Place> Catalogue::place(const std::string& id) const {
    const auto it = std::lower_bound(m_by_id.begin(), m_by_id.end(), id, [this](std::uint32_t i, const std::string& wanted) {
        return m_table.text(i, PlaceText::id) < wanted;
    });
    if (it == m_by_id.end() || m_table.text(*it, PlaceText::id) != id) return std::nullopt;
    return place_at(*it);
}

const storage::Stadtraum* Catalogue::stadtraum(int nr) const {
    const auto& all = m_bounds->stadtraeume;
    const auto it = std::find_if(all.begin(), all.end(), [nr](const auto& s) { return s.nr == nr; });
    return it == all.end() ? nullptr : &*it;
}

bool Catalogue::in_city(geo::Point p) const noexcept {
    if (m_bounds->outline) return m_bounds->outline->contains(p);
    return m_bounds->regions.locate(p).has_value();
}

std::int64_t Catalogue::category_count(const std::string& key) const {
    const auto it = m_category_counts.find(key);
    return it == m_category_counts.end() ? 0 : it->second;
}

struct Catalogue::Filter {
    bool nothing = false;  // a wanted value no place has: nothing can match
    bool only_bbox = true;  // no filter besides the bbox
    std::optional<geo::BBox> bbox;
    std::vector<std::uint32_t> categories;
    std::vector<std::uint32_t> target_groups;
    std::vector<std::uint32_t> languages;
    std::vector<std::uint32_t> wheelchair;
    std::vector<int> stadtraeume;
    std::optional<bool> free;
    std::optional<bool> in_orte100;
    std::optional<int> orte100;
    std::optional<bool> in_abc;
    std::optional<std::uint32_t> abc;
    std::optional<std::string> updated_from;
    std::optional<std::string> updated_to;
};

Catalogue::Filter Catalogue::compile(const PlaceQuery& q) const {
    Filter f;
    f.bbox = q.bbox;
    // Values become pool numbers; values no place has are dropped, and a list of only such
    // values matches nothing.
    const auto numbers = [&](const std::vector<std::string>& values, std::vector<std::uint32_t>& out) {
        if (values.empty()) return;
        f.only_bbox = false;
        for (const auto& v : values) {
            if (const std::uint32_t id = m_table.pool().find(v); id != StringPool::none) out.push_back(id);
        }
        if (out.empty()) f.nothing = true;
    };
    numbers(q.categories, f.categories);
    numbers(q.target_groups, f.target_groups);
    numbers(q.languages, f.languages);
    numbers(q.wheelchair, f.wheelchair);
    f.stadtraeume = q.stadtraeume;
    f.free = q.free;
    f.in_orte100 = q.in_orte100;
    f.orte100 = q.orte100;
    f.in_abc = q.in_abc;
    if (q.abc) {
        const std::uint32_t id = m_table.pool().find(*q.abc);
        if (id == StringPool::none) f.nothing = true;
        f.abc = id;
    }
    f.updated_from = q.updated_from;
    f.updated_to = q.updated_to;
    if (!f.stadtraeume.empty() || f.free || f.in_orte100 || f.orte100 || f.in_abc || f.abc || f.updated_from ||
        f.updated_to) {
        f.only_bbox = false;
    }
    return f;
}

bool Catalogue::matches(std::uint32_t i, const Filter& f) const {
    if (f.bbox && !f.bbox->contains(m_point_index.point(i))) return false;
    if (f.only_bbox) return true;
    const PlaceRow& r = m_table.row(i);
    const auto any_in = [&](const std::vector<std::uint32_t>& wanted, PlaceList which) {
        const auto have = m_table.list(i, which);
        return std::any_of(have.begin(), have.end(), [&](std::uint32_t id) { return contains(wanted, id); });
    };
    if (!f.categories.empty() && !contains(f.categories, r.category)) return false;
    if (!f.wheelchair.empty() && !contains(f.wheelchair, r.wheelchair)) return false;
    if (!f.target_groups.empty() && !any_in(f.target_groups, PlaceList::target_groups)) return false;
    if (!f.languages.empty() && !any_in(f.languages, PlaceList::languages)) return false;
    if (!f.stadtraeume.empty() && !(r.stadtraum != PlaceRow::absent && contains(f.stadtraeume, r.stadtraum))) return false;
    if (f.free && (r.free < 0 || (r.free == 1) != *f.free)) return false;
    if (f.in_orte100 && (r.orte100 != PlaceRow::absent) != *f.in_orte100) return false;
    if (f.orte100 && r.orte100 != *f.orte100) return false;
    if (f.in_abc && (r.abc != StringPool::none) != *f.in_abc) return false;
    if (f.abc && r.abc != *f.abc) return false;
    if (f.updated_from || f.updated_to) {
        const std::string_view updated = m_table.text(i, PlaceText::updated_at);
        if (f.updated_from && updated < *f.updated_from) return false;
        if (f.updated_to && updated > *f.updated_to) return false;
    }
    return true;
}

PlaceResult Catalogue::query(const PlaceQuery& q) const {
    PlaceResult result;
    const Filter filter = compile(q);
    if (filter.nothing) return result;
    const std::size_t window_end = q.offset + std::min(q.limit, m_table.size());
    const auto take = [&](std::uint32_t index, std::optional<double> distance) {
        if (result.number_matched >= q.offset && result.number_matched < window_end) {
            result.hits.push_back(PlaceHit{index, distance});
        }
        ++result.number_matched;
    };

    if (q.near) {
        // Candidates from the box around the circle, exact distance, sorted nearest first.
        geo::BBox box = geo::bbox_around(q.near->center, q.near->radius_m);
        std::vector<PlaceHit> within;
        m_point_index.query(box, [&](geo::IndexRange range, bool) {
            for (std::uint32_t i = range.begin; i < range.end; ++i) {
                const double d = geo::haversine_m(q.near->center, m_point_index.point(i));
                if (d <= q.near->radius_m && matches(i, filter)) within.push_back(PlaceHit{i, d});
            }
        });
        if (!q.text.empty()) {
            std::vector<bool> hit(m_table.size(), false);
            for (const auto& h : m_text.search(q.text)) hit[h.doc] = true;
            std::erase_if(within, [&](const PlaceHit& h) { return !hit[h.index]; });
        }
        std::sort(within.begin(), within.end(), [](const PlaceHit& a, const PlaceHit& b) {
            return *a.distance_m != *b.distance_m ? *a.distance_m < *b.distance_m : a.index < b.index;
        });
        for (const PlaceHit& h : within) take(h.index, h.distance_m);
        return result;
    }

    if (!q.text.empty()) {
        for (const auto& h : m_text.search(q.text)) {
            if (matches(h.doc, filter)) take(h.doc, std::nullopt);
        }
        return result;
    }

    Filter rest = filter;  // the bbox is answered by the index; the rest per place
    rest.bbox.reset();
    const auto visit = [&](geo::IndexRange range, bool exact) {
        if (exact && rest.only_bbox) {
            // A whole subtree inside the box: count it, and take only the part in the window.
            const std::size_t before = result.number_matched;
            const std::size_t after = before + range.size();
            const std::size_t from = std::max(before, q.offset);
            const std::size_t to = std::min(after, window_end);
            for (std::size_t k = from; k < to; ++k) {
                result.hits.push_back(PlaceHit{static_cast<std::uint32_t>(range.begin + (k - before)), std::nullopt});
            }
            result.number_matched = after;
            return;
        }
        for (std::uint32_t i = range.begin; i < range.end; ++i) {
            if (!exact && q.bbox && !q.bbox->contains(m_point_index.point(i))) continue;
            if (matches(i, rest)) take(i, std::nullopt);
        }
    };
    if (q.bbox) {
        m_point_index.query(*q.bbox, visit);
    } else {
        visit(geo::IndexRange{0, static_cast<std::uint32_t>(m_table.size())}, true);
    }
    return result;
}

void Catalogue::compute_stats() {
    const auto& cats = storage::categories();
    const auto make = [&](int nr, std::string name, std::int64_t population, double area,
                          double foreign_pct) {
        AreaStats a;
        a.nr = nr;
        a.name = std::move(name);
        a.population = population;
        a.area_km2 = area;
        a.foreign_pct = foreign_pct;
        for (const auto& c : cats) a.categories.push_back(CategoryCount{std::string(c.key), 0, 0.0});
        return a;
    };
    std::int64_t population = 0;
    double area = 0.0;
    double foreign = 0.0;
    for (const auto& s : m_bounds->stadtraeume) {
        m_stats.stadtraeume.push_back(make(s.nr, s.name, s.population, s.area_km2, s.foreign_pct));
        population += s.population;
        area += s.area_km2;
        foreign += s.foreign_pct * static_cast<double>(s.population) / 100.0;
    }
    m_stats.total = make(0, "Dresden", population, area,
                         population > 0 ? foreign * 100.0 / static_cast<double>(population) : 0.0);
    const auto category_slot = [&](const std::string& key) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < cats.size(); ++i) {
            if (cats[i].key == key) return i;
        }
        return std::nullopt;
    };
    std::vector<std::optional<std::size_t>> slot_of(m_table.pool().size());
    for (std::uint32_t id = 0; id < slot_of.size(); ++id) slot_of[id] = category_slot(std::string(m_table.pool().at(id)));
    for (std::uint32_t i = 0; i < m_table.size(); ++i) {
        const PlaceRow& r = m_table.row(i);
        const auto slot = slot_of[r.category];
        ++m_stats.total.places;
        if (slot) ++m_stats.total.categories[*slot].places;
        if (r.stadtraum == PlaceRow::absent) continue;
        for (auto& a : m_stats.stadtraeume) {
            if (a.nr != r.stadtraum) continue;
            ++a.places;
            if (slot) ++a.categories[*slot].places;
        }
    }
    const auto finish = [](AreaStats& a) {
        a.per_10k = per_10k(a.places, a.population);
        for (auto& c : a.categories) c.per_10k = per_10k(c.places, a.population);
    };
    for (auto& a : m_stats.stadtraeume) finish(a);
    finish(m_stats.total);
}

}  // namespace lernorte::engine
