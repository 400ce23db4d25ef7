#include <lernorte/engine/place_table.hpp>

#include <array>

namespace lernorte::engine {
namespace {

// Text lengths are LEB128 varints: most texts are short, so most lengths take one byte.
void put_varint(std::vector<char>& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

// Reads a varint at `pos`, advancing it; nullopt past `end` or beyond 64 bits.
std::optional<std::uint64_t> get_varint(const char* data, std::size_t end, std::size_t& pos) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) return std::nullopt;
        const auto byte = static_cast<unsigned char>(data[pos++]);
        v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return v;
    }
    return std::nullopt;
}

std::string_view text_at(const std::vector<char>& arena, std::uint64_t offset, PlaceText field) {
    std::size_t pos = offset;
    const auto skip = static_cast<int>(field);
    for (int k = 0;; ++k) {
        // Rows were checked when built or read, so the varints are sound here.
        const std::uint64_t n = *get_varint(arena.data(), arena.size(), pos);
        if (k == skip) return {arena.data() + pos, n};
        pos += n;
    }
}

}  // namespace

std::uint32_t StringPool::intern(std::string_view s) {
    if (const auto it = m_ids.find(s); it != m_ids.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(m_strings.size());
    m_strings.emplace_back(s);
    m_ids.emplace(std::string(s), id);
    return id;
}

std::uint32_t StringPool::find(std::string_view s) const {
    const auto it = m_ids.find(s);
    return it == m_ids.end() ? none : it->second;
}

void StringPool::read(BinaryReader& in) {
    m_strings = in.strings();
    m_ids.clear();
    m_ids.reserve(m_strings.size());
    for (std::uint32_t i = 0; i < m_strings.size(); ++i) {
        if (!m_ids.emplace(m_strings[i], i).second) throw SnapshotError("snapshot file: a pooled string repeats");
    }
}

void PlaceTable::append_list(const std::vector<std::string>& values) {
    m_lists.push_back(static_cast<std::uint32_t>(values.size()));
    for (const std::string& v : values) m_lists.push_back(m_pool.intern(v));
}

void PlaceTable::append(const storage::Place& p) {
    PlaceRow r;
    r.text = m_arena.size();
    const std::array<const std::string*, place_text_count> texts{
        &p.id,      &p.name,  &p.source_id, &p.description,   &p.address.street, &p.address.postcode,
        &p.website, &p.phone, &p.email,     &p.opening_hours, &p.updated_at};
    for (const std::string* s : texts) {
        put_varint(m_arena, s->size());
        m_arena.insert(m_arena.end(), s->begin(), s->end());
    }
    r.version = p.version;
    if (m_lists.size() > std::numeric_limits<std::uint32_t>::max() - 64) throw std::length_error("too many list entries for the read model");
    r.lists = static_cast<std::uint32_t>(m_lists.size());
    append_list(p.tags);
    append_list(p.target_groups);
    append_list(p.languages);
    r.dataset = intern_or_none(p.dataset);
    r.category = m_pool.intern(p.category);
    r.city = intern_or_none(p.address.city);
    r.wheelchair = m_pool.intern(p.wheelchair);
    r.source = intern_or_none(p.source);
    r.license = intern_or_none(p.license);
    if (p.abc_letter) r.abc = m_pool.intern(*p.abc_letter);
    if (p.orte100) r.orte100 = *p.orte100;
    if (p.stadtraum) r.stadtraum = *p.stadtraum;
    if (p.free) r.free = *p.free ? 1 : 0;
    m_rows.push_back(r);
}

std::string_view PlaceTable::text(std::uint32_t i, PlaceText field) const {
    return text_at(m_arena, m_rows[i].text, field);
}

std::span<const std::uint32_t> PlaceTable::list(std::uint32_t i, PlaceList which) const {
    std::size_t pos = m_rows[i].lists;
    for (int k = 0; k < static_cast<int>(which); ++k) pos += 1 + m_lists[pos];
    return {m_lists.data() + pos + 1, m_lists[pos]};
}

storage::Place PlaceTable::materialize(std::uint32_t i, geo::Point position) const {
    const PlaceRow& r = m_rows[i];
    storage::Place p;
    std::size_t pos = r.text;
    std::array<std::string*, place_text_count> texts{
        &p.id,      &p.name,  &p.source_id, &p.description,   &p.address.street, &p.address.postcode,
        &p.website, &p.phone, &p.email,     &p.opening_hours, &p.updated_at};
    for (std::string* s : texts) {
        const std::uint64_t n = *get_varint(m_arena.data(), m_arena.size(), pos);
        s->assign(m_arena.data() + pos, n);
        pos += n;
    }
    const auto strings = [&](PlaceList which) {
        std::vector<std::string> out;
        for (std::uint32_t id : list(i, which)) out.emplace_back(m_pool.at(id));
        return out;
    };
    p.tags = strings(PlaceList::tags);
    p.target_groups = strings(PlaceList::target_groups);
    p.languages = strings(PlaceList::languages);
    p.dataset = pooled(r.dataset);
    p.category = pooled(r.category);
    p.address.city = pooled(r.city);
    p.wheelchair = pooled(r.wheelchair);
    p.source = pooled(r.source);
    p.license = pooled(r.license);
    if (r.abc != StringPool::none) p.abc_letter = std::string(m_pool.at(r.abc));
    if (r.orte100 != PlaceRow::absent) p.orte100 = r.orte100;
    if (r.stadtraum != PlaceRow::absent) p.stadtraum = r.stadtraum;
    if (r.free >= 0) p.free = r.free == 1;
    p.status = "published";
    p.version = r.version;
    p.position = position;
    return p;
}

void PlaceTable::permute(const std::vector<std::uint32_t>& order) {
    std::vector<PlaceRow> rows;
    rows.reserve(order.size());
    for (std::uint32_t from : order) rows.push_back(m_rows[from]);
    m_rows = std::move(rows);
}

void PlaceTable::reserve(std::size_t places, std::size_t text_bytes) {
    m_rows.reserve(places);
    m_arena.reserve(text_bytes);
    m_lists.reserve(places * 4);
}

void PlaceTable::shrink_to_fit() {
    m_rows.shrink_to_fit();
    m_arena.shrink_to_fit();
    m_lists.shrink_to_fit();
}

void PlaceTable::write(BinaryWriter& out) const {
    out.array(m_rows);
    out.array(m_arena);
    out.array(m_lists);
    m_pool.write(out);
}

void PlaceTable::check_row(const PlaceRow& r) const {
    const auto bad = [] { throw SnapshotError("snapshot file: a place refers outside the file's data"); };
    std::size_t pos = r.text;
    if (pos > m_arena.size()) bad();
    for (int k = 0; k < place_text_count; ++k) {
        const auto n = get_varint(m_arena.data(), m_arena.size(), pos);
        if (!n || *n > m_arena.size() - pos) bad();
        pos += *n;
    }
    std::size_t list = r.lists;
    for (int k = 0; k < 3; ++k) {
        if (list >= m_lists.size() || m_lists[list] > m_lists.size() - list - 1) bad();
        for (std::size_t j = list + 1; j <= list + m_lists[list]; ++j) {
            if (m_lists[j] >= m_pool.size()) bad();
        }
        list += 1 + m_lists[list];
    }
    for (std::uint32_t id : {r.dataset, r.category, r.city, r.wheelchair, r.source, r.license, r.abc}) {
        if (id != StringPool::none && id >= m_pool.size()) bad();
    }
    if (r.category == StringPool::none || r.wheelchair == StringPool::none || r.free < -1 || r.free > 1) bad();
}

void PlaceTable::read(BinaryReader& in) {
    m_rows = in.array<PlaceRow>();
    m_arena = in.array<char>();
    m_lists = in.array<std::uint32_t>();
    m_pool.read(in);
    for (const PlaceRow& r : m_rows) check_row(r);
}

}  // namespace lernorte::engine
