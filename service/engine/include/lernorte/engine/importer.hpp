#pragma once
// Imports from any GDAL-readable file into the store, with a field mapping, per-feature
// validation and a report. A run is one transaction; --strict rolls back on any rejection.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <lernorte/engine/engine.hpp>

namespace lernorte::engine {

/// A problem that stops an import as a whole (unreadable file, bad mapping, no Stadträume).
class ImportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// How source fields become our fields. A target is filled from, in this order: the source
/// field(s) named in `fields` (several joined with '+', e.g. "schule_id+strasse"), a source
/// field with the target's own name, the constant in `set`. `values` then translates
/// values (e.g. typ "Deutschkurs" -> category "sprache").
struct FieldMapping {
    std::map<std::string, std::string> fields;
    std::map<std::string, std::string> set;
    std::map<std::string, std::map<std::string, std::string>> values;
    std::vector<std::string> tags_from;  ///< source fields whose values become tags
    std::string dataset;                 ///< namespace of source ids
    std::string layer;
    std::string s_srs;
};

/// Parses "name=Bezeichnung,category=typ". Throws ImportError on a malformed spec.
[[nodiscard]] FieldMapping parse_field_map(std::string_view spec);
/// Reads a JSON mapping file (see docs/IMPORT.md). Throws ImportError.
[[nodiscard]] FieldMapping load_mapping_file(const std::string& path);
/// Overlays `over` on `base` (command-line options over a mapping file).
void merge_mapping(FieldMapping& base, const FieldMapping& over);

struct ImportOptions {
    FieldMapping mapping;
    bool strict = false;
    /// Publish a new read model after committing. A server does; the command line, which
    /// exits right after, does not (a server on the same file notices the new version itself).
    bool publish = true;
    /// Called now and then with features read so far and the total if known.
    std::function<void(std::int64_t done, std::optional<std::int64_t> total)> progress;
};

struct Rejection {
    std::int64_t feature = 0;  ///< 1-based position in the source layer
    std::string source_id;
    std::string reason;
};

struct ImportReport {
    std::int64_t read = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::vector<Rejection> rejections;
    std::vector<std::string> notes;  ///< e.g. repaired geometries
    bool committed = false;          ///< false when --strict rolled back, or nothing to write
};

/// Places: name, category (known or mapped), a point inside the city, valid list values.
[[nodiscard]] ImportReport import_places(Engine& engine, const std::string& path,
                                         const ImportOptions& options);
/// The Stadträume as a whole: replaces all of them.
[[nodiscard]] ImportReport import_stadtraeume(Engine& engine, const std::string& path,
                                              const ImportOptions& options);
/// The city outline: the union of all polygons of the source.
[[nodiscard]] ImportReport import_outline(Engine& engine, const std::string& path,
                                          const ImportOptions& options);

/// Creates a store's content from the bundled data directory (its seed.json manifest).
/// Returns one line per step for the log. Throws ImportError when a step fails.
std::vector<std::string> seed_bundled(Engine& engine, const std::string& data_dir);

}  // namespace lernorte::engine
