#include <lernorte/storage/detail/place_json.hpp>

#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace lernorte::storage::detail {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put(Writer& w, const char* key, const std::vector<std::string>& values) {
    w.Key(key);
    w.StartArray();
    for (const auto& v : values) w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
}

const rapidjson::Value& member(const rapidjson::Value& o, const char* key) {
    const auto it = o.FindMember(key);
    if (it == o.MemberEnd()) throw std::invalid_argument(std::string("place JSON: missing ") + key);
    return it->value;
}

std::string text(const rapidjson::Value& o, const char* key) {
    const auto& v = member(o, key);
    if (!v.IsString()) throw std::invalid_argument(std::string("place JSON: ") + key + " is not a string");
    return {v.GetString(), v.GetStringLength()};
}

std::vector<std::string> list(const rapidjson::Value& o, const char* key) {
    const auto& v = member(o, key);
    if (!v.IsArray()) throw std::invalid_argument(std::string("place JSON: ") + key + " is not an array");
    std::vector<std::string> out;
    for (const auto& item : v.GetArray()) {
        if (!item.IsString()) throw std::invalid_argument(std::string("place JSON: ") + key + " holds a non-string");
        out.emplace_back(item.GetString(), item.GetStringLength());
    }
    return out;
}

double number(const rapidjson::Value& o, const char* key) {
    const auto& v = member(o, key);
    if (!v.IsNumber()) throw std::invalid_argument(std::string("place JSON: ") + key + " is not a number");
    return v.GetDouble();
}

}  // namespace

std::string write_place_json(const Place& p) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    put(w, "id", p.id);
    put(w, "dataset", p.dataset);
    put(w, "source_id", p.source_id);
    put(w, "name", p.name);
    put(w, "description", p.description);
    put(w, "category", p.category);
    put(w, "tags", p.tags);
    put(w, "street", p.address.street);
    put(w, "postcode", p.address.postcode);
    put(w, "city", p.address.city);
    put(w, "website", p.website);
    put(w, "phone", p.phone);
    put(w, "email", p.email);
    put(w, "opening_hours", p.opening_hours);
    put(w, "target_groups", p.target_groups);
    put(w, "languages", p.languages);
    w.Key("free");
    if (p.free) w.Bool(*p.free); else w.Null();
    put(w, "wheelchair", p.wheelchair);
    w.Key("orte100");
    if (p.orte100) w.Int(*p.orte100); else w.Null();
    w.Key("abc_letter");
    if (p.abc_letter) w.String(p.abc_letter->c_str()); else w.Null();
    w.Key("stadtraum");
    if (p.stadtraum) w.Int(*p.stadtraum); else w.Null();
    put(w, "source", p.source);
    put(w, "license", p.license);
    put(w, "status", p.status);
    w.Key("version");
    w.Int64(p.version);
    put(w, "updated_at", p.updated_at);
    w.Key("lon");
    w.Double(p.position.x);
    w.Key("lat");
    w.Double(p.position.y);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

Place parse_place_json(std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError()) {
        throw std::invalid_argument(std::string("place JSON: ") + rapidjson::GetParseError_En(d.GetParseError()));
    }
    if (!d.IsObject()) throw std::invalid_argument("place JSON: not an object");
    Place p;
    p.id = text(d, "id");
    p.dataset = text(d, "dataset");
    p.source_id = text(d, "source_id");
    p.name = text(d, "name");
    p.description = text(d, "description");
    p.category = text(d, "category");
    p.tags = list(d, "tags");
    p.address.street = text(d, "street");
    p.address.postcode = text(d, "postcode");
    p.address.city = text(d, "city");
    p.website = text(d, "website");
    p.phone = text(d, "phone");
    p.email = text(d, "email");
    p.opening_hours = text(d, "opening_hours");
    p.target_groups = list(d, "target_groups");
    p.languages = list(d, "languages");
    if (const auto& v = member(d, "free"); v.IsBool()) p.free = v.GetBool();
    p.wheelchair = text(d, "wheelchair");
    if (const auto& v = member(d, "orte100"); v.IsInt()) p.orte100 = v.GetInt();
    if (const auto& v = member(d, "abc_letter"); v.IsString()) p.abc_letter = std::string(v.GetString(), v.GetStringLength());
    if (const auto& v = member(d, "stadtraum"); v.IsInt()) p.stadtraum = v.GetInt();
    p.source = text(d, "source");
    p.license = text(d, "license");
    p.status = text(d, "status");
    p.version = static_cast<std::int64_t>(number(d, "version"));
    p.updated_at = text(d, "updated_at");
    p.position = geo::Point{number(d, "lon"), number(d, "lat")};
    return p;
}

}  // namespace lernorte::storage::detail
