#include <lernorte/tiles/point_layer.hpp>

#include <algorithm>
#include <bit>

#include <lernorte/tiles/mvt.hpp>

namespace lernorte::tiles {
namespace {

// Wire bytes of vector_tile.proto (MVT 2.1): field number << 3 | wire type.
constexpr char tile_layers = 0x1A;      // 3, length-delimited
constexpr char layer_name = 0x0A;       // 1, length-delimited
constexpr char layer_features = 0x12;   // 2, length-delimited
constexpr char layer_keys = 0x1A;       // 3, length-delimited
constexpr char layer_values = 0x22;     // 4, length-delimited
constexpr char layer_extent = 0x28;     // 5, varint
constexpr char layer_version = 0x78;    // 15, varint
constexpr char feature_id = 0x08;       // 1, varint
constexpr char feature_tags = 0x12;     // 2, packed
constexpr char feature_type = 0x18;     // 3, varint
constexpr char feature_geometry = 0x22; // 4, packed
constexpr char value_string = 0x0A;     // 1, length-delimited
constexpr char value_uint = 0x28;       // 5, varint
constexpr char value_bool = 0x38;       // 7, varint
constexpr std::uint32_t point_type = 1;
constexpr std::uint32_t move_to_one = (1U & 0x7U) | (1U << 3U);

constexpr std::size_t varint_size(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >= 0x80U) {
        v >>= 7U;
        ++n;
    }
    return n;
}

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80U) {
        out.push_back(static_cast<char>((v & 0x7FU) | 0x80U));
        v >>= 7U;
    }
    out.push_back(static_cast<char>(v));
}

// The same into a buffer known to be large enough; returns the end of what was written.
char* put_varint(char* out, std::uint64_t v) noexcept {
    while (v >= 0x80U) {
        *out++ = static_cast<char>((v & 0x7FU) | 0x80U);
        v >>= 7U;
    }
    *out++ = static_cast<char>(v);
    return out;
}

constexpr std::uint32_t zigzag(std::int32_t v) noexcept {
    return (static_cast<std::uint32_t>(v) << 1U) ^ static_cast<std::uint32_t>(-static_cast<std::int32_t>(static_cast<std::uint32_t>(v) >> 31U));
}

void put_bytes_field(std::string& out, char tag, std::string_view bytes) {
    out.push_back(tag);
    put_varint(out, bytes.size());
    out.append(bytes);
}

std::size_t hash_slot(std::uint64_t key, std::size_t mask) noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 32U) & mask;
}

}  // namespace

PointLayer::PointLayer(std::uint32_t extent, std::size_t expected_features)
    : m_name(point_layer_name), m_extent(extent) {
    // About 40 bytes per place feature and two new string values (id, name) per place.
    m_features.reserve(expected_features * 48);
    m_values.reserve(expected_features * 56);
    m_strings.resize(std::bit_ceil(std::max<std::size_t>(64, expected_features * 4)));
    m_uints.resize(64);
}

std::uint32_t PointLayer::key(std::string_view key) {
    const auto it = std::find(m_keys.begin(), m_keys.end(), key);
    if (it != m_keys.end()) return static_cast<std::uint32_t>(it - m_keys.begin());
    m_keys.emplace_back(key);
    return static_cast<std::uint32_t>(m_keys.size() - 1);
}

std::uint32_t PointLayer::find_or_add(std::vector<Slot>& table, std::size_t& used, std::uint64_t key,
                                      std::uint32_t next_index, bool& added) {
    if ((used + 1) * 2 > table.size()) {
        std::vector<Slot> bigger(table.size() * 2);
        const std::size_t mask = bigger.size() - 1;
        for (const Slot& s : table) {
            if (s.index == none) continue;
            std::size_t i = hash_slot(s.key, mask);
            while (bigger[i].index != none) i = (i + 1) & mask;
            bigger[i] = s;
        }
        table.swap(bigger);
    }
    const std::size_t mask = table.size() - 1;
    std::size_t i = hash_slot(key, mask);
    while (table[i].index != none) {
        if (table[i].key == key) {
            added = false;
            return table[i].index;
        }
        i = (i + 1) & mask;
    }
    table[i] = Slot{key, next_index};
    ++used;
    added = true;
    return next_index;
}

void PointLayer::add_value_message(std::string_view encoded) {
    put_bytes_field(m_values, layer_values, encoded);
    ++m_value_count;
}

std::uint32_t PointLayer::string_value(std::uint32_t token, std::string_view text) {
    bool added = false;
    const std::uint32_t index = find_or_add(m_strings, m_strings_used, token, m_value_count, added);
    if (added) {
        const std::size_t message = 1 + varint_size(text.size()) + text.size();
        const std::size_t old = m_values.size();
        m_values.resize(old + 1 + varint_size(message) + message);
        char* p = m_values.data() + old;
        *p++ = layer_values;
        p = put_varint(p, message);
        *p++ = value_string;
        p = put_varint(p, text.size());
        std::copy(text.begin(), text.end(), p);
        ++m_value_count;
    }
    return index;
}

std::uint32_t PointLayer::uint_value(std::uint64_t value) {
    bool added = false;
    const std::uint32_t index = find_or_add(m_uints, m_uints_used, value, m_value_count, added);
    if (added) {
        m_scratch.clear();
        m_scratch.push_back(value_uint);
        put_varint(m_scratch, value);
        add_value_message(m_scratch);
    }
    return index;
}

std::uint32_t PointLayer::bool_value(bool value) {
    std::uint32_t& index = m_bools[value ? 1 : 0];
    if (index == none) {
        index = m_value_count;
        const char encoded[] = {value_bool, static_cast<char>(value ? 1 : 0)};
        add_value_message(std::string_view(encoded, sizeof encoded));
    }
    return index;
}

void PointLayer::add_point(std::uint64_t id, std::int32_t x, std::int32_t y, std::span<const std::uint32_t> tags) {
    std::size_t tags_size = 0;
    for (const std::uint32_t t : tags) tags_size += varint_size(t);
    const std::uint32_t zx = zigzag(x);
    const std::uint32_t zy = zigzag(y);
    const std::size_t geometry_size = varint_size(move_to_one) + varint_size(zx) + varint_size(zy);
    std::size_t body = 1 + varint_size(id) + 2 + 1 + varint_size(geometry_size) + geometry_size;
    if (!tags.empty()) body += 1 + varint_size(tags_size) + tags_size;

    const std::size_t old = m_features.size();
    m_features.resize(old + 1 + varint_size(body) + body);
    char* p = m_features.data() + old;
    *p++ = layer_features;
    p = put_varint(p, body);
    *p++ = feature_id;
    p = put_varint(p, id);
    if (!tags.empty()) {
        *p++ = feature_tags;
        p = put_varint(p, tags_size);
        for (const std::uint32_t t : tags) p = put_varint(p, t);
    }
    *p++ = feature_type;
    *p++ = static_cast<char>(point_type);
    *p++ = feature_geometry;
    p = put_varint(p, geometry_size);
    p = put_varint(p, move_to_one);
    p = put_varint(p, zx);
    put_varint(p, zy);
    ++m_feature_count;
}

void PointLayer::append_to(std::string& tile) const {
    if (m_feature_count == 0) return;
    std::string head;
    head.push_back(layer_version);
    head.push_back(2);
    put_bytes_field(head, layer_name, m_name);
    head.push_back(layer_extent);
    put_varint(head, m_extent);
    std::string keys;
    for (const std::string& k : m_keys) put_bytes_field(keys, layer_keys, k);

    const std::size_t size = head.size() + m_features.size() + keys.size() + m_values.size();
    tile.reserve(tile.size() + 1 + varint_size(size) + size);
    tile.push_back(tile_layers);
    put_varint(tile, size);
    tile += head;
    tile += m_features;
    tile += keys;
    tile += m_values;
}

}  // namespace lernorte::tiles
