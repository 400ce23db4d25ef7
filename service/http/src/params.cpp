#include "params.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include <lernorte/storage/model.hpp>
#include <lernorte/storage/text.hpp>

#include "problem.hpp"

namespace lernorte::http::detail {
namespace {

std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto end = s.find(',', start);
        out.emplace_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

template <typename Range>
std::string join_views(const Range& r) {
    std::string out;
    for (const auto& s : r) {
        if (!out.empty()) out += ", ";
        out += s;
    }
    return out;
}

/// A comma list where every element passes `valid`; empty elements are an error.
template <typename Valid>
std::vector<std::string> parse_list(const QueryParams& params, const std::string& field, Valid valid,
                                    const std::string& expected) {
    std::vector<std::string> out;
    const std::string* text = params.get(field);
    if (text == nullptr) return out;
    for (std::string& item : split_commas(*text)) {
        if (item.empty()) throw invalid(field, "empty list element; expected " + expected);
        if (!valid(item)) throw invalid(field, "'" + item + "' is not one of " + expected);
        if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(std::move(item));
    }
    return out;
}

std::optional<long long> parse_integer(std::string_view s) {
    long long v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<bool> parse_boolean(std::string_view s) {
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
    return std::nullopt;
}

bool valid_date(std::string_view d) {
    // YYYY-MM-DD
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
        if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
    }
    const int month = (d[5] - '0') * 10 + (d[6] - '0');
    const int day = (d[8] - '0') * 10 + (d[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/// One end of a datetime interval, normalised to a string that compares with updated_at
/// ("YYYY-MM-DDTHH:MM:SSZ"). Date-only values (also GDAL's "YYYY-MM-DDT") cover the whole day.
std::optional<std::string> datetime_bound(std::string_view s, bool upper) {
    if (s.size() >= 10 && valid_date(s.substr(0, 10))) {
        const std::string_view rest = s.substr(10);
        if (rest.empty() || rest == "T") {
            return std::string(s.substr(0, 10)) + (upper ? "T23:59:59Z" : "T00:00:00Z");
        }
        // Full instant in UTC: THH:MM:SS[.fff]Z
        if (rest.size() >= 10 && rest[0] == 'T' && rest.back() == 'Z' && rest[3] == ':' && rest[6] == ':') {
            return std::string(s.substr(0, 19)) + "Z";
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    const auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;  // needs two hex digits after '%'
            const int hi = hex(s[i + 1]);
            const int lo = hex(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

QueryParams::QueryParams(const std::vector<std::pair<std::string, std::string>>& raw) {
    for (const auto& [raw_key, raw_value] : raw) {
        auto key = percent_decode(raw_key, true);
        auto value = percent_decode(raw_value, true);
        if (!key || !value) {
            throw ApiError(ErrorKind::invalid_parameter, "malformed percent-encoding in the query string");
        }
        if (!storage::valid_utf8(*key) || !storage::valid_utf8(*value)) {
            throw ApiError(ErrorKind::invalid_parameter,
                           "query parameter '" + (storage::valid_utf8(*key) ? *key : std::string("?")) +
                               "' is not valid UTF-8",
                           {{storage::valid_utf8(*key) ? *key : std::string("?"), "not valid UTF-8"}});
        }
        const auto [it, fresh] = m_values.emplace(*key, *value);
        if (!fresh && it->second != *value) {
            throw invalid(*key, "given more than once with different values; use a comma-separated list");
        }
    }
}

void QueryParams::allow_only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [name, value] : m_values) {
        if (name == "f") continue;
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            std::string list = "f";
            for (auto a : allowed) {
                list += ", ";
                list += a;
            }
            throw ApiError(ErrorKind::unknown_parameter,
                           "unknown query parameter '" + name + "'; this route accepts: " + list,
                           {{name, "unknown parameter"}});
        }
    }
}

const std::string* QueryParams::get(std::string_view name) const {
    const auto it = m_values.find(name);
    return it == m_values.end() ? nullptr : &it->second;
}

std::string QueryParams::encode(std::initializer_list<std::string_view> except) const {
    std::string out;
    for (const auto& [name, value] : m_values) {
        if (std::find(except.begin(), except.end(), name) != except.end()) continue;
        if (!out.empty()) out += '&';
        out += percent_encode(name);
        out += '=';
        out += percent_encode(value);
    }
    return out;
}

double parse_double(const std::string& field, const std::string& text) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
        throw invalid(field, "'" + text + "' is not a finite number");
    }
    return v;
}

std::pair<std::size_t, std::size_t> parse_paging(const QueryParams& params) {
    std::size_t limit = 100;
    std::size_t offset = 0;
    if (const std::string* s = params.get("limit")) {
        const auto v = parse_integer(*s);
        if (!v || *v < 1) throw invalid("limit", "must be a whole number from 1 (larger than 10000 means 10000)");
        limit = static_cast<std::size_t>(std::min<long long>(*v, 10000));
    }
    if (const std::string* s = params.get("offset")) {
        const auto v = parse_integer(*s);
        if (!v || *v < 0) throw invalid("offset", "must be a whole number >= 0");
        offset = static_cast<std::size_t>(*v);
    }
    return {limit, offset};
}

std::optional<geo::BBox> parse_bbox(const QueryParams& params) {
    const std::string* s = params.get("bbox");
    if (s == nullptr) return std::nullopt;
    const auto parts = split_commas(*s);
    if (parts.size() != 4) {
        throw invalid("bbox", "needs 4 numbers minLon,minLat,maxLon,maxLat, got " + std::to_string(parts.size()));
    }
    double v[4];
    for (int i = 0; i < 4; ++i) v[i] = parse_double("bbox", parts[static_cast<std::size_t>(i)]);
    if (v[1] < -90 || v[1] > 90 || v[3] < -90 || v[3] > 90) throw invalid("bbox", "latitudes must be within -90..90");
    if (v[0] < -180 || v[0] > 180 || v[2] < -180 || v[2] > 180) {
        throw invalid("bbox", "longitudes must be within -180..180");
    }
    if (v[0] > v[2] || v[1] > v[3]) throw invalid("bbox", "minimum is greater than maximum");
    return geo::BBox{v[0], v[1], v[2], v[3]};
}

engine::PlaceQuery parse_place_query(const QueryParams& params, const engine::Catalogue& catalogue) {
    engine::PlaceQuery q;
    std::tie(q.limit, q.offset) = parse_paging(params);
    q.bbox = parse_bbox(params);

    std::vector<std::string> category_keys;
    for (const auto& c : storage::categories()) category_keys.emplace_back(c.key);
    q.categories = parse_list(params, "category", storage::is_category, join(category_keys));
    q.target_groups = parse_list(params, "target_group", storage::is_target_group,
                                 join_views(storage::target_group_values));
    q.languages = parse_list(params, "language", storage::is_language, "the ISO 639-1 codes");
    q.wheelchair = parse_list(params, "wheelchair", storage::is_wheelchair, join_views(storage::wheelchair_values));
    for (const std::string& nr : parse_list(params, "stadtraum", [&](const std::string& s) {
             const auto v = parse_integer(s);
             return v && *v >= 1 && *v <= 1000 && catalogue.stadtraum(static_cast<int>(*v)) != nullptr;
         }, "the Stadtraum numbers 1.." + std::to_string(catalogue.stadtraeume().size()))) {
        q.stadtraeume.push_back(static_cast<int>(*parse_integer(nr)));
    }
    if (const std::string* s = params.get("free")) {
        q.free = parse_boolean(*s);
        if (!q.free) throw invalid("free", "must be true or false");
    }
    if (const std::string* s = params.get("orte100")) {
        if (auto b = parse_boolean(*s); b && (*s == "true" || *s == "false")) {
            q.in_orte100 = b;
        } else if (auto n = parse_integer(*s); n && *n >= 1 && *n <= 100) {
            q.orte100 = static_cast<int>(*n);
        } else {
            throw invalid("orte100", "must be true, false or a number from 1 to 100");
        }
    }
    if (const std::string* s = params.get("abc")) {
        if (*s == "true" || *s == "false") {
            q.in_abc = *s == "true";
        } else if (s->size() == 1 && std::isalpha(static_cast<unsigned char>((*s)[0]))) {
            q.abc = std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>((*s)[0]))));
        } else {
            throw invalid("abc", "must be a letter A-Z, true or false");
        }
    }
    if (const std::string* s = params.get("q")) {
        if (s->size() > 500) throw invalid("q", "at most 500 bytes");
        q.text = *s;
        if (storage::search_terms(q.text).empty()) throw invalid("q", "contains no word to search for");
    }
    if (const std::string* s = params.get("datetime")) {
        const auto slash = s->find('/');
        const std::string from = slash == std::string::npos ? *s : s->substr(0, slash);
        const std::string to = slash == std::string::npos ? *s : s->substr(slash + 1);
        const auto bound = [&](const std::string& text, bool upper) -> std::optional<std::string> {
            if (text == ".." || (text.empty() && slash != std::string::npos)) return std::nullopt;
            auto b = datetime_bound(text, upper);
            if (!b) throw invalid("datetime", "expected an RFC 3339 UTC instant or interval a/b ('..' open), got '" + *s + "'");
            return b;
        };
        q.updated_from = bound(from, false);
        q.updated_to = bound(to, true);
    }
    const std::string* near = params.get("near");
    const std::string* radius = params.get("radius");
    if (near != nullptr) {
        const auto parts = split_commas(*near);
        if (parts.size() != 2) throw invalid("near", "expected lon,lat");
        const double lon = parse_double("near", parts[0]);
        const double lat = parse_double("near", parts[1]);
        if (lon < -180 || lon > 180 || lat < -90 || lat > 90) throw invalid("near", "lon,lat out of range");
        if (radius == nullptr) throw invalid("radius", "required with near (metres)");
        const double r = parse_double("radius", *radius);
        if (r <= 0 || r > 100000) throw invalid("radius", "must be more than 0 and at most 100000 metres");
        q.near = engine::PlaceQuery::Near{{lon, lat}, r};
    } else if (radius != nullptr) {
        throw invalid("radius", "only with near=lon,lat");
    }
    return q;
}

}  // namespace lernorte::http::detail
