// Validation of what editors and citizens write: field rules, URLs, e-mail addresses and the
// OpenStreetMap opening_hours syntax.

#include <lernorte/engine/editor.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include <lernorte/storage/text.hpp>

namespace lernorte::engine {
namespace {

bool has_control(std::string_view s, bool allow_newlines) {
    return std::any_of(s.begin(), s.end(), [&](char c) {
        const auto u = static_cast<unsigned char>(c);
        if (allow_newlines && (c == '\n' || c == '\t' || c == '\r')) return false;
        return u < 0x20 || u == 0x7f;
    });
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}

bool host_label_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '-' || u >= 0x80;
}

bool valid_host(std::string_view host) {
    if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.') return false;
    if (host.find("..") != std::string_view::npos) return false;
    if (!std::all_of(host.begin(), host.end(), [](char c) { return host_label_char(c) || c == '.'; })) return false;
    return host == "localhost" || host.find('.') != std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// opening_hours

struct Token {
    enum Kind { weekday, holiday, month, number, time, vartime, state, comment, twentyfourseven, week, punct, end } kind;
    std::string text;
};

std::string_view word_kind(std::string_view w, Token::Kind& kind) {
    static const std::set<std::string_view> weekdays{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
    static const std::set<std::string_view> holidays{"PH", "SH"};
    static const std::set<std::string_view> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const std::set<std::string_view> vartimes{"sunrise", "sunset", "dawn", "dusk"};
    static const std::set<std::string_view> states{"off", "closed", "open", "unknown"};
    if (weekdays.count(w)) kind = Token::weekday;
    else if (holidays.count(w)) kind = Token::holiday;
    else if (months.count(w)) kind = Token::month;
    else if (vartimes.count(w)) kind = Token::vartime;
    else if (states.count(w)) kind = Token::state;
    else if (w == "week") kind = Token::week;
    else return {};
    return w;
}

/// Splits the text into tokens; returns an error message or "".
std::string tokenize(std::string_view s, std::vector<Token>& out) {
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == ' ') {
            ++i;
            continue;
        }
        if (c == '"') {
            const auto close = s.find('"', i + 1);
            if (close == std::string_view::npos) return "a comment in quotes is not closed";
            out.push_back({Token::comment, std::string(s.substr(i, close - i + 1))});
            i = close + 1;
            continue;
        }
        if (s.substr(i, 4) == "24/7") {
            out.push_back({Token::twentyfourseven, "24/7"});
            i += 4;
            continue;
        }
        if (s.substr(i, 2) == "||") {
            out.push_back({Token::punct, "||"});
            i += 2;
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
            if (j < s.size() && s[j] == ':') {
                const std::size_t hours = j - i;
                std::size_t k = j + 1;
                while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) ++k;
                const std::size_t minutes = k - j - 1;
                if (hours < 1 || hours > 2 || minutes != 2) return "a time is written HH:MM";
                const int h = std::stoi(std::string(s.substr(i, hours)));
                const int m = std::stoi(std::string(s.substr(j + 1, 2)));
                if (h > 48 || m > 59) return std::string(s.substr(i, k - i)).append(" is not a time");
                out.push_back({Token::time, std::string(s.substr(i, k - i))});
                i = k;
                continue;
            }
            out.push_back({Token::number, std::string(s.substr(i, j - i))});
            i = j;
            continue;
        }
        if (std::isalpha(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
            const std::string_view w = s.substr(i, j - i);
            Token::Kind kind{};
            if (word_kind(w, kind).empty()) return "unknown word '" + std::string(w) + "'";
            out.push_back({kind, std::string(w)});
            i = j;
            continue;
        }
        if (std::string_view("-,;:[]+()/").find(c) != std::string_view::npos) {
            out.push_back({Token::punct, std::string(1, c)});
            ++i;
            continue;
        }
        std::string message = "unexpected character '";
        message.push_back(c);
        message.push_back('\'');
        return message;
    }
    out.push_back({Token::end, ""});
    return {};
}

class HoursParser {
public:
    explicit HoursParser(const std::vector<Token>& t) : m_t(t) {}

    std::string parse() {
        while (true) {
            if (!rule()) return m_error;
            if (is_punct(";") || is_punct("||")) {
                ++m_i;
                if (at(Token::end)) return {};  // a trailing separator is tolerated
                continue;
            }
            if (is_punct(",")) {  // an additional rule
                ++m_i;
                continue;
            }
            if (at(Token::end)) return {};
            return fail_text("unexpected '" + m_t[m_i].text + "'");
        }
    }

private:
    bool at(Token::Kind k) const { return m_t[m_i].kind == k; }
    bool is_punct(std::string_view p) const { return m_t[m_i].kind == Token::punct && m_t[m_i].text == p; }
    bool fail(std::string message) {
        if (m_error.empty()) m_error = std::move(message);
        return false;
    }
    std::string fail_text(std::string message) {
        fail(std::move(message));
        return m_error;
    }

    bool rule() {
        const std::size_t start = m_i;
        if (at(Token::twentyfourseven)) ++m_i;
        if (!m_error.empty()) return false;
        if (at(Token::number) && m_t[m_i].text.size() == 4) {  // year range
            ++m_i;
            if (is_punct("-")) {
                ++m_i;
                if (!at(Token::number)) return fail("a year range needs an end year");
                ++m_i;
            }
        }
        if (at(Token::number) && m_i == start) return fail("a time is written HH:MM, e.g. 09:00-17:00");
        if (at(Token::month) && !months()) return false;
        if (at(Token::week) && !weeks()) return false;
        if ((at(Token::weekday) || at(Token::holiday)) && !weekdays()) return false;
        if ((at(Token::time) || at(Token::vartime) || is_punct("(")) && !times()) return false;
        if (at(Token::state)) ++m_i;
        if (at(Token::comment)) ++m_i;
        if (m_i == start) {
            return fail(at(Token::end) ? "a rule is empty" : "unexpected '" + m_t[m_i].text + "'");
        }
        return true;
    }

    bool day_number() {
        if (!at(Token::number)) return false;
        const int d = std::stoi(m_t[m_i].text);
        if (d < 1 || d > 31) return fail("'" + m_t[m_i].text + "' is not a day of the month");
        ++m_i;
        return true;
    }

    bool months() {
        while (true) {
            if (!at(Token::month)) return fail("a month (Jan..Dec) was expected");
            ++m_i;
            if (at(Token::number)) day_number();
            if (!m_error.empty()) return false;
            if (is_punct("-")) {
                ++m_i;
                if (at(Token::month)) ++m_i;
                if (at(Token::number)) day_number();
                if (!m_error.empty()) return false;
            }
            if (is_punct(",") && m_t[m_i + 1].kind == Token::month) {
                ++m_i;
                continue;
            }
            if (is_punct(":")) ++m_i;  // "Jan-Mar: Mo 10:00-12:00"
            return true;
        }
    }

    bool weeks() {
        ++m_i;  // "week"
        while (true) {
            if (!at(Token::number)) return fail("a week number was expected after 'week'");
            ++m_i;
            if (is_punct("-")) {
                ++m_i;
                if (!at(Token::number)) return fail("a week range needs an end");
                ++m_i;
                if (is_punct("/")) {
                    ++m_i;
                    if (!at(Token::number)) return fail("a week step needs a number");
                    ++m_i;
                }
            }
            if (is_punct(",") && m_t[m_i + 1].kind == Token::number) {
                ++m_i;
                continue;
            }
            return true;
        }
    }

    bool weekdays() {
        while (true) {
            if (at(Token::holiday)) {
                ++m_i;
            } else if (at(Token::weekday)) {
                ++m_i;
                if (is_punct("-")) {
                    ++m_i;
                    if (!at(Token::weekday)) return fail("a weekday range needs an end day (Mo..Su)");
                    ++m_i;
                }
                if (is_punct("[")) {
                    ++m_i;
                    while (true) {
                        if (is_punct("-")) ++m_i;  // [-1]: the last one
                        if (!at(Token::number)) return fail("a number was expected in [..]");
                        ++m_i;
                        if (is_punct("-")) {
                            ++m_i;
                            if (!at(Token::number)) return fail("a range in [..] needs an end");
                            ++m_i;
                        }
                        if (is_punct(",")) {
                            ++m_i;
                            continue;
                        }
                        break;
                    }
                    if (!is_punct("]")) return fail("']' was expected");
                    ++m_i;
                }
            } else {
                return fail("a weekday (Mo..Su) or PH/SH was expected");
            }
            const Token::Kind next = m_i + 1 < m_t.size() ? m_t[m_i + 1].kind : Token::end;  // nothing follows the end token
            if (is_punct(",") && (next == Token::weekday || next == Token::holiday)) {
                ++m_i;
                continue;
            }
            if (is_punct(":")) ++m_i;  // "Mo-Fr: 09:00-12:00" is common and harmless
            return true;
        }
    }

    bool time_point() {
        if (at(Token::time) || at(Token::vartime)) {
            ++m_i;
            return true;
        }
        if (is_punct("(")) {  // (sunset-01:00)
            ++m_i;
            if (!at(Token::vartime)) return fail("sunrise, sunset, dawn or dusk was expected after '('");
            ++m_i;
            if (!is_punct("+") && !is_punct("-")) return fail("'+' or '-' was expected");
            ++m_i;
            if (!at(Token::time)) return fail("an offset HH:MM was expected");
            ++m_i;
            if (!is_punct(")")) return fail("')' was expected");
            ++m_i;
            return true;
        }
        return fail(at(Token::number) ? "a time is written HH:MM, e.g. 09:00" : "a time (HH:MM) was expected");
    }

    bool times() {
        while (true) {
            if (!time_point()) return false;
            if (is_punct("-")) {
                ++m_i;
                if (!time_point()) return false;
                if (is_punct("+")) ++m_i;
                if (is_punct("/")) {  // interval: 10:00-16:00/01:30
                    ++m_i;
                    if (!at(Token::time) && !at(Token::number)) return fail("an interval was expected after '/'");
                    ++m_i;
                }
            } else if (is_punct("+")) {
                ++m_i;  // open end
            }
            const Token::Kind next = m_i + 1 < m_t.size() ? m_t[m_i + 1].kind : Token::end;  // nothing follows the end token
            if (is_punct(",") && (next == Token::time || next == Token::vartime ||
                                  (next == Token::punct && m_t[m_i + 1].text == "("))) {
                ++m_i;
                continue;
            }
            return true;
        }
    }

    const std::vector<Token>& m_t;
    std::size_t m_i = 0;
    std::string m_error;
};

}  // namespace

ValidationError::ValidationError(std::vector<FieldError> e)
    : std::runtime_error(e.empty() ? std::string("invalid input")
                                   : e.front().field + ": " + e.front().message +
                                         (e.size() > 1 ? " (and " + std::to_string(e.size() - 1) + " more)" : "")),
      errors(std::move(e)) {}

std::string opening_hours_problem(std::string_view text) {
    if (text.empty()) return {};
    if (text.size() > Limits::opening_hours) return "at most " + std::to_string(Limits::opening_hours) + " characters";
    std::vector<Token> tokens;
    std::string error = tokenize(text, tokens);
    if (error.empty()) error = HoursParser(tokens).parse();
    if (error.empty()) return {};
    return error + "; use the OpenStreetMap opening_hours syntax, e.g. \"Mo-Fr 09:00-18:00; Sa 10:00-14:00; PH off\"";
}

bool valid_url(std::string_view url) {
    std::size_t rest = 0;
    if (iequals_prefix(url, "https://")) rest = 8;
    else if (iequals_prefix(url, "http://")) rest = 7;
    else return false;
    if (url.size() > Limits::url) return false;
    if (std::any_of(url.begin(), url.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u <= 0x20 || u == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`';
        })) {
        return false;
    }
    std::string_view host = url.substr(rest);
    host = host.substr(0, host.find_first_of("/?#"));
    if (const auto at = host.find('@'); at != std::string_view::npos) return false;  // no credentials
    if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        const auto port = host.substr(colon + 1);
        if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            return false;
        }
        host = host.substr(0, colon);
    }
    return valid_host(host);
}

bool valid_email(std::string_view email) {
    if (email.size() > Limits::email) return false;
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
    const auto local = email.substr(0, at);
    if (local.size() > 64) return false;
    const bool local_ok = std::all_of(local.begin(), local.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u != 0x7f && std::string_view("()<>[]\\,;:\"").find(c) == std::string_view::npos;
    });
    return local_ok && local.front() != '.' && local.back() != '.' && valid_host(email.substr(at + 1)) &&
           email.substr(at + 1) != "localhost";
}

std::vector<FieldError> validate_place(const storage::Place& p, const Catalogue& catalogue) {
    std::vector<FieldError> errors;
    const auto add = [&](std::string field, std::string message) { errors.push_back({std::move(field), std::move(message)}); };
    const auto text = [&](const char* field, const std::string& value, std::size_t max, bool multiline) {
        if (!storage::valid_utf8(value)) add(field, "is not valid UTF-8");
        else if (utf8_length(value) > max) add(field, "at most " + std::to_string(max) + " characters");
        else if (has_control(value, multiline)) add(field, "contains control characters");
    };

    const auto first = p.name.find_first_not_of(" \t\n\r");
    if (first == std::string::npos) add("name", "is required");
    else text("name", p.name, Limits::name, false);
    text("description", p.description, Limits::description, true);
    if (p.category.empty()) add("category", "is required");
    else if (!storage::is_category(p.category)) add("category", "'" + p.category + "' is not a category; see /api/categories");
    if (p.tags.size() > Limits::tags) add("tags", "at most " + std::to_string(Limits::tags) + " tags");
    for (const auto& tag : p.tags) {
        if (tag.empty() || utf8_length(tag) > Limits::tag || !storage::valid_utf8(tag) || has_control(tag, false)) {
            add("tags", "a tag has 1 to " + std::to_string(Limits::tag) + " characters");
            break;
        }
    }
    text("address.street", p.address.street, Limits::short_text, false);
    text("address.city", p.address.city, Limits::short_text, false);
    if (!p.address.postcode.empty() &&
        (p.address.postcode.size() != 5 ||
         !std::all_of(p.address.postcode.begin(), p.address.postcode.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
        add("address.postcode", "a German postcode has five digits");
    }
    if (!p.website.empty() && !valid_url(p.website)) {
        add("website", "must be an http:// or https:// address with a host name, at most " + std::to_string(Limits::url) +
                           " characters");
    }
    if (!p.email.empty() && !valid_email(p.email)) add("email", "is not an e-mail address (name@example.org)");
    if (!p.phone.empty()) {
        const bool ok = p.phone.size() <= 50 && std::all_of(p.phone.begin(), p.phone.end(), [](char c) {
                            return std::isdigit(static_cast<unsigned char>(c)) || std::string_view(" +-/().").find(c) != std::string_view::npos;
                        });
        if (!ok) add("phone", "digits, spaces and + - / ( ) . only, at most 50 characters");
    }
    if (auto problem = opening_hours_problem(p.opening_hours); !problem.empty()) add("opening_hours", problem);
    for (const auto& g : p.target_groups) {
        if (!storage::is_target_group(g)) {
            add("target_groups", "'" + g + "' is not a target group (children, youth, families, adults, seniors, newcomers, everyone)");
        }
    }
    for (const auto& l : p.languages) {
        if (!storage::is_language(l)) add("languages", "'" + l + "' is not an ISO 639-1 language code (e.g. de, en, ar, uk)");
    }
    if (!storage::is_wheelchair(p.wheelchair)) add("wheelchair", "must be yes, limited, no or unknown");
    if (p.orte100 && (*p.orte100 < 1 || *p.orte100 > 100)) add("orte100", "is a number from 1 to 100");
    if (p.abc_letter && (p.abc_letter->size() != 1 || (*p.abc_letter)[0] < 'A' || (*p.abc_letter)[0] > 'Z')) {
        add("abc_letter", "is one capital letter A to Z");
    }
    text("source", p.source, Limits::short_text, false);
    text("license", p.license, Limits::short_text, false);
    if (p.status != "published" && p.status != "suggested") {
        add("status", p.status == "archived" ? "archive a place with DELETE" : "must be published or suggested");
    }
    const auto& pos = p.position;
    if (!std::isfinite(pos.x) || !std::isfinite(pos.y) || pos.x < -180 || pos.x > 180 || pos.y < -90 || pos.y > 90) {
        add("geometry", "coordinates must be longitude, latitude in degrees (EPSG:4326)");
    } else if (!catalogue.in_city(pos)) {
        add("geometry", "the point lies outside Dresden");
    }
    return errors;
}

}  // namespace lernorte::engine
