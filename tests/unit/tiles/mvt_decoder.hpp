#pragma once
// A small, strict Mapbox Vector Tile 2.1 decoder for tests: turns a tile into plain structs and into
// readable text (the golden .txt files). It checks what the encoder promises and throws on anything
// malformed (unknown fields, bad command sequences, tag indexes out of range).

#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <protozero/pbf_reader.hpp>

namespace lernorte::test::mvt {

struct Vertex {
    std::int64_t x = 0;
    std::int64_t y = 0;
    friend bool operator==(const Vertex&, const Vertex&) = default;
};

/// One decoded value as typed text, e.g. str:"Johannstadt", uint:3, sint:-2, double:2.5, bool:true.
using ValueText = std::string;

struct Feature {
    std::optional<std::uint64_t> id;
    int type = 0;  // 1 point, 2 linestring, 3 polygon
    std::vector<std::pair<std::string, ValueText>> tags;
    /// Points: one part per point with one vertex. Polygons: one part per ring, open (ClosePath implied).
    std::vector<std::vector<Vertex>> parts;
    /// The raw geometry integers (commands and zigzag deltas) as encoded.
    std::vector<std::uint32_t> commands;

    /// The typed value text of a tag, or "" when the feature has no such key.
    [[nodiscard]] std::string tag(const std::string& key) const {
        for (const auto& [k, v] : tags) {
            if (k == key) return v;
        }
        return {};
    }
};

struct Layer {
    std::string name;
    std::uint32_t version = 1;  // the spec's default when the field is missing
    std::uint32_t extent = 4096;
    std::vector<std::string> keys;
    std::vector<ValueText> values;
    std::vector<Feature> features;
};

struct Tile {
    std::vector<Layer> layers;
    [[nodiscard]] const Layer* layer(const std::string& name) const {
        for (const Layer& l : layers) {
            if (l.name == name) return &l;
        }
        return nullptr;
    }
};

/// Twice the signed ring area by the MVT 2.1 formula (positive = exterior).
inline std::int64_t area2(const std::vector<Vertex>& ring) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const Vertex a = ring[i];
        const Vertex b = ring[(i + 1) % ring.size()];
        sum += a.x * b.y - b.x * a.y;
    }
    return sum;
}

namespace detail {

inline std::string format_double(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

inline ValueText decode_value(protozero::pbf_reader msg) {
    std::optional<ValueText> out;
    while (msg.next()) {
        if (out) throw std::runtime_error("value message with more than one field");
        switch (msg.tag()) {
            case 1: out = "str:\"" + msg.get_string() + "\""; break;
            case 2: out = "float:" + format_double(msg.get_float()); break;
            case 3: out = "double:" + format_double(msg.get_double()); break;
            case 4: out = "int:" + std::to_string(msg.get_int64()); break;
            case 5: out = "uint:" + std::to_string(msg.get_uint64()); break;
            case 6: out = "sint:" + std::to_string(msg.get_sint64()); break;
            case 7: out = std::string("bool:") + (msg.get_bool() ? "true" : "false"); break;
            default: throw std::runtime_error("unknown value field " + std::to_string(msg.tag()));
        }
    }
    if (!out) throw std::runtime_error("empty value message");
    return *out;
}

inline std::vector<std::vector<Vertex>> decode_geometry(const std::vector<std::uint32_t>& g, int type) {
    std::vector<std::vector<Vertex>> parts;
    std::int64_t x = 0;
    std::int64_t y = 0;
    std::size_t i = 0;
    const auto next_vertex = [&]() {
        if (i + 2 > g.size()) throw std::runtime_error("geometry ends inside a command");
        x += protozero::decode_zigzag32(g[i]);
        y += protozero::decode_zigzag32(g[i + 1]);
        i += 2;
        return Vertex{x, y};
    };
    while (i < g.size()) {
        const std::uint32_t id = g[i] & 0x7U;
        const std::uint32_t count = g[i] >> 3U;
        ++i;
        if (type == 1) {
            if (id != 1 || count == 0 || !parts.empty()) throw std::runtime_error("point geometry must be one MoveTo");
            for (std::uint32_t k = 0; k < count; ++k) parts.push_back({next_vertex()});
        } else if (type == 3) {
            if (id != 1 || count != 1) throw std::runtime_error("ring must start with MoveTo(1)");
            std::vector<Vertex> ring{next_vertex()};
            if (i >= g.size() || (g[i] & 0x7U) != 2 || (g[i] >> 3U) < 2) throw std::runtime_error("ring needs LineTo(>=2)");
            const std::uint32_t lines = g[i] >> 3U;
            ++i;
            for (std::uint32_t k = 0; k < lines; ++k) {
                const Vertex v = next_vertex();
                if (v == ring.back()) throw std::runtime_error("zero-length LineTo segment");
                ring.push_back(v);
            }
            if (i >= g.size() || g[i] != ((1U << 3U) | 7U)) throw std::runtime_error("ring must end with ClosePath(1)");
            ++i;
            if (ring.back() == ring.front()) throw std::runtime_error("ClosePath after repeating the first point");
            parts.push_back(std::move(ring));
        } else {
            throw std::runtime_error("unexpected geometry type " + std::to_string(type));
        }
    }
    return parts;
}

inline Feature decode_feature(protozero::pbf_reader msg, const Layer& layer) {
    Feature f;
    std::vector<std::uint32_t> tags;
    std::vector<std::uint32_t> geometry;
    while (msg.next()) {
        switch (msg.tag()) {
            case 1: f.id = msg.get_uint64(); break;
            case 2: for (auto v : msg.get_packed_uint32()) tags.push_back(v); break;
            case 3: f.type = msg.get_enum(); break;
            case 4: for (auto v : msg.get_packed_uint32()) geometry.push_back(v); break;
            default: throw std::runtime_error("unknown feature field " + std::to_string(msg.tag()));
        }
    }
    if (tags.size() % 2 != 0) throw std::runtime_error("odd number of tag indexes");
    for (std::size_t i = 0; i < tags.size(); i += 2) {
        if (tags[i] >= layer.keys.size() || tags[i + 1] >= layer.values.size()) {
            throw std::runtime_error("tag index out of range");
        }
        f.tags.emplace_back(layer.keys[tags[i]], layer.values[tags[i + 1]]);
    }
    f.parts = decode_geometry(geometry, f.type);
    f.commands = std::move(geometry);
    return f;
}

inline Layer decode_layer(protozero::pbf_reader msg) {
    Layer layer;
    std::vector<protozero::pbf_reader> features;  // decoded after keys and values, which may come later
    while (msg.next()) {
        switch (msg.tag()) {
            case 1: layer.name = msg.get_string(); break;
            case 2: features.push_back(msg.get_message()); break;
            case 3: layer.keys.push_back(msg.get_string()); break;
            case 4: layer.values.push_back(decode_value(msg.get_message())); break;
            case 5: layer.extent = msg.get_uint32(); break;
            case 15: layer.version = msg.get_uint32(); break;
            default: throw std::runtime_error("unknown layer field " + std::to_string(msg.tag()));
        }
    }
    for (auto& f : features) layer.features.push_back(decode_feature(f, layer));
    return layer;
}

}  // namespace detail

inline Tile decode(const std::string& data) {
    Tile tile;
    protozero::pbf_reader msg(data);
    while (msg.next()) {
        if (msg.tag() != 3) throw std::runtime_error("unknown tile field " + std::to_string(msg.tag()));
        tile.layers.push_back(detail::decode_layer(msg.get_message()));
    }
    return tile;
}

/// Readable text of a tile: one line per layer, feature and ring, absolute coordinates.
inline std::string to_text(const Tile& tile) {
    static const char* const type_names[] = {"UNKNOWN", "POINT", "LINESTRING", "POLYGON"};
    std::string out;
    for (const Layer& l : tile.layers) {
        out += "layer " + l.name + " version=" + std::to_string(l.version) + " extent=" + std::to_string(l.extent) +
               " features=" + std::to_string(l.features.size()) + "\n  keys:";
        for (const auto& k : l.keys) out += " " + k;
        out += "\n  values:";
        for (const auto& v : l.values) out += " " + v;
        out += "\n";
        for (const Feature& f : l.features) {
            out += "  feature id=" + (f.id ? std::to_string(*f.id) : std::string("none")) + " " +
                   (f.type >= 0 && f.type <= 3 ? type_names[f.type] : "?") + "\n";
            for (const auto& [k, v] : f.tags) out += "    " + k + " = " + v + "\n";
            for (const auto& part : f.parts) {
                out += f.type == 3 ? "    ring area2=" + std::to_string(area2(part)) + ":" : std::string("    point:");
                for (const Vertex& v : part) out += " " + std::to_string(v.x) + "," + std::to_string(v.y);
                out += "\n";
            }
        }
    }
    return out;
}

}  // namespace lernorte::test::mvt
