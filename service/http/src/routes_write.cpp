// The routes that change things or need an account: login, writes to places (OGC API -
// Features Part 4), history, and citizens' suggestions with their moderation. Nothing here is
// cached; every answer carries Cache-Control: no-store.

#include <algorithm>
#include <cmath>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <lernorte/storage/text.hpp>

#include "problem.hpp"
#include "routes.hpp"

namespace lernorte::http::detail {
namespace {

using rapidjson::Value;

constexpr const char* merge_patch_type = "application/merge-patch+json";

// ---------------------------------------------------------------------------------------------
// Request helpers

const std::string* header(const Request& r, const char* name) {
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? nullptr : &it->second;
}

std::string media_type(const Request& r) {
    const std::string* ct = header(r, "content-type");
    if (ct == nullptr) return {};
    std::string t = ct->substr(0, ct->find(';'));
    t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return t;
}

void require_media_type(const Request& r, std::initializer_list<std::string_view> allowed) {
    const std::string t = media_type(r);
    for (auto a : allowed) {
        if (t == a) return;
    }
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw ApiError(ErrorKind::unsupported_media_type,
                   (t.empty() ? std::string("the request has no Content-Type") : "Content-Type " + t + " is not accepted") +
                       "; send " + list);
}

rapidjson::Document parse_body(const Request& r) {
    if (!storage::valid_utf8(r.body)) throw ApiError(ErrorKind::invalid_body, "the body is not valid UTF-8");
    rapidjson::Document d;
    d.Parse(r.body.data(), r.body.size());
    if (d.HasParseError()) {
        throw ApiError(ErrorKind::invalid_body, std::string("the body is not JSON: ") +
                                                    rapidjson::GetParseError_En(d.GetParseError()) + " at byte " +
                                                    std::to_string(d.GetErrorOffset()),
                       {{"body", "malformed JSON"}});
    }
    if (!d.IsObject()) throw ApiError(ErrorKind::invalid_body, "the body must be a JSON object", {{"body", "not an object"}});
    return d;
}

ApiError body_errors(std::vector<FieldError> errors) {
    std::string detail = "the body has " + std::to_string(errors.size()) + " problem" + (errors.size() == 1 ? "" : "s");
    if (!errors.empty()) detail += ": " + errors.front().field + " " + errors.front().message;
    return ApiError(ErrorKind::invalid_body, detail, std::move(errors));
}

ApiError from_validation(const engine::ValidationError& e) {
    std::vector<FieldError> errors;
    for (const auto& fe : e.errors) errors.push_back({fe.field, fe.message});
    return body_errors(std::move(errors));
}

// ---------------------------------------------------------------------------------------------
// GeoJSON Feature -> Place, with a message per field

class FeatureReader {
public:
    storage::Place read(const Value& feature) {
        storage::Place p;
        p.status.clear();  // "keep" unless the input says
        if (!feature.IsObject()) {
            add("body", "must be a GeoJSON Feature object");
            return p;
        }
        for (const auto& m : feature.GetObject()) {
            const std::string_view key(m.name.GetString(), m.name.GetStringLength());
            if (key == "type") {
                if (!m.value.IsString() || std::string_view(m.value.GetString()) != "Feature") add("type", "must be \"Feature\"");
            } else if (key == "geometry") {
                geometry(m.value, p);
            } else if (key == "properties") {
                properties(m.value, p);
            } else if (key == "id" || key == "links" || key == "bbox") {
                // server-managed or informational
            } else {
                add(std::string(key), "is not a member of a place Feature (type, geometry, properties)");
            }
        }
        if (!feature.HasMember("geometry")) add("geometry", "is required: a GeoJSON Point");
        if (!feature.HasMember("properties")) add("properties", "is required");
        return p;
    }

    std::vector<FieldError> errors;

private:
    void add(std::string field, std::string message) { errors.push_back({std::move(field), std::move(message)}); }

    void geometry(const Value& g, storage::Place& p) {
        if (!g.IsObject()) {
            add("geometry", "must be a GeoJSON Point object");
            return;
        }
        const auto type = g.FindMember("type");
        if (type == g.MemberEnd() || !type->value.IsString() || std::string_view(type->value.GetString()) != "Point") {
            add("geometry.type", "must be \"Point\" (a place is a point)");
            return;
        }
        const auto coords = g.FindMember("coordinates");
        if (coords == g.MemberEnd() || !coords->value.IsArray() || coords->value.Size() < 2 || coords->value.Size() > 3 ||
            !coords->value[0].IsNumber() || !coords->value[1].IsNumber()) {
            add("geometry.coordinates", "must be [longitude, latitude] as numbers");
            return;
        }
        p.position = geo::Point{coords->value[0].GetDouble(), coords->value[1].GetDouble()};
    }

    bool string(const Value& v, const std::string& field, std::string& out) {
        if (v.IsNull()) {
            out.clear();
            return true;
        }
        if (!v.IsString()) {
            add(field, "must be a string");
            return false;
        }
        out.assign(v.GetString(), v.GetStringLength());
        return true;
    }

    void strings(const Value& v, const std::string& field, std::vector<std::string>& out) {
        out.clear();
        if (v.IsNull()) return;
        if (!v.IsArray()) {
            add(field, "must be an array of strings");
            return;
        }
        for (const auto& item : v.GetArray()) {
            if (!item.IsString()) {
                add(field, "must be an array of strings");
                return;
            }
            out.emplace_back(item.GetString(), item.GetStringLength());
        }
    }

    void properties(const Value& props, storage::Place& p) {
        if (!props.IsObject()) {
            add("properties", "must be an object");
            return;
        }
        for (const auto& m : props.GetObject()) {
            const std::string key(m.name.GetString(), m.name.GetStringLength());
            const Value& v = m.value;
            if (key == "name") string(v, key, p.name);
            else if (key == "description") string(v, key, p.description);
            else if (key == "category") string(v, key, p.category);
            else if (key == "tags") strings(v, key, p.tags);
            else if (key == "website") string(v, key, p.website);
            else if (key == "phone") string(v, key, p.phone);
            else if (key == "email") string(v, key, p.email);
            else if (key == "opening_hours") string(v, key, p.opening_hours);
            else if (key == "target_groups") strings(v, key, p.target_groups);
            else if (key == "languages") strings(v, key, p.languages);
            else if (key == "source") string(v, key, p.source);
            else if (key == "license") string(v, key, p.license);
            else if (key == "status") string(v, key, p.status);
            else if (key == "wheelchair") {
                if (string(v, key, p.wheelchair) && p.wheelchair.empty()) p.wheelchair = "unknown";
            } else if (key == "free") {
                if (v.IsBool()) p.free = v.GetBool();
                else if (v.IsNull()) p.free.reset();
                else add(key, "must be true, false or null");
            } else if (key == "orte100") {
                if (v.IsInt()) p.orte100 = v.GetInt();
                else if (v.IsNull()) p.orte100.reset();
                else add(key, "must be a whole number or null");
            } else if (key == "abc_letter") {
                std::string letter;
                if (string(v, key, letter)) {
                    if (letter.empty()) p.abc_letter.reset();
                    else p.abc_letter = letter;
                }
            } else if (key == "address") {
                if (v.IsNull()) {
                    p.address = {};
                } else if (!v.IsObject()) {
                    add("address", "must be an object with street, postcode, city");
                } else {
                    for (const auto& a : v.GetObject()) {
                        const std::string akey(a.name.GetString(), a.name.GetStringLength());
                        if (akey == "street") string(a.value, "address.street", p.address.street);
                        else if (akey == "postcode") string(a.value, "address.postcode", p.address.postcode);
                        else if (akey == "city") string(a.value, "address.city", p.address.city);
                        else add("address." + akey, "is not an address field (street, postcode, city)");
                    }
                }
            } else if (key == "id" || key == "stadtraum" || key == "version" || key == "updated_at" ||
                       key == "distance_m") {
                // Managed by the server; a client may send back what it read.
            } else {
                add("properties." + key, "is not a property of a place");
            }
        }
    }
};

storage::Place read_feature(const Value& v) {
    FeatureReader reader;
    storage::Place p = reader.read(v);
    if (!reader.errors.empty()) throw body_errors(std::move(reader.errors));
    return p;
}

/// RFC 7396: a member with null removes, an object merges recursively, anything else replaces.
void merge_patch(Value& target, const Value& patch, rapidjson::Document::AllocatorType& a) {
    if (!patch.IsObject()) {
        target.CopyFrom(patch, a);
        return;
    }
    if (!target.IsObject()) target.SetObject();
    for (const auto& m : patch.GetObject()) {
        auto it = target.FindMember(m.name);
        if (m.value.IsNull()) {
            if (it != target.MemberEnd()) target.RemoveMember(it);
            continue;
        }
        if (it == target.MemberEnd()) {
            Value name(m.name, a);
            Value value;
            value.SetObject();
            merge_patch(value, m.value, a);
            target.AddMember(name, value, a);
        } else {
            merge_patch(it->value, m.value, a);
        }
    }
}

rapidjson::Document feature_document(const storage::Place& p) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_place_feature(w, p, std::nullopt);
    rapidjson::Document d;
    d.Parse(buffer.GetString(), buffer.GetSize());
    return d;
}

// ---------------------------------------------------------------------------------------------
// Answers

std::string place_etag(const storage::Place& p) { return "\"" + std::to_string(p.version) + "\""; }

Reply feature_reply(const WriteContext& c, const storage::Place& p, int status) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_place_feature(w, p, std::nullopt);
    Reply r{geojson_type, finish(buffer), {{"ETag", place_etag(p)}}, status};
    if (status == 201) r.headers.emplace_back("Location", c.api + "/collections/places/items/" + p.id);
    return r;
}

Reply json_reply(rapidjson::StringBuffer& buffer, int status = 200) { return {json_type, finish(buffer), {}, status}; }

Reply no_content() { return {"", "", {}, 204}; }

/// The version an If-Match header names; 428 without one, 412 if it names no version.
std::int64_t expected_version(const WriteContext& c) {
    const std::string* im = header(c.request, "if-match");
    if (im == nullptr || im->empty()) {
        throw ApiError(ErrorKind::precondition_required,
                       "send If-Match with the ETag you read (GET the place first), so that no one's change is lost");
    }
    std::string v = *im;
    if (v.rfind("W/", 0) == 0) v = v.substr(2);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    const auto dash = v.find('-');
    if (dash != std::string::npos) v = v.substr(0, dash);
    if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        throw ApiError(ErrorKind::precondition_failed, "If-Match " + *im + " is not an ETag of a place");
    }
    return std::stoll(v);
}

// ---------------------------------------------------------------------------------------------
// Authentication

engine::Identity identify(const WriteContext& c) {
    const std::string* auth = header(c.request, "authorization");
    const auto challenge = [](ApiError e) {
        e.with_header("WWW-Authenticate", "Bearer realm=\"lernorte\"");
        return e;
    };
    if (auth == nullptr || auth->empty()) {
        throw challenge(ApiError(ErrorKind::unauthorized, "log in first: POST /api/auth/login, then send Authorization: Bearer <token>"));
    }
    if (auth->size() < 8 || !std::equal(auth->begin(), auth->begin() + 7, "bearer ", [](char x, char y) {
            return std::tolower(static_cast<unsigned char>(x)) == y;
        })) {
        throw challenge(ApiError(ErrorKind::unauthorized, "the Authorization header must be 'Bearer <token>'"));
    }
    std::string token = auth->substr(7);
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    auto id = c.accounts.authenticate(token);
    if (!id) throw challenge(ApiError(ErrorKind::unauthorized, "the token is unknown, expired or revoked; log in again"));
    return *id;
}

engine::Identity require_role(const WriteContext& c, std::initializer_list<std::string_view> roles, const char* what) {
    engine::Identity id = identify(c);
    if (std::find(roles.begin(), roles.end(), id.role) == roles.end()) {
        throw ApiError(ErrorKind::forbidden, "the role " + id.role + " may not " + what);
    }
    return id;
}

engine::Identity require_editor(const WriteContext& c, const char* what) {
    return require_role(c, {"editor", "admin"}, what);
}

template <class F>
auto translate(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const engine::ValidationError& e) {
        throw from_validation(e);
    } catch (const engine::NotFoundError& e) {
        throw ApiError(ErrorKind::not_found, e.what());
    } catch (const engine::VersionConflict& e) {
        throw ApiError(ErrorKind::precondition_failed, e.what()).with_header("ETag", "\"" + std::to_string(e.current_version) + "\"");
    } catch (const engine::ConflictError& e) {
        throw ApiError(ErrorKind::conflict, e.what());
    } catch (const engine::RateLimited& e) {
        throw ApiError(ErrorKind::too_many_requests, e.what()).with_header("Retry-After", std::to_string(std::max(1, e.retry_after)));
    }
}

// ---------------------------------------------------------------------------------------------
// Routes

Reply login(const WriteContext& c) {
    require_media_type(c.request, {"application/json"});
    const auto d = parse_body(c.request);
    std::vector<FieldError> errors;
    std::string username;
    std::string password;
    for (const char* field : {"username", "password"}) {
        const auto it = d.FindMember(field);
        if (it == d.MemberEnd() || !it->value.IsString()) {
            errors.push_back({field, "is required (a string)"});
            continue;
        }
        (std::string_view(field) == "username" ? username : password).assign(it->value.GetString(), it->value.GetStringLength());
    }
    for (const auto& m : d.GetObject()) {
        const std::string_view key(m.name.GetString(), m.name.GetStringLength());
        if (key != "username" && key != "password") errors.push_back({std::string(key), "is not a login field"});
    }
    if (!errors.empty()) throw body_errors(std::move(errors));
    if (username.size() > 64 || password.size() > 1024) {
        throw ApiError(ErrorKind::unauthorized, "unknown user name or wrong password");
    }
    try {
        const auto result = c.accounts.login(username, password, c.request.remote);
        rapidjson::StringBuffer buffer;
        JsonWriter w(buffer);
        w.StartObject();
        w.Key("token");
        w.String(result.token.c_str());
        w.Key("username");
        w.String(result.identity.username.c_str());
        w.Key("role");
        w.String(result.identity.role.c_str());
        w.Key("expires");
        w.String(result.identity.expires.c_str());
        w.EndObject();
        return json_reply(buffer);
    } catch (const engine::LoginError& e) {
        if (e.retry_after > 0) {
            throw ApiError(ErrorKind::too_many_requests, e.what()).with_header("Retry-After", std::to_string(e.retry_after));
        }
        throw ApiError(ErrorKind::unauthorized, e.what()).with_header("WWW-Authenticate", "Bearer realm=\"lernorte\"");
    }
}

Reply me(const WriteContext& c) {
    const auto id = identify(c);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("username");
    w.String(id.username.c_str());
    w.Key("role");
    w.String(id.role.c_str());
    w.Key("expires");
    w.String(id.expires.c_str());
    w.EndObject();
    return json_reply(buffer);
}

Reply create_place(const WriteContext& c) {
    const auto id = require_editor(c, "write places");
    require_media_type(c.request, {"application/geo+json", "application/json"});
    const auto d = parse_body(c.request);
    storage::Place input = read_feature(d);
    if (input.wheelchair.empty()) input.wheelchair = "unknown";
    return translate([&] { return feature_reply(c, c.editor.create(std::move(input), id.username), 201); });
}

Reply replace_place(const WriteContext& c, const std::string& pid) {
    const auto id = require_editor(c, "write places");
    require_media_type(c.request, {"application/geo+json", "application/json"});
    const auto version = expected_version(c);
    const auto d = parse_body(c.request);
    storage::Place input = read_feature(d);
    if (input.wheelchair.empty()) input.wheelchair = "unknown";
    return translate([&] { return feature_reply(c, c.editor.update(pid, std::move(input), version, id.username), 200); });
}

Reply patch_place(const WriteContext& c, const std::string& pid) {
    const auto id = require_editor(c, "write places");
    require_media_type(c.request, {merge_patch_type, "application/json"});
    const auto version = expected_version(c);
    const auto patch = parse_body(c.request);
    return translate([&] {
        const std::optional<storage::Place> current = engine::current_at(c.editor.store(), pid, version);
        rapidjson::Document doc = feature_document(*current);
        merge_patch(doc, patch, doc.GetAllocator());
        storage::Place input = read_feature(doc);
        if (input.wheelchair.empty()) input.wheelchair = "unknown";
        if (input.status.empty()) input.status = current->status == "archived" ? "published" : current->status;
        return feature_reply(c, c.editor.update(pid, std::move(input), version, id.username), 200);
    });
}

Reply delete_place(const WriteContext& c, const std::string& pid) {
    const auto id = require_editor(c, "archive places");
    const auto version = expected_version(c);
    translate([&] { return c.editor.archive(pid, version, id.username); });
    return no_content();
}

void write_changes(JsonWriter& w, const std::optional<storage::Place>& before, const std::optional<storage::Place>& after) {
    w.StartArray();
    if (after) {
        const rapidjson::Document b = before ? feature_document(*before) : rapidjson::Document();
        const rapidjson::Document a = feature_document(*after);
        const auto& ap = a["properties"];
        for (const auto& m : ap.GetObject()) {
            const std::string_view key(m.name.GetString(), m.name.GetStringLength());
            if (key == "id" || key == "version" || key == "updated_at") continue;
            const Value* old = nullptr;
            if (before && b["properties"].HasMember(m.name)) old = &b["properties"][m.name];
            if (old != nullptr && *old == m.value) continue;
            w.StartObject();
            w.Key("field");
            w.String(m.name.GetString(), m.name.GetStringLength());
            w.Key("old");
            if (old != nullptr) old->Accept(w); else w.Null();
            w.Key("new");
            m.value.Accept(w);
            w.EndObject();
        }
        if (!before || b["geometry"] != a["geometry"]) {
            w.StartObject();
            w.Key("field");
            w.String("geometry");
            w.Key("old");
            if (before) b["geometry"]["coordinates"].Accept(w); else w.Null();
            w.Key("new");
            a["geometry"]["coordinates"].Accept(w);
            w.EndObject();
        }
    }
    w.EndArray();
}

Reply history(const WriteContext& c, const std::string& pid) {
    require_editor(c, "read the history of places");
    c.params.allow_only({});
    return translate([&] {
        const auto revisions = c.editor.history(pid);
        const auto current = c.editor.place(pid);
        rapidjson::StringBuffer buffer;
        JsonWriter w(buffer);
        w.StartObject();
        w.Key("place_id");
        w.String(pid.c_str());
        w.Key("current_version");
        w.Int64(current ? current->version : 0);
        w.Key("status");
        w.String(current ? current->status.c_str() : "");
        w.Key("revisions");
        w.StartArray();
        for (const auto& r : revisions) {
            w.StartObject();
            w.Key("id");
            w.Int64(r.id);
            w.Key("version");
            w.Int64(r.version);
            w.Key("author");
            w.String(r.author.c_str());
            w.Key("created_at");
            w.String(r.created_at.c_str());
            w.Key("action");
            w.String(r.action.c_str());
            w.Key("note");
            w.String(r.note.c_str());
            if (r.previous) {
                w.Key("previous_version");
                w.Int64(r.previous->version);
            }
            w.Key("changes");
            write_changes(w, r.previous, r.state);
            if (r.state) {
                w.Key("state");
                write_place_feature(w, *r.state, std::nullopt);
            }
            w.EndObject();
        }
        w.EndArray();
        w.Key("links");
        write_links(w, {{c.api + "/collections/places/items/" + pid + "/history", "self", json_type, ""},
                        {c.api + "/collections/places/items/" + pid, "about", geojson_type, "The place"}});
        w.EndObject();
        return json_reply(buffer);
    });
}

Reply restore(const WriteContext& c, const std::string& pid) {
    const auto id = require_editor(c, "restore places");
    require_media_type(c.request, {"application/json"});
    const auto version = expected_version(c);
    const auto d = parse_body(c.request);
    const auto it = d.FindMember("version");
    if (it == d.MemberEnd() || !it->value.IsInt64() || it->value.GetInt64() < 1) {
        throw body_errors({{"version", "is required: the version to restore (a whole number from the history)"}});
    }
    return translate([&] { return feature_reply(c, c.editor.restore(pid, it->value.GetInt64(), version, id.username), 200); });
}

// Suggestions -----------------------------------------------------------------------------------

constexpr std::size_t max_suggestion_body = 16 * 1024;

void write_suggestion(JsonWriter& w, const WriteContext& c, const storage::Suggestion& s, bool for_editor) {
    const auto str = [&](const char* key, const std::string& v) {
        w.Key(key);
        w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    };
    w.StartObject();
    str("kind", "suggestion");
    str("id", s.id);
    str("status", s.status);
    str("created_at", s.created_at);
    str("name", s.name);
    str("category", s.category);
    if (!s.decided_at.empty()) str("decided_at", s.decided_at);
    if (s.status == "rejected") str("reason", s.reason);
    if (!s.place_id.empty()) {
        str("place_id", s.place_id);
        str("place", c.api + "/collections/places/items/" + s.place_id);
    }
    if (for_editor) {
        str("description", s.description);
        str("website", s.website);
        str("contact_email", s.contact_email);
        if (!s.decided_by.empty()) str("decided_by", s.decided_by);
        w.Key("geometry");
        w.StartObject();
        w.Key("type");
        w.String("Point");
        w.Key("coordinates");
        w.StartArray();
        w.Double(s.position.x);
        w.Double(s.position.y);
        w.EndArray();
        w.EndObject();
    }
    str("status_url", c.api + "/suggestions/" + s.id);
    w.EndObject();
}

Reply suggest(const WriteContext& c) {
    require_media_type(c.request, {"application/json"});
    if (c.request.body.size() > max_suggestion_body) {
        throw ApiError(ErrorKind::payload_too_large, "a suggestion is at most 16 KB");
    }
    const auto d = parse_body(c.request);
    std::vector<FieldError> errors;
    storage::Suggestion s;
    bool honeypot = false;
    bool has_location = false;
    for (const auto& m : d.GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        const Value& v = m.value;
        const auto text = [&](std::string& out) {
            if (v.IsString()) out.assign(v.GetString(), v.GetStringLength());
            else if (!v.IsNull()) errors.push_back({key, "must be a string"});
        };
        if (key == "name") text(s.name);
        else if (key == "category") text(s.category);
        else if (key == "description") text(s.description);
        else if (key == "website") text(s.website);
        else if (key == "contact_email") text(s.contact_email);
        else if (key == "nickname") {
            // The honeypot: hidden from people, filled in by form robots.
            honeypot = !(v.IsNull() || (v.IsString() && v.GetStringLength() == 0));
        } else if (key == "location") {
            has_location = true;
            if (!v.IsObject() || !v.HasMember("type") || !v["type"].IsString() ||
                std::string_view(v["type"].GetString()) != "Point" || !v.HasMember("coordinates") ||
                !v["coordinates"].IsArray() || v["coordinates"].Size() != 2 || !v["coordinates"][0].IsNumber() ||
                !v["coordinates"][1].IsNumber()) {
                errors.push_back({"location", "must be a GeoJSON Point {\"type\": \"Point\", \"coordinates\": [lon, lat]}"});
            } else {
                s.position = geo::Point{v["coordinates"][0].GetDouble(), v["coordinates"][1].GetDouble()};
            }
        } else {
            errors.push_back({key, "is not a field of a suggestion (name, category, location, description, website, contact_email)"});
        }
    }
    if (!has_location) errors.push_back({"location", "is required: where is the place?"});
    if (!errors.empty()) throw body_errors(std::move(errors));
    if (honeypot) {
        // Answer like a success so that the robot learns nothing; nothing is stored.
        s.id = storage::new_uuid();
        s.status = "pending";
    } else {
        s = translate([&] {
            try {
                return c.editor.suggest(std::move(s), c.request.remote);
            } catch (const engine::ValidationError& e) {
                std::vector<engine::FieldError> renamed = e.errors;
                for (auto& fe : renamed) {
                    if (fe.field == "geometry") fe.field = "location";
                }
                throw engine::ValidationError(std::move(renamed));
            }
        });
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("id");
    w.String(s.id.c_str());
    w.Key("status");
    w.String("pending");
    w.Key("status_url");
    const std::string url = c.api + "/suggestions/" + s.id;
    w.String(url.c_str());
    w.EndObject();
    Reply r = json_reply(buffer, 201);
    r.headers.emplace_back("Location", url);
    return r;
}

Reply suggestion_status(const WriteContext& c, const std::string& sid) {
    c.params.allow_only({});
    const auto s = c.editor.suggestion(sid);
    if (!s) throw ApiError(ErrorKind::not_found, "no suggestion '" + sid + "'");
    bool editor = false;
    if (header(c.request, "authorization") != nullptr) {
        const auto id = identify(c);
        editor = id.role == "editor" || id.role == "admin";
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_suggestion(w, c, *s, editor);
    return json_reply(buffer);
}

Reply suggestion_queue(const WriteContext& c) {
    require_editor(c, "see the suggestions");
    c.params.allow_only({"status"});
    std::string status = "pending";
    if (const std::string* st = c.params.get("status")) status = *st;
    if (status != "pending" && status != "accepted" && status != "rejected" && status != "all") {
        throw invalid("status", "must be pending, accepted, rejected or all");
    }
    const auto entries = c.editor.queue(status);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("numberMatched");
    w.Uint64(entries.size());
    w.Key("items");
    w.StartArray();
    for (const auto& e : entries) {
        if (e.suggestion) {
            write_suggestion(w, c, *e.suggestion, true);
            continue;
        }
        const storage::Place& p = *e.candidate;
        w.StartObject();
        w.Key("kind");
        w.String("candidate");
        w.Key("id");
        w.String(p.id.c_str());
        w.Key("status");
        w.String("pending");
        w.Key("created_at");
        w.String(p.updated_at.c_str());
        w.Key("name");
        w.String(p.name.c_str());
        w.Key("category");
        w.String(p.category.c_str());
        w.Key("feature");
        write_place_feature(w, p, std::nullopt);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return json_reply(buffer);
}

Reply accept(const WriteContext& c, const std::string& sid) {
    const auto id = require_editor(c, "decide suggestions");
    std::optional<storage::Place> completed;
    if (!c.request.body.empty()) {
        require_media_type(c.request, {"application/geo+json", "application/json", merge_patch_type});
        const auto patch = parse_body(c.request);
        // The editor's completion is a merge patch over the draft (or the candidate place).
        storage::Place base;
        if (const auto s = c.editor.suggestion(sid)) {
            base.name = s->name;
            base.category = s->category;
            base.description = s->description;
            base.website = s->website;
            base.position = s->position;
        } else if (const auto p = c.editor.place(sid)) {
            base = *p;
        } else {
            throw ApiError(ErrorKind::not_found, "no suggestion or candidate place with id '" + sid + "'");
        }
        rapidjson::Document doc = feature_document(base);
        merge_patch(doc, patch, doc.GetAllocator());
        completed = read_feature(doc);
        if (completed->wheelchair.empty()) completed->wheelchair = "unknown";
    }
    return translate([&] { return feature_reply(c, c.editor.accept(sid, completed, id.username), 201); });
}

Reply reject(const WriteContext& c, const std::string& sid) {
    const auto id = require_editor(c, "decide suggestions");
    require_media_type(c.request, {"application/json"});
    const auto d = parse_body(c.request);
    const auto it = d.FindMember("reason");
    if (it == d.MemberEnd() || !it->value.IsString()) throw body_errors({{"reason", "is required (a string)"}});
    const std::string reason(it->value.GetString(), it->value.GetStringLength());
    translate([&] {
        c.editor.reject(sid, reason, id.username);
        return 0;
    });
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("id");
    w.String(sid.c_str());
    w.Key("status");
    w.String("rejected");
    w.EndObject();
    return json_reply(buffer);
}

[[noreturn]] void not_allowed(const std::string& method, const char* allow) {
    throw ApiError(ErrorKind::method_not_allowed, method + " is not allowed here; allowed: " + allow).with_header("Allow", allow);
}

}  // namespace

const char* allowed_methods(const std::vector<std::string>& seg) {
    const auto n = seg.size();
    if (n == 4 && seg[0] == "api" && seg[1] == "collections" && seg[2] == "places" && seg[3] == "items") {
        return "GET, HEAD, POST, OPTIONS";
    }
    if (n == 5 && seg[0] == "api" && seg[1] == "collections" && seg[2] == "places" && seg[3] == "items") {
        return "GET, HEAD, PUT, PATCH, DELETE, OPTIONS";
    }
    if (n >= 2 && seg[0] == "api" && (seg[1] == "auth" || (seg[1] == "suggestions" && n >= 3 && n == 4))) {
        return "POST, OPTIONS";
    }
    if (n == 6 && seg[0] == "api" && seg[1] == "collections" && seg[5] == "restore") return "POST, OPTIONS";
    if (n == 2 && seg[0] == "api" && seg[1] == "suggestions") return "GET, POST, OPTIONS";
    return "GET, HEAD, OPTIONS";
}

std::optional<Reply> private_route(const WriteContext& c, const std::vector<std::string>& seg, std::string_view& route) {
    const auto n = seg.size();
    const std::string& m = c.request.method;
    const bool read = m == "GET" || m == "HEAD";
    if (n < 2 || seg[0] != "api") return std::nullopt;
    if (c.request.body.size() > c.max_body) {
        throw ApiError(ErrorKind::payload_too_large, "the body is larger than " + std::to_string(c.max_body / 1024) + " KB");
    }
    if (seg[1] == "auth" && n == 3) {
        if (seg[2] == "login") {
            route = "/api/auth/login";
            if (m != "POST") not_allowed(m, "POST, OPTIONS");
            return login(c);
        }
        if (seg[2] == "logout") {
            route = "/api/auth/logout";
            if (m != "POST") not_allowed(m, "POST, OPTIONS");
            const std::string* auth = header(c.request, "authorization");
            identify(c);
            // The token as identify() read it: spaces after "Bearer" are not part of it.
            const auto token_start = auth->find_first_not_of(' ', 7);
            c.accounts.logout(token_start == std::string::npos ? std::string() : auth->substr(token_start));
            return no_content();
        }
        if (seg[2] == "me") {
            route = "/api/auth/me";
            if (!read) not_allowed(m, "GET, HEAD, OPTIONS");
            return me(c);
        }
        return std::nullopt;
    }
    if (seg[1] == "targets" && n <= 3) {
        if (!read) not_allowed(m, "GET, HEAD, OPTIONS");
        const TargetContext tc{c.params, *c.catalogue, c.targets, c.root};
        if (n == 3 && seg[2] == "platforms") {
            route = "/api/targets/platforms";
            return target_platforms(tc);
        }
        require_role(c, {"planner", "editor", "admin"}, "export geo-targets");
        if (n == 2) {
            route = "/api/targets";
            return targets(tc, false);
        }
        if (seg[2] == "preview") {
            route = "/api/targets/preview";
            return targets(tc, true);
        }
        return std::nullopt;
    }
    if (seg[1] == "suggestions") {
        if (n == 2) {
            route = "/api/suggestions";
            if (m == "POST") return suggest(c);
            if (read) return suggestion_queue(c);
            not_allowed(m, "GET, POST, OPTIONS");
        }
        if (n == 3) {
            route = "/api/suggestions/{id}";
            if (!read) not_allowed(m, "GET, HEAD, OPTIONS");
            return suggestion_status(c, seg[2]);
        }
        if (n == 4 && (seg[3] == "accept" || seg[3] == "reject")) {
            route = seg[3] == "accept" ? "/api/suggestions/{id}/accept" : "/api/suggestions/{id}/reject";
            if (m != "POST") not_allowed(m, "POST, OPTIONS");
            return seg[3] == "accept" ? accept(c, seg[2]) : reject(c, seg[2]);
        }
        return std::nullopt;
    }
    if (seg[1] != "collections" || n < 4 || seg[3] != "items") return std::nullopt;
    const bool places = seg[2] == "places";
    if (n == 4 && !read) {
        route = "/api/collections/{cid}/items";
        if (!places) not_allowed(m, "GET, HEAD, OPTIONS");
        if (m != "POST") not_allowed(m, "GET, HEAD, POST, OPTIONS");
        return create_place(c);
    }
    if (n == 5 && !read) {
        route = "/api/collections/{cid}/items/{id}";
        if (!places) not_allowed(m, "GET, HEAD, OPTIONS");
        if (m == "PUT") return replace_place(c, seg[4]);
        if (m == "PATCH") return patch_place(c, seg[4]);
        if (m == "DELETE") return delete_place(c, seg[4]);
        not_allowed(m, "GET, HEAD, PUT, PATCH, DELETE, OPTIONS");
    }
    if (n == 6 && places && seg[5] == "history") {
        route = "/api/collections/places/items/{id}/history";
        if (!read) not_allowed(m, "GET, HEAD, OPTIONS");
        return history(c, seg[4]);
    }
    if (n == 6 && places && seg[5] == "restore") {
        route = "/api/collections/places/items/{id}/restore";
        if (m != "POST") not_allowed(m, "POST, OPTIONS");
        return restore(c, seg[4]);
    }
    return std::nullopt;
}

}  // namespace lernorte::http::detail
