// lernorte_bench_gen: writes SYNTHETIC learning places for the benchmarks.
//
//   lernorte_bench_gen --seed 42 --count 100000 --out-dir bench/out [--geojson] [--outline FILE]
//
// Writes OUT_DIR/places_SYNTHETIC_<count>_seed<seed>.csv (columns id,name,category,description,
// street,postcode,city,tags,lon,lat; tags separated by ';') and, with --geojson, the same
// places as a .geojson FeatureCollection. Prints the paths written. Points are uniform inside
// the Dresden city outline; every description starts with "SYNTHETIC".
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "synth.hpp"

namespace {

using namespace lernorte;

[[noreturn]] void usage(const char* why) {
    std::cerr << "lernorte_bench_gen: " << why << "\n"
              << "usage: lernorte_bench_gen --seed N --count N --out-dir DIR [--geojson] [--outline FILE]\n";
    std::exit(2);
}

std::string csv_field(std::string_view v) {
    if (v.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(v);
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}


std::string join_tags(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& t : tags) {
        if (!out.empty()) out += ';';
        out += t;
    }
    return out;
}

std::string coord(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7f", v);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t seed = 0;
    std::size_t count = 0;
    bool have_seed = false;
    std::string out_dir;
    std::string outline = bench::data_dir() + "/boundaries/stadtgrenze_aus_stadtteilen.geojson";
    bool geojson = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (a == "--seed") {
            seed = std::stoull(value());
            have_seed = true;
        } else if (a == "--count") {
            count = std::stoull(value());
        } else if (a == "--out-dir") {
            out_dir = value();
        } else if (a == "--outline") {
            outline = value();
        } else if (a == "--geojson") {
            geojson = true;
        } else {
            usage("unknown argument");
        }
    }
    if (!have_seed || count == 0 || out_dir.empty()) usage("--seed, --count and --out-dir are required");

    try {
        const geo::PreparedPolygon area(bench::load_polygons(outline));
        const auto places = bench::generate_places(area, seed, count);
        std::filesystem::create_directories(out_dir);
        const std::string stem =
            out_dir + "/places_SYNTHETIC_" + std::to_string(count) + "_seed" + std::to_string(seed);

        const std::string csv_path = stem + ".csv";
        {
            std::FILE* f = std::fopen(csv_path.c_str(), "wb");
            if (f == nullptr) throw std::runtime_error(csv_path + ": cannot write");
            std::string line = "id,name,category,description,street,postcode,city,tags,lon,lat\n";
            std::fwrite(line.data(), 1, line.size(), f);
            for (const auto& p : places) {
                line.clear();
                for (const std::string* v : {&p.id, &p.name, &p.category, &p.description, &p.address.street,
                                             &p.address.postcode, &p.address.city}) {
                    line += csv_field(*v);
                    line += ',';
                }
                line += csv_field(join_tags(p.tags));
                line += ',' + coord(p.position.x) + ',' + coord(p.position.y) + '\n';
                std::fwrite(line.data(), 1, line.size(), f);
            }
            if (std::fclose(f) != 0) throw std::runtime_error(csv_path + ": write failed");
        }
        std::cout << csv_path << '\n';

        if (geojson) {
            const std::string path = stem + ".geojson";
            std::FILE* f = std::fopen(path.c_str(), "wb");
            if (f == nullptr) throw std::runtime_error(path + ": cannot write");
            // One RapidJSON writer per feature, so memory stays flat for a million places.
            std::string chunk = "{\"type\":\"FeatureCollection\",\"name\":\"places_SYNTHETIC\",\"features\":[\n";
            std::fwrite(chunk.data(), 1, chunk.size(), f);
            bool first = true;
            rapidjson::StringBuffer buffer;
            for (const auto& p : places) {
                buffer.Clear();
                rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
                const auto str = [&w](std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); };
                w.StartObject();
                w.Key("type");
                w.String("Feature");
                w.Key("properties");
                w.StartObject();
                for (const auto& [key, value] : {std::pair<const char*, std::string_view>{"id", p.id},
                                                 {"name", p.name},
                                                 {"category", p.category},
                                                 {"description", p.description},
                                                 {"street", p.address.street},
                                                 {"postcode", p.address.postcode},
                                                 {"city", p.address.city}}) {
                    w.Key(key);
                    str(value);
                }
                w.Key("tags");
                str(join_tags(p.tags));
                w.EndObject();
                w.Key("geometry");
                w.StartObject();
                w.Key("type");
                w.String("Point");
                w.Key("coordinates");
                w.StartArray();
                w.Double(p.position.x);
                w.Double(p.position.y);
                w.EndArray();
                w.EndObject();
                w.EndObject();
                if (!first) std::fwrite(",\n", 1, 2, f);
                first = false;
                std::fwrite(buffer.GetString(), 1, buffer.GetSize(), f);
            }
            chunk = "\n]}\n";
            std::fwrite(chunk.data(), 1, chunk.size(), f);
            if (std::fclose(f) != 0) throw std::runtime_error(path + ": write failed");
            std::cout << path << '\n';
        }
    } catch (const std::exception& e) {
        std::cerr << "lernorte_bench_gen: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
