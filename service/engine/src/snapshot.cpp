#include <lernorte/engine/snapshot.hpp>

#include <cstdio>
#include <filesystem>

namespace lernorte::engine {
namespace {

constexpr std::string_view magic = "LERNORTE read model\n";
constexpr std::uint64_t format_version = 1;
constexpr std::uint64_t byte_order_mark = 0x0102030405060708ULL;

// What must be equal for the arrays of the file to mean the same in this build.
std::string layout() {
    return "row " + std::to_string(sizeof(PlaceRow)) + ", point " + std::to_string(sizeof(geo::Point)) + ", text " +
           std::to_string(place_text_count);
}

}  // namespace

SnapshotKey snapshot_key(const storage::Store& store) {
    SnapshotKey key;
    key.data_version = store.data_version();
    key.catalogue_token = store.catalogue_token();
    key.boundaries_version = store.boundaries_version();
    key.schema_version = store.schema_version();
    return key;
}

std::string default_snapshot_path(const std::string& db_path) { return db_path + ".readmodel"; }

void write_snapshot(const Catalogue& catalogue, const SnapshotKey& key, const std::string& path) {
    const std::string tmp = path + ".tmp";
    try {
        BinaryWriter out(tmp);
        out.bytes(magic.data(), magic.size());
        out.u64(format_version);
        out.u64(byte_order_mark);
        out.string(layout());
        out.i64(key.data_version);
        out.string(key.catalogue_token);
        out.i64(key.boundaries_version);
        out.i64(key.schema_version);
        out.u64(catalogue.size());
        catalogue.write_body(out);
        out.finish();
        std::error_code ec;
        std::filesystem::rename(tmp, path, ec);
        if (ec) throw SnapshotError("cannot rename " + tmp + " to " + path + ": " + ec.message());
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
}

std::shared_ptr<const Catalogue> read_snapshot(const std::string& path, const SnapshotKey& expected,
                                               std::shared_ptr<const Boundaries> boundaries) {
    if (!std::filesystem::exists(path)) throw SnapshotError("there is no snapshot file " + path + " yet");
    BinaryReader in(path);
    std::string head(magic.size(), '\0');
    try {
        in.bytes(head.data(), head.size());
    } catch (const SnapshotError&) {
        head.clear();  // shorter than the magic: not ours either
    }
    if (head != magic) throw SnapshotError(path + " is not a Lernorte read-model snapshot");
    if (in.u64() != format_version || in.u64() != byte_order_mark || in.string() != layout()) {
        throw SnapshotError(path + " was written by another version of Lernorte");
    }
    SnapshotKey key;
    key.data_version = in.i64();
    key.catalogue_token = in.string();
    key.boundaries_version = in.i64();
    key.schema_version = static_cast<int>(in.i64());
    if (key != expected) {
        throw SnapshotError(path + " holds catalogue version " + std::to_string(key.data_version) +
                            ", the store has changed since (version " + std::to_string(expected.data_version) + ")");
    }
    const std::uint64_t places = in.u64();
    auto catalogue = Catalogue::read_body(in, std::move(boundaries), key.data_version);
    if (catalogue->size() != places) throw SnapshotError("snapshot file: the place count disagrees");
    return catalogue;
}

}  // namespace lernorte::engine
