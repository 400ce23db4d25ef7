#pragma once
// The catalogue's data model (DESIGN.md "Data model"), shared by the store and the engine.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lernorte/geo/geometry.hpp>

namespace lernorte::storage {

struct Address {
    std::string street;
    std::string postcode;
    std::string city;
    friend bool operator==(const Address&, const Address&) = default;
};

/// A learning place. `stadtraum` is computed from `position`, never taken from input.
struct Place {
    std::string id;               ///< stable, server-assigned UUID
    std::string dataset;          ///< import dataset the place came from ("" if created by hand)
    std::string source_id;        ///< id within that dataset, for idempotent re-import
    std::string name;
    std::string description;
    std::string category;         ///< a key of the taxonomy
    std::vector<std::string> tags;
    Address address;
    std::string website;
    std::string phone;
    std::string email;
    std::string opening_hours;
    std::vector<std::string> target_groups;
    std::vector<std::string> languages;
    std::optional<bool> free;
    std::string wheelchair = "unknown";  ///< yes, limited, no, unknown
    std::optional<int> orte100;
    std::optional<std::string> abc_letter;
    std::optional<int> stadtraum;
    std::string source;
    std::string license;
    std::string status = "published";  ///< published, suggested, archived
    std::int64_t version = 1;
    std::string updated_at;            ///< RFC 3339, UTC
    geo::Point position;               ///< lon/lat
    friend bool operator==(const Place&, const Place&) = default;
};

struct Stadtraum {
    int nr = 0;
    std::string name;
    std::string short_name;
    geo::MultiPolygon geometry;  ///< lon/lat
    double area_km2 = 0.0;
    std::int64_t population = 0;
    double foreign_pct = 0.0;
    std::int64_t single_parent_households = 0;
    std::vector<std::string> member_districts;  ///< Stadtteil numbers, e.g. "06", "07"
    std::string source;
    std::string license;
};

/// One entry of the category taxonomy.
struct Category {
    std::string_view key;
    std::string_view label_de;
    std::string_view label_en;
};

/// The 16 categories of DESIGN.md, in taxonomy order.
[[nodiscard]] const std::vector<Category>& categories();
[[nodiscard]] bool is_category(std::string_view key);

inline constexpr std::string_view target_group_values[] = {
    "children", "youth", "families", "adults", "seniors", "newcomers", "everyone"};
inline constexpr std::string_view wheelchair_values[] = {"yes", "limited", "no", "unknown"};
inline constexpr std::string_view status_values[] = {"published", "suggested", "archived"};

[[nodiscard]] bool is_target_group(std::string_view v);
[[nodiscard]] bool is_wheelchair(std::string_view v);
[[nodiscard]] bool is_status(std::string_view v);
/// ISO 639-1: two lowercase ASCII letters from the ISO list.
[[nodiscard]] bool is_language(std::string_view v);

/// A fresh random UUID (version 4), lowercase.
[[nodiscard]] std::string new_uuid();
/// The current time as RFC 3339 UTC with seconds, e.g. "2026-11-24T10:00:00Z".
[[nodiscard]] std::string now_rfc3339();

}  // namespace lernorte::storage
