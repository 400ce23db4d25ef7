#pragma once
// Helpers for tests that write: a seeded Dresden store made once per test binary and copied
// for every test (a write never touches another test's data or the shared read-only store).

#include <filesystem>
#include <string>

#include <lernorte/engine/importer.hpp>
#include <lernorte/storage/store.hpp>

#include "temp_dir.hpp"

namespace lernorte::test {

/// The path of a store seeded with the bundled Dresden data; seeded on first use, then closed
/// (so the file is complete without its WAL) and only ever copied.
inline const std::string& seeded_template() {
    static const TempDir dir;
    static const std::string path = [] {
        const std::string p = dir.file("seeded.sqlite");
        engine::Engine e(storage::open_spatialite(p));
        engine::seed_bundled(e, LERNORTE_TEST_DATA_DIR);
        return p;
    }();
    return path;
}

/// A private copy of the seeded store in `dir`; returns its path.
inline std::string seeded_copy(const TempDir& dir, const std::string& name = "dresden.sqlite") {
    const std::string from = seeded_template();
    const std::string to = dir.file(name);
    std::filesystem::copy_file(from, to);
    for (const char* suffix : {"-wal", "-shm"}) {
        if (std::filesystem::exists(from + suffix)) std::filesystem::copy_file(from + suffix, to + suffix);
    }
    return to;
}

/// An engine over its own copy of the seeded Dresden store.
struct SeededEngine {
    TempDir dir;
    engine::Engine engine{storage::open_spatialite(seeded_copy(dir))};
};

}  // namespace lernorte::test
