#pragma once
// The "places" layer written feature by feature, for callers that render many tiles of one data
// set: no PointFeature, Property or encoded value string per place. The caller numbers its texts
// once (equal texts, equal tokens), so a value is deduplicated by a lookup on a 32-bit token.
// The bytes are those build_tile writes for the same features in the same order.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lernorte::tiles {

class PointLayer {
public:
    /// No key or value index refers to nothing; callers may use it for "not looked up yet".
    static constexpr std::uint32_t none = 0xFFFFFFFFU;

    explicit PointLayer(std::uint32_t extent = 4096, std::size_t expected_features = 0);

    /// The index of a key; keys are numbered in order of first use, as in build_tile.
    [[nodiscard]] std::uint32_t key(std::string_view key);
    /// The index of a string value. `token` stands for the text: equal texts must come with equal
    /// tokens and different texts with different ones.
    [[nodiscard]] std::uint32_t string_value(std::uint32_t token, std::string_view text);
    /// The index of an integer value >= 0 (written as uint_value).
    [[nodiscard]] std::uint32_t uint_value(std::uint64_t value);
    /// The index of a bool value.
    [[nodiscard]] std::uint32_t bool_value(bool value);

    /// Appends a point feature at integer tile coordinates; `tags` alternates key and value indexes
    /// from the functions above (the caller keeps first-key-wins: every key at most once).
    void add_point(std::uint64_t id, std::int32_t x, std::int32_t y, std::span<const std::uint32_t> tags);

    [[nodiscard]] std::size_t feature_count() const noexcept { return m_feature_count; }

    /// Appends the layer as a `layers` field of a tile message, unless it has no features.
    void append_to(std::string& tile) const;

private:
    // Open addressing from token (or integer value) to value index; a table of powers of two.
    struct Slot {
        std::uint64_t key = 0;
        std::uint32_t index = none;
    };
    [[nodiscard]] static std::uint32_t find_or_add(std::vector<Slot>& table, std::size_t& used, std::uint64_t key,
                                                   std::uint32_t next_index, bool& added);
    void add_value_message(std::string_view encoded);

    std::string m_name;
    std::uint32_t m_extent;
    std::string m_features;
    std::size_t m_feature_count = 0;
    std::vector<std::string> m_keys;
    std::string m_values;  // the encoded `values` fields, in index order
    std::uint32_t m_value_count = 0;
    std::vector<Slot> m_strings;
    std::size_t m_strings_used = 0;
    std::vector<Slot> m_uints;
    std::size_t m_uints_used = 0;
    std::uint32_t m_bools[2] = {none, none};
    std::string m_scratch;
};

}  // namespace lernorte::tiles
