#pragma once
// The read model's compact storage of places. A storage::Place is about 2 KB in memory
// (two dozen std::string and vectors); here a place is one 64-byte row, its own texts packed
// in one byte arena, and the texts many places share (dataset, category, city, source,
// licence, tags, target groups, languages) stored once in a pool and referred to by number.
// With 1M places that is the difference between about 1.9 GB and a few hundred MB.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <lernorte/engine/binary_io.hpp>
#include <lernorte/storage/model.hpp>

namespace lernorte::engine {

/// Distinct strings, each stored once and named by its number.
class StringPool {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

    std::uint32_t intern(std::string_view s);
    /// The number of `s`, or none when the pool does not hold it.
    [[nodiscard]] std::uint32_t find(std::string_view s) const;
    [[nodiscard]] std::string_view at(std::uint32_t id) const { return m_strings[id]; }
    [[nodiscard]] std::size_t size() const noexcept { return m_strings.size(); }

    void write(BinaryWriter& out) const { out.strings(m_strings); }
    void read(BinaryReader& in);

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::vector<std::string> m_strings;
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> m_ids;
};

/// The texts of a place kept in the arena, in this order.
enum class PlaceText : std::uint8_t {
    id,
    name,
    source_id,
    description,
    street,
    postcode,
    website,
    phone,
    email,
    opening_hours,
    updated_at,
};
inline constexpr int place_text_count = 11;

/// One place. Pool numbers are StringPool::none where the place has no value.
struct PlaceRow {
    std::uint64_t text = 0;   ///< arena offset of the place's texts (PlaceText order)
    std::int64_t version = 0;
    std::uint32_t lists = 0;  ///< offset into the list store: tags, target groups, languages
    std::uint32_t dataset = StringPool::none;
    std::uint32_t category = StringPool::none;
    std::uint32_t city = StringPool::none;
    std::uint32_t wheelchair = StringPool::none;
    std::uint32_t source = StringPool::none;
    std::uint32_t license = StringPool::none;
    std::uint32_t abc = StringPool::none;
    std::int32_t orte100 = absent;
    std::int32_t stadtraum = absent;
    std::int8_t free = -1;  ///< -1 unknown, 0 no, 1 yes

    static constexpr std::int32_t absent = std::numeric_limits<std::int32_t>::min();
};

enum class PlaceList : std::uint8_t { tags, target_groups, languages };

class PlaceTable {
public:
    /// Appends a place (any status is kept as given; the caller filters).
    void append(const storage::Place& p);
    [[nodiscard]] std::size_t size() const noexcept { return m_rows.size(); }
    [[nodiscard]] const PlaceRow& row(std::uint32_t i) const { return m_rows[i]; }
    [[nodiscard]] std::string_view text(std::uint32_t i, PlaceText field) const;
    /// Pool numbers of one of the place's lists.
    [[nodiscard]] std::span<const std::uint32_t> list(std::uint32_t i, PlaceList which) const;
    [[nodiscard]] const StringPool& pool() const noexcept { return m_pool; }
    /// The pool string, "" for none.
    [[nodiscard]] std::string_view pooled(std::uint32_t id) const {
        return id == StringPool::none ? std::string_view() : m_pool.at(id);
    }
    /// The whole place as a storage::Place, status "published", at `position`.
    [[nodiscard]] storage::Place materialize(std::uint32_t i, geo::Point position) const;

    /// Reorders the rows: row i becomes the old row order[i]. The texts stay where they are.
    void permute(const std::vector<std::uint32_t>& order);
    void reserve(std::size_t places, std::size_t text_bytes);
    void shrink_to_fit();

    void write(BinaryWriter& out) const;
    /// Reads what write() wrote and checks every offset and number, so that a damaged file
    /// throws SnapshotError instead of being read out of bounds later.
    void read(BinaryReader& in);

private:
    std::uint32_t intern_or_none(const std::string& s) { return s.empty() ? StringPool::none : m_pool.intern(s); }
    void append_list(const std::vector<std::string>& values);
    void check_row(const PlaceRow& r) const;

    std::vector<PlaceRow> m_rows;
    std::vector<char> m_arena;
    std::vector<std::uint32_t> m_lists;  // per place: count, ids, count, ids, count, ids
    StringPool m_pool;
};

}  // namespace lernorte::engine
