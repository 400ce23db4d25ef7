#include <lernorte/engine/catalogue.hpp>

#include <algorithm>
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

std::vector<TextField> text_fields(const storage::Place& p) {
    std::vector<TextField> fields{
        {p.name, 3.0F},
        {p.description, 1.0F},
        {p.address.street, 1.0F},
        {p.address.postcode, 1.0F},
        {p.address.city, 0.5F},
    };
    for (const std::string& tag : p.tags) fields.push_back({tag, 2.0F});
    return fields;
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
    std::shared_ptr<Catalogue> c(new Catalogue());
    c->m_version = version;
    c->m_bounds = std::move(boundaries);

    std::erase_if(places, [](const storage::Place& p) { return p.status != "published"; });
    std::vector<geo::Point> points;
    points.reserve(places.size());
    for (const auto& p : places) points.push_back(p.position);
    const std::vector<std::uint32_t> order = geo::PointIndex::build_order(points);
    c->m_places.reserve(places.size());
    for (std::uint32_t original : order) c->m_places.push_back(std::move(places[original]));
    c->m_point_index = geo::PointIndex(std::move(points));

    // The text index is the slowest part: it is built on another core meanwhile.
    auto text = std::async(std::launch::async, [&places = c->m_places] {
        std::vector<std::vector<TextField>> documents;
        documents.reserve(places.size());
        for (const auto& p : places) documents.push_back(text_fields(p));
        return TextIndex(documents);
    });
    c->m_by_id.reserve(c->m_places.size());
    for (std::uint32_t i = 0; i < c->m_places.size(); ++i) {
        const storage::Place& p = c->m_places[i];
        c->m_by_id.emplace(p.id, i);
        c->m_places_extent.expand(p.position);
        ++c->m_category_counts[p.category];
        if (p.updated_at > c->m_last_updated) c->m_last_updated = p.updated_at;
    }
    c->compute_stats();
    c->m_text = text.get();
    return c;
}

std::optional<storage::Place> Catalogue::place(const std::string& id) const {
    const auto it = m_by_id.find(id);
    if (it == m_by_id.end()) return std::nullopt;
    return m_places[it->second];
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

bool Catalogue::matches(const storage::Place& p, const PlaceQuery& q) const {
    if (q.bbox && !q.bbox->contains(p.position)) return false;
    if (!q.categories.empty() && !contains(q.categories, p.category)) return false;
    if (!q.target_groups.empty() && !any_of_in(q.target_groups, p.target_groups)) return false;
    if (!q.languages.empty() && !any_of_in(q.languages, p.languages)) return false;
    if (!q.wheelchair.empty() && !contains(q.wheelchair, p.wheelchair)) return false;
    if (!q.stadtraeume.empty() && !(p.stadtraum && contains(q.stadtraeume, *p.stadtraum))) return false;
    if (q.free && p.free != q.free) return false;
    if (q.in_orte100 && p.orte100.has_value() != *q.in_orte100) return false;
    if (q.orte100 && p.orte100 != q.orte100) return false;
    if (q.in_abc && p.abc_letter.has_value() != *q.in_abc) return false;
    if (q.abc && p.abc_letter != q.abc) return false;
    if (q.updated_from && p.updated_at < *q.updated_from) return false;
    if (q.updated_to && p.updated_at > *q.updated_to) return false;
    return true;
}

PlaceResult Catalogue::query(const PlaceQuery& q) const {
    PlaceResult result;
    const std::size_t window_end = q.offset + std::min(q.limit, m_places.size());
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
                const storage::Place& p = m_places[i];
                const double d = geo::haversine_m(q.near->center, p.position);
                if (d <= q.near->radius_m && matches(p, q)) within.push_back(PlaceHit{i, d});
            }
        });
        if (!q.text.empty()) {
            std::vector<bool> hit(m_places.size(), false);
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
            if (matches(m_places[h.doc], q)) take(h.doc, std::nullopt);
        }
        return result;
    }

    PlaceQuery rest = q;  // the bbox is answered by the index; the rest per place
    rest.bbox.reset();
    const bool only_bbox = rest.categories.empty() && rest.target_groups.empty() &&
                           rest.languages.empty() && rest.wheelchair.empty() &&
                           rest.stadtraeume.empty() && !rest.free && !rest.in_orte100 &&
                           !rest.orte100 && !rest.in_abc && !rest.abc && !rest.updated_from &&
                           !rest.updated_to;
    const auto visit = [&](geo::IndexRange range, bool exact) {
        if (exact && only_bbox) {
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
            // The index's contiguous points first: a Place is large, touching it costs a cache miss.
            if (!exact && q.bbox && !q.bbox->contains(m_point_index.point(i))) continue;
            if (only_bbox || matches(m_places[i], rest)) take(i, std::nullopt);
        }
    };
    if (q.bbox) {
        m_point_index.query(*q.bbox, visit);
    } else {
        visit(geo::IndexRange{0, static_cast<std::uint32_t>(m_places.size())}, true);
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
    for (const auto& p : m_places) {
        const auto slot = category_slot(p.category);
        ++m_stats.total.places;
        if (slot) ++m_stats.total.categories[*slot].places;
        if (!p.stadtraum) continue;
        for (auto& a : m_stats.stadtraeume) {
            if (a.nr != *p.stadtraum) continue;
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
