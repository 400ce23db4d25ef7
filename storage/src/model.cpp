#include <lernorte/storage/model.hpp>
#include <lernorte/storage/records.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include <sodium.h>

namespace lernorte::storage {

const std::vector<Category>& categories() {
    static const std::vector<Category> all{
        {"bibliothek", "Bibliothek", "Library"},
        {"volkshochschule", "Volkshochschule & Weiterbildung", "Adult education centre & further education"},
        {"hochschule", "Hochschule & Forschung", "University & research"},
        {"schule", "Schule", "School"},
        {"museum", "Museum & Ausstellung", "Museum & exhibition"},
        {"kultur", "Kultur, Kunst & Musik", "Culture, art & music"},
        {"jugend", "Kinder- & Jugendtreff", "Children's & youth club"},
        {"familie", "Familienzentrum & Familientreff", "Family centre & family meeting point"},
        {"senioren", "Begegnungsstätte", "Community meeting place for older people"},
        {"nachbarschaft", "Stadtteil- & Nachbarschaftszentrum", "District & neighbourhood centre"},
        {"garten", "Gemeinschaftsgarten & Umweltbildung", "Community garden & environmental education"},
        {"werkstatt", "Offene Werkstatt, Makerspace & Repair-Café", "Open workshop, makerspace & repair café"},
        {"sport", "Sport & Bewegung", "Sport & exercise"},
        {"sprache", "Sprachkurs & Sprachcafé", "Language course & language café"},
        {"digital", "Digitales Lernen & Medienbildung", "Digital learning & media literacy"},
        {"beratung", "Bildungsberatung", "Education guidance"},
    };
    return all;
}

bool is_category(std::string_view key) {
    const auto& all = categories();
    return std::any_of(all.begin(), all.end(), [key](const Category& c) { return c.key == key; });
}

namespace {

template <std::size_t N>
bool contains(const std::string_view (&values)[N], std::string_view v) {
    return std::find(std::begin(values), std::end(values), v) != std::end(values);
}

// ISO 639-1, including the deprecated-but-still-seen "bh" (Bihari); sorted for binary search.
constexpr std::array<std::string_view, 184> iso_639_1{
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az",
    "ba", "be", "bg", "bh", "bi", "bm", "bn", "bo", "br", "bs",
    "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy",
    "da", "de", "dv", "dz",
    "ee", "el", "en", "eo", "es", "et", "eu",
    "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv",
    "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu",
    "ja", "jv",
    "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky",
    "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv",
    "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my",
    "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny",
    "oc", "oj", "om", "or", "os",
    "pa", "pi", "pl", "ps", "pt",
    "qu",
    "rm", "rn", "ro", "ru", "rw",
    "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
    "sv", "sw",
    "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty",
    "ug", "uk", "ur", "uz",
    "ve", "vi", "vo",
    "wa", "wo",
    "xh",
    "yi", "yo",
    "za", "zh", "zu",
};
static_assert(std::is_sorted(iso_639_1.begin(), iso_639_1.end()));

}  // namespace

bool is_target_group(std::string_view v) { return contains(target_group_values, v); }
bool is_wheelchair(std::string_view v) { return contains(wheelchair_values, v); }
bool is_status(std::string_view v) { return contains(status_values, v); }
bool is_role(std::string_view v) { return contains(role_values, v); }

bool is_language(std::string_view v) {
    return v.size() == 2 && std::binary_search(iso_639_1.begin(), iso_639_1.end(), v);
}

std::string new_uuid() {
    // sodium_init() is thread-safe but not free; once per process is enough.
    static const bool sodium_ready = [] {
        if (sodium_init() < 0) {
            throw std::runtime_error("new_uuid: libsodium could not be initialised");
        }
        return true;
    }();
    (void)sodium_ready;

    // Random bytes for 64 ids at a time: one call to the system's generator per id cost as
    // much as the rest of an imported place's id. (Per thread; the server does not fork.)
    thread_local std::array<unsigned char, 16 * 64> pool{};
    thread_local std::size_t used = pool.size();
    if (used == pool.size()) {
        randombytes_buf(pool.data(), pool.size());
        used = 0;
    }
    std::array<unsigned char, 16> b{};
    std::copy_n(pool.begin() + static_cast<std::ptrdiff_t>(used), b.size(), b.begin());
    used += b.size();
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant

    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[b[i] >> 4]);
        out.push_back(hex[b[i] & 0x0f]);
    }
    return out;
}

std::string now_rfc3339() {
    const std::time_t t = std::time(nullptr);
    // An import stamps a hundred thousand rows within a few seconds: format each second once.
    thread_local std::time_t cached_at = -1;
    thread_local std::string cached;
    if (t == cached_at) return cached;
    std::tm utc{};
    if (gmtime_r(&t, &utc) == nullptr) {
        throw std::runtime_error("now_rfc3339: gmtime_r failed");
    }
    std::array<char, 32> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    cached.assign(buf.data(), n);
    cached_at = t;
    return cached;
}

}  // namespace lernorte::storage
