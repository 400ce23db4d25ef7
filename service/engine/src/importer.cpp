#include <lernorte/engine/importer.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <lernorte/geo/crs.hpp>
#include <lernorte/geo/ogr_source.hpp>
#include <lernorte/geo/validity.hpp>
#include <lernorte/storage/text.hpp>

namespace lernorte::engine {
namespace {

std::string_view trim_view(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string trim(std::string_view s) { return std::string(trim_view(s)); }

/// OGR writes string lists as "(2:a,b)" when it turns them into text (e.g. read back from a
/// GeoPackage we exported); that is a list, not one value.
std::string_view strip_ogr_list(std::string_view s) {
    if (s.size() >= 4 && s.front() == '(' && s.back() == ')') {
        const auto colon = s.find(':');
        if (colon != std::string_view::npos && colon > 1 &&
            std::all_of(s.begin() + 1, s.begin() + static_cast<std::ptrdiff_t>(colon),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
            return s.substr(colon + 1, s.size() - colon - 2);
        }
    }
    return s;
}

std::vector<std::string> split_list(std::string_view s, std::string_view separators = ",;|") {
    s = strip_ogr_list(s);
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto end = s.find_first_of(separators, start);
        const auto piece = trim(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
        if (!piece.empty() && std::find(out.begin(), out.end(), piece) == out.end()) out.push_back(piece);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

std::string lower_ascii(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::optional<bool> parse_bool(std::string_view v) {
    const std::string s = lower_ascii(trim(v));
    if (s == "true" || s == "yes" || s == "ja" || s == "1" || s == "y") return true;
    if (s == "false" || s == "no" || s == "nein" || s == "0" || s == "n") return false;
    return std::nullopt;
}

template <typename T>
std::optional<T> parse_number(std::string_view v) {
    const std::string s = trim(v);
    T value{};
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value)) return std::nullopt;
    }
    return value;
}

/// Where one target (a place's or Stadtraum's field) takes its value from, resolved once per
/// import from the mapping: mapped source fields joined with '|', else the source field of
/// the target's own name, else a --set value; then translated through the mapping's values.
class TargetField {
public:
    /// `layer`: the source layer's field names, when known; fields it lacks are not looked up
    /// in any feature (most targets of most files are not there at all).
    TargetField(const FieldMapping& m, std::string target, const std::vector<std::string>* layer = nullptr)
        : m_target(std::move(target)) {
        const auto in_layer = [layer](const std::string& name) {
            return layer == nullptr || std::find(layer->begin(), layer->end(), name) != layer->end();
        };
        if (const auto it = m.fields.find(m_target); it != m.fields.end()) {
            m_mapped = true;
            m_sources = split_list(it->second, "+");
            std::erase_if(m_sources, [&](const std::string& source) { return !in_layer(source); });
        } else {
            m_own_field = in_layer(m_target);
        }
        if (const auto it = m.set.find(m_target); it != m.set.end()) m_set = it->second;
        if (const auto it = m.values.find(m_target); it != m.values.end()) m_values = &it->second;
    }

    /// The raw (untranslated) value, or "".
    [[nodiscard]] std::string raw(const geo::SourceFeature& f) const {
        if (m_mapped) {
            std::string joined;
            for (const std::string& source : m_sources) {
                const auto it = f.fields.find(source);
                if (it == f.fields.end()) continue;
                const std::string_view v = trim_view(it->second);
                if (v.empty()) continue;
                if (!joined.empty()) joined += '|';
                joined += v;
            }
            if (!joined.empty()) return joined;
        } else if (m_own_field) {
            if (const auto it = f.fields.find(m_target); it != f.fields.end()) {
                if (const std::string_view v = trim_view(it->second); !v.empty()) return std::string(v);
            }
        }
        return m_set ? *m_set : std::string();
    }

    /// raw() translated through the mapping's values (unknown values pass through).
    [[nodiscard]] std::string get(const geo::SourceFeature& f) const {
        std::string v = raw(f);
        if (m_values != nullptr) {
            if (const auto hit = m_values->find(v); hit != m_values->end()) return hit->second;
        }
        return v;
    }

    /// A list target: split, each element translated.
    [[nodiscard]] std::vector<std::string> list(const geo::SourceFeature& f) const {
        std::vector<std::string> out;
        for (std::string& v : split_list(raw(f))) {
            if (m_values != nullptr) {
                if (const auto hit = m_values->find(v); hit != m_values->end()) v = hit->second;
            }
            for (std::string& piece : split_list(v)) {
                if (std::find(out.begin(), out.end(), piece) == out.end()) out.push_back(std::move(piece));
            }
        }
        return out;
    }

private:
    std::string m_target;
    bool m_mapped = false;
    bool m_own_field = false;  // unmapped: the layer has a field of the target's name
    std::vector<std::string> m_sources;
    std::optional<std::string> m_set;
    const std::map<std::string, std::string>* m_values = nullptr;
};

/// Resolves mapped values of one source feature, target by name (for the small layers:
/// Stadträume, the outline; places resolve their targets once, see PlaceFields).
class FeatureView {
public:
    FeatureView(const geo::SourceFeature& f, const FieldMapping& m) : m_feature(f), m_mapping(m) {}

    [[nodiscard]] std::string get(const std::string& target) const { return TargetField(m_mapping, target).get(m_feature); }
    [[nodiscard]] std::vector<std::string> list(const std::string& target) const {
        return TargetField(m_mapping, target).list(m_feature);
    }

private:
    const geo::SourceFeature& m_feature;
    const FieldMapping& m_mapping;
};

/// A place's targets, resolved once per import against the source layer's fields.
struct PlaceFields {
    PlaceFields(const FieldMapping& m, const std::vector<std::string>& layer)
        : mapping(m), source_id(m, "source_id", &layer), name(m, "name", &layer), id(m, "id", &layer),
          category(m, "category", &layer), description(m, "description", &layer), street(m, "street", &layer),
          postcode(m, "postcode", &layer), city(m, "city", &layer), website(m, "website", &layer),
          phone(m, "phone", &layer), email(m, "email", &layer), opening_hours(m, "opening_hours", &layer),
          tags(m, "tags", &layer), target_groups(m, "target_groups", &layer), languages(m, "languages", &layer),
          free(m, "free", &layer), wheelchair(m, "wheelchair", &layer), orte100(m, "orte100", &layer),
          abc_letter(m, "abc_letter", &layer), source(m, "source", &layer), license(m, "license", &layer),
          status(m, "status", &layer) {}

    const FieldMapping& mapping;
    TargetField source_id, name, id, category, description, street, postcode, city, website, phone, email,
        opening_hours, tags, target_groups, languages, free, wheelchair, orte100, abc_letter, source, license, status;
};

geo::Source open_source(const std::string& path, const FieldMapping& mapping) {
    geo::SourceOptions options;
    options.layer = mapping.layer;
    options.s_srs = mapping.s_srs;
    try {
        return geo::Source(path, options);
    } catch (const std::exception& e) {
        throw ImportError(e.what());
    }
}

std::string default_dataset(const std::string& path, const FieldMapping& mapping) {
    if (!mapping.dataset.empty()) return mapping.dataset;
    return std::filesystem::path(path).stem().string();
}

constexpr std::size_t max_text = 10000;

/// Validates and converts one source feature into a place; returns the reason on rejection.
std::optional<std::string> to_place(const geo::SourceFeature& f, const PlaceFields& v, const Catalogue& catalogue,
                                    storage::Place& p) {
    const FieldMapping& mapping = v.mapping;
    p.source_id = v.source_id.get(f);
    p.name = v.name.get(f);
    if (p.source_id.empty() && !v.id.raw(f).empty()) p.source_id = v.id.raw(f);
    if (p.source_id.empty()) {
        // No id in the source: name and position identify a place across re-imports,
        // whatever the order of the rows.
        if (const auto* pt = std::get_if<geo::Point>(&f.geometry)) {
            char where[64];
            std::snprintf(where, sizeof where, "|%.6f|%.6f", pt->x, pt->y);
            p.source_id = p.name + where;
        } else {
            p.source_id = "feature:" + std::to_string(f.number);
        }
    }
    if (p.name.empty()) return "name is missing";
    p.category = v.category.get(f);
    if (p.category.empty()) return "category is missing";
    if (!storage::is_category(p.category)) {
        return "unknown category '" + p.category + "' (map it with --map or a mapping file's \"values\")";
    }
    if (const auto* pt = std::get_if<geo::Point>(&f.geometry)) {
        p.position = *pt;
    } else if (!f.geometry_error.empty()) {
        return f.geometry_error;
    } else if (std::holds_alternative<geo::MultiPolygon>(f.geometry)) {
        return "geometry is a polygon, a place needs a point";
    } else {
        return "no coordinates";
    }
    if (!std::isfinite(p.position.x) || !std::isfinite(p.position.y)) return "coordinates are not finite";
    if (!catalogue.in_city(p.position)) {
        std::ostringstream out;
        out.precision(9);
        out << "point " << p.position.x << "," << p.position.y << " is outside the city outline";
        return out.str();
    }
    p.stadtraum = catalogue.locate(p.position);
    p.description = v.description.get(f);
    p.address = {v.street.get(f), v.postcode.get(f), v.city.get(f)};
    p.website = v.website.get(f);
    p.phone = v.phone.get(f);
    p.email = v.email.get(f);
    p.opening_hours = v.opening_hours.get(f);
    p.tags = v.tags.list(f);
    for (const std::string& field : mapping.tags_from) {
        if (const auto it = f.fields.find(field); it != f.fields.end()) {
            const std::string tag = trim(it->second);
            if (!tag.empty() && std::find(p.tags.begin(), p.tags.end(), tag) == p.tags.end()) p.tags.push_back(tag);
        }
    }
    p.target_groups = v.target_groups.list(f);
    for (const auto& g : p.target_groups) {
        if (!storage::is_target_group(g)) return "unknown target group '" + g + "'";
    }
    p.languages = v.languages.list(f);
    for (auto& l : p.languages) {
        l = lower_ascii(l);
        if (!storage::is_language(l)) return "unknown language code '" + l + "' (ISO 639-1 expected)";
    }
    if (const std::string s = v.free.get(f); !s.empty()) {
        p.free = parse_bool(s);
        if (!p.free) return "free must be true or false, not '" + s + "'";
    }
    if (const std::string s = lower_ascii(v.wheelchair.get(f)); !s.empty()) {
        if (!storage::is_wheelchair(s)) return "wheelchair must be yes, limited, no or unknown, not '" + s + "'";
        p.wheelchair = s;
    }
    if (const std::string s = v.orte100.get(f); !s.empty()) {
        p.orte100 = parse_number<int>(s);
        if (!p.orte100 || *p.orte100 < 1 || *p.orte100 > 100) return "orte100 must be a number from 1 to 100";
    }
    if (std::string s = v.abc_letter.get(f); !s.empty()) {
        if (s.size() != 1 || !std::isalpha(static_cast<unsigned char>(s[0]))) return "abc_letter must be one letter A-Z";
        s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
        p.abc_letter = s;
    }
    p.source = v.source.get(f);
    p.license = v.license.get(f);
    if (const std::string s = v.status.get(f); !s.empty()) {
        if (!storage::is_status(s)) return "status must be published, suggested or archived";
        p.status = s;
    }
    for (const std::string* text : {&p.name, &p.description, &p.opening_hours, &p.website, &p.email}) {
        if (text->size() > max_text) return "a text field is longer than 10000 bytes";
        if (!storage::valid_utf8(*text)) return "a text field is not valid UTF-8";
    }
    return std::nullopt;
}

void report_progress(const ImportOptions& options, std::int64_t done, const geo::Source& source) {
    // The total was counted before reading began (counting may rewind the source).
    if (options.progress && done % 500 == 0) options.progress(done, source.feature_count());
}

/// Counts the features up front when someone shows progress.
void prepare_progress(const ImportOptions& options, const geo::Source& source) {
    if (options.progress) (void)source.feature_count();
}

constexpr std::int64_t progress_step = 500;

/// Accepted places on their way from the thread that reads and validates the source to the
/// one that writes them, in batches of progress_step features read.
class PlaceQueue {
public:
    struct Batch {
        std::vector<storage::Place> places;
        std::int64_t read = 0;      ///< features read when the batch was cut
        std::size_t rejected = 0;   ///< rejections up to then
    };

    /// Waits for room; false when the reader is asked to stop.
    bool push(Batch batch, std::stop_token stop) {
        std::unique_lock lock(m_mutex);
        if (!m_changed.wait(lock, stop, [&] { return m_batches.size() < max_batches; })) return false;
        m_batches.push_back(std::move(batch));
        m_changed.notify_all();
        return true;
    }

    /// The reader is done (at the end, or on an error).
    void close() {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_changed.notify_all();
    }

    /// The next batch, or nullopt once the reader is done and every batch was taken.
    std::optional<Batch> pop() {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return !m_batches.empty() || m_closed; });
        if (m_batches.empty()) return std::nullopt;
        Batch batch = std::move(m_batches.front());
        m_batches.pop_front();
        m_changed.notify_all();
        return batch;
    }

private:
    // Enough to even out the two threads' pace; a bound so a slow store does not make
    // the reader hold the whole file in memory.
    static constexpr std::size_t max_batches = 16;
    std::mutex m_mutex;
    std::condition_variable_any m_changed;
    std::deque<Batch> m_batches;
    bool m_closed = false;
};

/// The reading half of import_places: every feature validated, the accepted ones queued.
/// Fills read and rejections of `report`.
void read_places(geo::Source& source, const FieldMapping& mapping, const Catalogue& catalogue,
                 const std::string& dataset, ImportReport& report, PlaceQueue& queue, std::stop_token stop) {
    std::unordered_map<std::string, std::int64_t> seen;  // source id -> feature number
    PlaceQueue::Batch batch;
    const auto cut = [&] {
        batch.read = report.read;
        batch.rejected = report.rejections.size();
        const bool room = queue.push(std::move(batch), stop);
        batch = {};
        batch.places.reserve(static_cast<std::size_t>(progress_step));
        return room;
    };
    const std::vector<std::string> layer_fields = source.field_names();
    const PlaceFields fields(mapping, layer_fields);
    seen.reserve(1u << 16);
    batch.places.reserve(static_cast<std::size_t>(progress_step));
    try {
        geo::SourceFeature feature;  // one for all: its storage is reused
        const geo::SourceFeature* f = &feature;
        while (source.next(feature)) {
            ++report.read;
            storage::Place p;
            if (auto reason = to_place(*f, fields, catalogue, p)) {
                report.rejections.push_back({f->number, p.source_id, *reason});
            } else if (auto [it, fresh] = seen.emplace(p.source_id, f->number); !fresh) {
                report.rejections.push_back({f->number, p.source_id,
                                             "duplicate source id (first in feature " +
                                                 std::to_string(it->second) + ")"});
            } else {
                p.dataset = dataset;
                batch.places.push_back(std::move(p));
            }
            if (report.read % progress_step == 0 && (!cut() || stop.stop_requested())) return;
        }
    } catch (const geo::SourceError& e) {
        throw ImportError(e.what());
    }
    if (report.read % progress_step != 0) (void)cut();
}

}  // namespace

FieldMapping parse_field_map(std::string_view spec) {
    FieldMapping m;
    for (const std::string& pair : split_list(spec, ",")) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
            throw ImportError("--map: '" + pair + "' is not of the form target=source_field");
        }
        m.fields[trim(pair.substr(0, eq))] = trim(pair.substr(eq + 1));
    }
    return m;
}

FieldMapping load_mapping_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ImportError(path + ": cannot read the mapping file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError()) {
        throw ImportError(path + ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                          rapidjson::GetParseError_En(doc.GetParseError()));
    }
    if (!doc.IsObject()) throw ImportError(path + ": a mapping file is a JSON object");
    FieldMapping m;
    const auto string_map = [&](const char* key, std::map<std::string, std::string>& out) {
        if (!doc.HasMember(key)) return;
        const auto& obj = doc[key];
        if (!obj.IsObject()) throw ImportError(path + ": \"" + key + "\" must be an object of strings");
        for (const auto& kv : obj.GetObject()) {
            if (!kv.value.IsString()) {
                throw ImportError(path + ": \"" + key + "." + kv.name.GetString() + "\" must be a string");
            }
            out[kv.name.GetString()] = kv.value.GetString();
        }
    };
    const auto string_value = [&](const char* key, std::string& out) {
        if (!doc.HasMember(key)) return;
        if (!doc[key].IsString()) throw ImportError(path + ": \"" + key + "\" must be a string");
        out = doc[key].GetString();
    };
    static const std::set<std::string> known{"fields", "set", "values", "tags_from", "dataset",
                                             "layer", "s_srs", "description"};
    for (const auto& kv : doc.GetObject()) {
        if (!known.contains(kv.name.GetString())) {
            throw ImportError(path + ": unknown key \"" + std::string(kv.name.GetString()) + "\"");
        }
    }
    string_map("fields", m.fields);
    string_map("set", m.set);
    string_value("dataset", m.dataset);
    string_value("layer", m.layer);
    string_value("s_srs", m.s_srs);
    if (doc.HasMember("values")) {
        if (!doc["values"].IsObject()) throw ImportError(path + ": \"values\" must be an object");
        for (const auto& table : doc["values"].GetObject()) {
            if (!table.value.IsObject()) throw ImportError(path + ": \"values\" entries must be objects");
            auto& out = m.values[table.name.GetString()];
            for (const auto& kv : table.value.GetObject()) {
                if (!kv.value.IsString()) throw ImportError(path + ": \"values\" maps strings to strings");
                out[kv.name.GetString()] = kv.value.GetString();
            }
        }
    }
    if (doc.HasMember("tags_from")) {
        if (!doc["tags_from"].IsArray()) throw ImportError(path + ": \"tags_from\" must be an array");
        for (const auto& v : doc["tags_from"].GetArray()) {
            if (!v.IsString()) throw ImportError(path + ": \"tags_from\" holds field names");
            m.tags_from.emplace_back(v.GetString());
        }
    }
    return m;
}

void merge_mapping(FieldMapping& base, const FieldMapping& over) {
    for (const auto& [k, v] : over.fields) base.fields[k] = v;
    for (const auto& [k, v] : over.set) base.set[k] = v;
    for (const auto& [k, table] : over.values) {
        for (const auto& [from, to] : table) base.values[k][from] = to;
    }
    base.tags_from.insert(base.tags_from.end(), over.tags_from.begin(), over.tags_from.end());
    if (!over.dataset.empty()) base.dataset = over.dataset;
    if (!over.layer.empty()) base.layer = over.layer;
    if (!over.s_srs.empty()) base.s_srs = over.s_srs;
}

ImportReport import_places(Engine& engine, const std::string& path, const ImportOptions& options) {
    const auto catalogue = engine.catalogue();
    if (catalogue->stadtraeume().empty()) {
        throw ImportError("no Stadträume in the store: run `lernorte import stadtraeume FILE` first");
    }
    geo::Source source = open_source(path, options.mapping);
    // Counted here, before the reader starts: counting may rewind the source.
    const std::optional<std::int64_t> total = options.progress ? source.feature_count() : std::nullopt;
    const std::string dataset = default_dataset(path, options.mapping);

    // GDAL reading and validation run on a second thread while this one writes: an import
    // takes about as long as the slower half, not as long as both. The source is the reader's
    // alone from here on; the transaction stays on this thread, which began it.
    ImportReport reading;  // the reader's: read and rejections
    std::exception_ptr read_error;
    PlaceQueue queue;
    std::jthread reader([&](std::stop_token stop) {
        try {
            read_places(source, options.mapping, *catalogue, dataset, reading, queue, stop);
        } catch (...) {
            read_error = std::current_exception();
        }
        queue.close();
    });  // on an exception below, ~jthread asks the reader to stop and waits for it

    ImportReport report;
    std::unique_lock<std::mutex> write_lock;
    std::unique_ptr<storage::Transaction> tx;
    bool rejected = false;  // with --strict: nothing is kept
    while (auto batch = queue.pop()) {
        if (options.progress && batch->read % progress_step == 0) options.progress(batch->read, total);
        if (options.strict && batch->rejected > 0 && !rejected) {
            rejected = true;
            tx.reset();  // rolls back what was written so far
            write_lock = {};
            report.inserted = report.updated = report.unchanged = 0;
        }
        if (rejected || batch->places.empty()) continue;
        if (!tx) {
            // Begun with the first accepted place: a file with none leaves the store alone.
            write_lock = engine.lock_writes();
            tx = engine.store().begin();
        }
        for (const storage::UpsertOutcome outcome : tx->upsert_places(std::move(batch->places))) {
            switch (outcome) {
                case storage::UpsertOutcome::inserted: ++report.inserted; break;
                case storage::UpsertOutcome::updated: ++report.updated; break;
                case storage::UpsertOutcome::unchanged: ++report.unchanged; break;
            }
        }
    }
    reader.join();
    if (read_error) std::rethrow_exception(read_error);
    report.read = reading.read;
    report.rejections = std::move(reading.rejections);
    if (report.read == 0) throw ImportError(path + ": the source has no features");
    if (!tx) return report;
    tx->commit();
    report.committed = true;
    if (options.publish) engine.reload();
    return report;
}

ImportReport import_stadtraeume(Engine& engine, const std::string& path, const ImportOptions& options) {
    geo::Source source = open_source(path, options.mapping);
    prepare_progress(options, source);
    ImportReport report;
    std::vector<storage::Stadtraum> areas;
    std::set<int> numbers;
    try {
        while (auto f = source.next()) {
            ++report.read;
            report_progress(options, report.read, source);
            const FeatureView v(*f, options.mapping);
            const auto reject = [&](std::string reason) {
                report.rejections.push_back({f->number, v.get("nr"), std::move(reason)});
            };
            storage::Stadtraum s;
            const auto nr = parse_number<int>(v.get("nr"));
            if (!nr || *nr < 1) {
                reject("nr must be a positive whole number, not '" + v.get("nr") + "'");
                continue;
            }
            s.nr = *nr;
            if (!numbers.insert(s.nr).second) {
                reject("duplicate Stadtraum number " + std::to_string(s.nr));
                continue;
            }
            s.name = v.get("name");
            if (s.name.empty()) {
                reject("name is missing");
                continue;
            }
            s.short_name = v.get("short_name");
            if (s.short_name.empty()) s.short_name = s.name;
            const auto* mp = std::get_if<geo::MultiPolygon>(&f->geometry);
            if (mp == nullptr) {
                reject(f->geometry_error.empty() ? "geometry is not a polygon" : f->geometry_error);
                continue;
            }
            auto validity = geo::make_valid(*mp);
            if (validity.geometry.empty()) {
                reject("invalid polygon that cannot be repaired: " + validity.reason);
                continue;
            }
            if (validity.repaired) {
                report.notes.push_back("feature " + std::to_string(f->number) + " (Stadtraum " +
                                       std::to_string(s.nr) + "): repaired invalid polygon: " + validity.reason);
            }
            s.geometry = std::move(validity.geometry);
            s.area_km2 = geo::area_km2_wgs84(s.geometry);
            const auto population = parse_number<std::int64_t>(v.get("population"));
            const auto foreign = parse_number<double>(v.get("foreign_pct"));
            const auto single = parse_number<std::int64_t>(v.get("single_parent_households"));
            if (!v.get("population").empty() && (!population || *population < 0)) {
                reject("population must be a whole number >= 0");
                continue;
            }
            if (!v.get("foreign_pct").empty() && (!foreign || *foreign < 0 || *foreign > 100)) {
                reject("foreign_pct must be a percentage from 0 to 100");
                continue;
            }
            if (!v.get("single_parent_households").empty() && (!single || *single < 0)) {
                reject("single_parent_households must be a whole number >= 0");
                continue;
            }
            s.population = population.value_or(0);
            s.foreign_pct = foreign.value_or(0.0);
            s.single_parent_households = single.value_or(0);
            s.member_districts = v.list("member_districts");
            s.source = v.get("source");
            s.license = v.get("license");
            areas.push_back(std::move(s));
        }
    } catch (const geo::SourceError& e) {
        throw ImportError(e.what());
    }
    if (report.read == 0) throw ImportError(path + ": the source has no features");
    // The Stadträume replace each other as a whole: a partial set would make areas vanish,
    // so any rejection keeps the current ones (as --strict does for places).
    if (!report.rejections.empty() || areas.empty()) return report;

    auto write_lock = engine.lock_writes();
    auto tx = engine.store().begin();
    tx->replace_stadtraeume(areas);
    // The Stadtraum of every place follows the new boundaries.
    geo::RegionIndex regions;
    for (const auto& s : areas) regions.add(s.nr, s.geometry);
    for (storage::Place& p : engine.store().places(std::nullopt)) {
        const auto nr = regions.locate(p.position);
        if (nr != p.stadtraum) {
            p.stadtraum = nr;
            (void)tx->upsert_place(p);
        }
    }
    tx->commit();
    report.inserted = static_cast<std::int64_t>(areas.size());
    report.committed = true;
    if (options.publish) engine.reload();
    return report;
}

ImportReport import_outline(Engine& engine, const std::string& path, const ImportOptions& options) {
    geo::Source source = open_source(path, options.mapping);
    ImportReport report;
    std::vector<geo::MultiPolygon> parts;
    std::string source_text;
    std::string license;
    try {
        while (auto f = source.next()) {
            ++report.read;
            const FeatureView v(*f, options.mapping);
            const auto* mp = std::get_if<geo::MultiPolygon>(&f->geometry);
            if (mp == nullptr) {
                report.rejections.push_back({f->number, "", "geometry is not a polygon"});
                continue;
            }
            auto validity = geo::make_valid(*mp);
            if (validity.geometry.empty()) {
                report.rejections.push_back({f->number, "", "invalid polygon: " + validity.reason});
                continue;
            }
            parts.push_back(std::move(validity.geometry));
            source_text = v.get("source");
            license = v.get("license");
        }
    } catch (const geo::SourceError& e) {
        throw ImportError(e.what());
    }
    if (report.read == 0) throw ImportError(path + ": the source has no features");
    if ((options.strict && !report.rejections.empty()) || parts.empty()) return report;
    const geo::MultiPolygon outline = parts.size() == 1 ? parts.front() : geo::union_all(parts);
    auto write_lock = engine.lock_writes();
    auto tx = engine.store().begin();
    tx->replace_outline(outline, source_text, license);
    tx->commit();
    report.inserted = 1;
    report.committed = true;
    if (options.publish) engine.reload();
    return report;
}

std::vector<std::string> seed_bundled(Engine& engine, const std::string& data_dir) {
    const std::filesystem::path dir(data_dir);
    const std::string manifest_path = (dir / "seed.json").string();
    std::ifstream in(manifest_path, std::ios::binary);
    if (!in) throw ImportError(manifest_path + ": bundled data manifest not found (is --data right?)");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("steps") || !doc["steps"].IsArray()) {
        throw ImportError(manifest_path + ": expected {\"steps\": [...]}");
    }
    std::vector<std::string> log;
    for (const auto& step : doc["steps"].GetArray()) {
        if (!step.IsObject() || !step.HasMember("kind") || !step.HasMember("file") ||
            !step["kind"].IsString() || !step["file"].IsString()) {
            throw ImportError(manifest_path + ": every step needs \"kind\" and \"file\"");
        }
        const std::string kind = step["kind"].GetString();
        const std::string file = (dir / step["file"].GetString()).string();
        ImportOptions options;
        options.strict = true;  // the bundled data must import whole
        if (step.HasMember("mapping") && step["mapping"].IsString()) {
            options.mapping = load_mapping_file((dir / step["mapping"].GetString()).string());
        }
        ImportReport r;
        if (kind == "stadtraeume") {
            r = import_stadtraeume(engine, file, options);
        } else if (kind == "outline") {
            r = import_outline(engine, file, options);
        } else if (kind == "places") {
            r = import_places(engine, file, options);
        } else {
            throw ImportError(manifest_path + ": unknown step kind '" + kind + "'");
        }
        if (!r.committed) {
            std::string why = r.rejections.empty() ? "nothing to import" : r.rejections.front().reason;
            throw ImportError(file + ": bundled data rejected: " + why);
        }
        log.push_back(kind + " " + step["file"].GetString() + ": " + std::to_string(r.inserted) +
                      " inserted, " + std::to_string(r.updated) + " updated, " +
                      std::to_string(r.unchanged) + " unchanged");
    }
    return log;
}

}  // namespace lernorte::engine
