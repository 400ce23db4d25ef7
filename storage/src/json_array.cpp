#include <lernorte/storage/detail/json_array.hpp>

#include <cstdint>
#include <stdexcept>

namespace lernorte::storage::detail {
namespace {

[[noreturn]] void fail(std::string_view json, std::size_t pos, const char* what) {
    constexpr std::size_t shown = 60;
    throw std::invalid_argument(std::string("not a JSON array of strings (") + what + " at offset " +
                                std::to_string(pos) + "): " + std::string(json.substr(0, shown)) +
                                (json.size() > shown ? "..." : ""));
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

class Parser {
public:
    explicit Parser(std::string_view json) : m_json(json) {}

    std::vector<std::string> array() {
        std::vector<std::string> out;
        skip_ws();
        expect('[');
        skip_ws();
        if (peek() == ']') {
            ++m_pos;
        } else {
            for (;;) {
                skip_ws();
                out.push_back(string());
                skip_ws();
                if (peek() == ',') {
                    ++m_pos;
                    continue;
                }
                expect(']');
                break;
            }
        }
        skip_ws();
        if (m_pos != m_json.size()) fail(m_json, m_pos, "trailing characters");
        return out;
    }

private:
    [[nodiscard]] char peek() const { return m_pos < m_json.size() ? m_json[m_pos] : '\0'; }

    void expect(char c) {
        if (m_pos >= m_json.size() || m_json[m_pos] != c) {
            fail(m_json, m_pos, c == '"' ? "expected a string" : "unexpected character");
        }
        ++m_pos;
    }

    void skip_ws() {
        while (m_pos < m_json.size() &&
               (m_json[m_pos] == ' ' || m_json[m_pos] == '\t' || m_json[m_pos] == '\n' || m_json[m_pos] == '\r')) {
            ++m_pos;
        }
    }

    char32_t hex4() {
        if (m_json.size() - m_pos < 4) fail(m_json, m_pos, "truncated \\u escape");
        char32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_json[m_pos++];
            v <<= 4;
            if (c >= '0' && c <= '9') {
                v |= static_cast<char32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                v |= static_cast<char32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                v |= static_cast<char32_t>(c - 'A' + 10);
            } else {
                fail(m_json, m_pos - 1, "bad \\u escape");
            }
        }
        return v;
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (m_pos >= m_json.size()) fail(m_json, m_pos, "unterminated string");
            const char c = m_json[m_pos++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail(m_json, m_pos - 1, "raw control character");
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (m_pos >= m_json.size()) fail(m_json, m_pos, "unterminated escape");
            switch (const char e = m_json[m_pos++]; e) {
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case '/': out.push_back('/'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'u': {
                    char32_t cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF && m_json.substr(m_pos, 2) == "\\u") {
                        const std::size_t save = m_pos;
                        m_pos += 2;
                        const char32_t lo = hex4();
                        if (lo >= 0xDC00 && lo <= 0xDFFF) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        } else {
                            m_pos = save;
                        }
                    }
                    // A lone surrogate has no UTF-8 form.
                    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
                    append_utf8(out, cp);
                    break;
                }
                default: fail(m_json, m_pos - 1, "unknown escape");
            }
        }
    }

    std::string_view m_json;
    std::size_t m_pos = 0;
};

}  // namespace

std::string write_json_string_array(const std::vector<std::string>& items) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "[";
    for (const std::string& item : items) {
        if (out.size() > 1) out.push_back(',');
        out.push_back('"');
        for (const char c : item) {
            const auto u = static_cast<unsigned char>(c);
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                default:
                    if (u < 0x20) {
                        out += "\\u00";
                        out.push_back(hex[u >> 4]);
                        out.push_back(hex[u & 0x0F]);
                    } else {
                        out.push_back(c);
                    }
            }
        }
        out.push_back('"');
    }
    out.push_back(']');
    return out;
}

std::vector<std::string> parse_json_string_array(std::string_view json) { return Parser(json).array(); }

}  // namespace lernorte::storage::detail
