// lernorte: the command line. Subcommands: serve, import, user.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <lernorte/engine/accounts.hpp>
#include <lernorte/engine/engine.hpp>
#include <lernorte/engine/importer.hpp>
#include <lernorte/engine/targets.hpp>
#include <lernorte/http/api.hpp>
#include <lernorte/http/server.hpp>
#include <lernorte/storage/store.hpp>

#ifndef LERNORTE_DATA_DIR
#define LERNORTE_DATA_DIR "data/dresden"
#endif
#ifndef LERNORTE_FRONTEND_DIR
#define LERNORTE_FRONTEND_DIR "frontend/public"
#endif
#ifndef LERNORTE_OPENAPI_PATH
#define LERNORTE_OPENAPI_PATH "service/http/openapi.json"
#endif
#ifndef LERNORTE_SOURCES_PATH
#define LERNORTE_SOURCES_PATH "data/SOURCES.md"
#endif

namespace {

using namespace lernorte;

/// Exit codes: 0 all good, 1 some features rejected, 2 the command failed.
constexpr int exit_rejected = 1;
constexpr int exit_failed = 2;

/// A progress bar on stderr, only on a terminal and only once a run takes over a second.
class Progress {
public:
    explicit Progress(std::string label) : m_label(std::move(label)), m_tty(isatty(STDERR_FILENO) == 1) {}
    ~Progress() {
        if (m_shown) std::fputs("\n", stderr);
    }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void update(std::int64_t done, std::optional<std::int64_t> total) {
        if (!m_tty) return;
        const auto elapsed = std::chrono::steady_clock::now() - m_start;
        if (elapsed < std::chrono::seconds(1)) return;
        m_shown = true;
        if (total && *total > 0) {
            const double share = std::min(1.0, static_cast<double>(done) / static_cast<double>(*total));
            const int width = 30;
            const int filled = static_cast<int>(share * width);
            std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %lld/%lld", m_label.c_str(), filled,
                         "##############################", width - filled, "", static_cast<int>(share * 100),
                         static_cast<long long>(done), static_cast<long long>(*total));
        } else {
            std::fprintf(stderr, "\r%s %lld features", m_label.c_str(), static_cast<long long>(done));
        }
        std::fflush(stderr);
    }

private:
    std::string m_label;
    bool m_tty;
    bool m_shown = false;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

int print_report(const engine::ImportReport& r) {
    std::cout << "read " << r.read << ", inserted " << r.inserted << ", updated " << r.updated << ", unchanged "
              << r.unchanged << ", rejected " << r.rejections.size() << '\n';
    for (const auto& note : r.notes) std::cout << "note: " << note << '\n';
    for (const auto& rej : r.rejections) {
        std::cout << "rejected feature " << rej.feature;
        if (!rej.source_id.empty()) std::cout << " (source id " << rej.source_id << ")";
        std::cout << ": " << rej.reason << '\n';
    }
    if (r.rejections.empty()) return 0;
    if (!r.committed) std::cout << "nothing was imported; the store is unchanged\n";
    return exit_rejected;
}

/// Creates the store from the bundled data in a temporary file, renamed into place when
/// complete, so an interrupted first start leaves no half-filled database behind.
void create_from_bundled(const std::string& db, const std::string& data_dir) {
    const std::string tmp = db + ".seeding";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(tmp + suffix);
    {
        engine::Engine engine(storage::open_spatialite(tmp));
        for (const auto& line : engine::seed_bundled(engine, data_dir)) std::cout << "seed: " << line << '\n';
    }
    std::filesystem::rename(tmp, db);
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(tmp + suffix);
}

/// Reads a password from the terminal without echo.
std::string prompt_password(const char* prompt) {
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::string line;
    std::getline(std::cin, line);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::fputs("\n", stderr);
    return line;
}

/// The new password: from --password-file (first line), else typed twice at a prompt.
std::string new_password(const std::string& password_file) {
    if (!password_file.empty()) {
        std::ifstream in(password_file);
        if (!in) throw std::runtime_error(password_file + ": cannot read");
        std::string line;
        std::getline(in, line);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    if (isatty(STDIN_FILENO) != 1) {
        throw std::runtime_error("no terminal to type the password at; use --password-file FILE");
    }
    const std::string first = prompt_password("New password: ");
    const std::string second = prompt_password("Repeat it: ");
    if (first != second) throw std::runtime_error("the two passwords differ; nothing was changed");
    return first;
}

int user_command(const std::string& action, const std::string& db, const std::string& name, const std::string& role,
                 const std::string& password_file) {
    if (!std::filesystem::exists(db)) {
        std::cerr << "lernorte: error: " << db << ": no such database (lernorte serve creates it)\n";
        return exit_failed;
    }
    auto store = storage::open_spatialite(db);
    engine::Accounts accounts(*store);
    if (action == "list") {
        std::cout << "username\trole\tstatus\tcreated\n";
        for (const auto& u : accounts.users()) {
            std::cout << u.username << '\t' << u.role << '\t' << (u.disabled ? "disabled" : "active") << '\t'
                      << u.created_at << '\n';
        }
        return 0;
    }
    if (action == "add") {
        // Check what can be checked before asking for a password.
        if (auto p = engine::username_problem(name); !p.empty()) throw engine::AccountError(p);
        if (!storage::is_role(role)) throw engine::AccountError("unknown role '" + role + "'; roles are admin, editor, planner");
        if (store->user(name)) throw engine::AccountError("a user '" + name + "' exists already");
        accounts.add_user(name, role, new_password(password_file));
        std::cout << "added " << role << " " << name << '\n';
    } else if (action == "passwd") {
        if (!store->user(name)) throw engine::AccountError("no user '" + name + "'");
        accounts.set_password(name, new_password(password_file));
        std::cout << "new password for " << name << "; their sessions have ended\n";
    } else if (action == "disable" || action == "enable") {
        accounts.set_disabled(name, action == "disable");
        std::cout << name << (action == "disable" ? " is disabled; their sessions have ended\n" : " is enabled\n");
    }
    return 0;
}

struct ExportArgs {
    std::string stadtraeume;
    std::string platform;
    std::string mode;
    std::optional<double> radius;
    double target = 95;
    double threshold = 50;
    std::string share = "residents";
    bool exclude_neighbours = false;
    std::string campaign = "Lernorte";
    std::string landing_base = "http://127.0.0.1:8080/";
    std::string output;
};

int export_targets(const std::string& db, const std::string& data_dir, const ExportArgs& a) {
    if (!std::filesystem::exists(db)) {
        std::cerr << "lernorte: error: " << db << ": no such database (lernorte serve creates it)\n";
        return exit_failed;
    }
    engine::Engine engine(storage::open_spatialite(db), engine::LoadMode::boundaries_only);
    const auto catalogue = engine.catalogue();
    engine::TargetRequest r;
    std::stringstream list(a.stadtraeume);
    for (std::string item; std::getline(list, item, ',');) {
        const bool digits = !item.empty() && item.size() <= 3 &&
                            std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || catalogue->stadtraum(std::stoi(item)) == nullptr) {
            throw engine::TargetError("stadtraum", "'" + item + "' is not one of the Stadtraum numbers 1.." +
                                                       std::to_string(catalogue->stadtraeume().size()));
        }
        r.stadtraeume.push_back(std::stoi(item));
    }
    r.platform = engine::require_platform(a.platform);
    r.mode = a.mode.empty() ? (engine::platform_limits(r.platform).circles ? engine::TargetMode::circles
                                                                           : engine::TargetMode::postcodes)
                            : engine::require_target_mode(a.mode);
    r.radius_m = a.radius;
    r.target_pct = a.target;
    r.threshold_pct = a.threshold;
    if (a.share != "residents" && a.share != "area") throw engine::TargetError("share", "must be residents or area");
    r.share_basis = a.share == "area" ? geo::ShareBasis::area : geo::ShareBasis::residents;
    r.exclude_neighbours = a.exclude_neighbours;
    r.campaign = a.campaign;
    r.landing_base = a.landing_base;
    const auto data = engine::load_target_data(data_dir);
    const auto planner = engine::make_planner(*data, catalogue->stadtraeume());
    const engine::TargetExport file = engine::export_targets(planner, r);
    const std::string out = a.output.empty() ? file.filename : a.output;
    if (out == "-") {
        std::cout.write(file.body.data(), static_cast<std::streamsize>(file.body.size()));
    } else {
        std::ofstream f(out, std::ios::binary);
        f.write(file.body.data(), static_cast<std::streamsize>(file.body.size()));
        f.close();
        if (!f) throw std::runtime_error(out + ": cannot write");
        std::cerr << "wrote " << out << '\n';
    }
    std::cerr << "report: " << file.report_json << '\n';
    for (const auto& w : file.warnings) std::cerr << "warning: " << w << '\n';
    std::cerr << "landing link: " << file.landing_link << '\n';
    return 0;
}

int serve(const std::string& db, const std::string& data_dir, const std::string& frontend_dir,
          http::ServerOptions options, int token_minutes, const std::string& read_model) {
    // Block the shutdown signals before any thread starts, so only sigwait() sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    if (!std::filesystem::exists(db)) {
        std::cout << "creating " << db << " from the bundled data in " << data_dir << '\n';
        create_from_bundled(db, data_dir);
    }
    const auto load_start = std::chrono::steady_clock::now();
    engine::Engine engine(storage::open_spatialite(db), engine::LoadMode::full, read_model);
    const double load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
    if (engine.loaded_from_snapshot()) {
        std::cout << "lernorte: read model from " << read_model << " in " << load_seconds << " s" << std::endl;
    } else {
        std::cout << "lernorte: read model from the store in " << load_seconds << " s";
        if (!read_model.empty()) {
            std::cout << " (" << engine.snapshot_skipped_because() << "; writing " << read_model << " meanwhile)";
        }
        std::cout << std::endl;
    }
    http::ApiConfig config;
    config.frontend_dir = frontend_dir;
    config.openapi_path = LERNORTE_OPENAPI_PATH;
    config.sources_path = LERNORTE_SOURCES_PATH;
    config.base_url = "http://" + options.listen + ":" + std::to_string(options.port);
    config.token_lifetime = std::chrono::minutes(token_minutes);
    config.max_body = options.max_body;
    config.data_dir = data_dir;
    http::Api api(engine, config);
    http::Server server(api, options);
    server.start();
    api.set_ready(true);
    const auto catalogue = engine.catalogue();
    std::cout << "lernorte: " << catalogue->size() << " published places, " << catalogue->stadtraeume().size()
              << " Stadträume; listening on http://" << options.listen << ":" << server.port() << std::endl;

    // Writes from other processes (lernorte import into this file) reach the map within a second.
    std::mutex watch_mutex;
    std::condition_variable watch_cv;
    bool stopping = false;
    std::thread watcher([&] {
        std::unique_lock lock(watch_mutex);
        while (!watch_cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; })) {
            try {
                if (engine.refresh_if_changed()) {
                    std::cout << "lernorte: the store changed; published catalogue version "
                              << engine.catalogue()->version() << std::endl;
                }
            } catch (const std::exception& e) {
                std::cerr << "lernorte: reloading the catalogue failed: " << e.what() << '\n';
            }
        }
    });

    int sig = 0;
    sigwait(&signals, &sig);
    {
        std::lock_guard lock(watch_mutex);
        stopping = true;
    }
    watch_cv.notify_all();
    watcher.join();
    std::cout << "lernorte: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
              << ": finishing in-flight requests and closing the store" << std::endl;
    api.set_ready(false);
    server.shutdown();
    // The next start reads the read model from this file instead of from every row.
    engine.wait_for_snapshot_write();
    if (const std::string error = engine.snapshot_write_error(); !error.empty()) {
        std::cerr << "lernorte: writing the read-model snapshot failed: " << error << '\n';
    }
    try {
        if (engine.save_snapshot()) std::cout << "lernorte: wrote " << read_model << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "lernorte: writing the read-model snapshot failed: " << e.what() << '\n';
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Lernorte: the map and catalogue of learning places"};
    app.require_subcommand(1);
    std::string db = "lernorte.sqlite";

    auto* serve_cmd = app.add_subcommand("serve", "Serve the API and the map (creates --db from the bundled data on first start)");
    http::ServerOptions server_options;
    server_options.threads = static_cast<int>(std::max(2U, std::thread::hardware_concurrency()));
    std::string data_dir = LERNORTE_DATA_DIR;
    std::string frontend_dir = LERNORTE_FRONTEND_DIR;
    bool quiet = false;
    serve_cmd->add_option("--db", db, "SpatiaLite file")->capture_default_str();
    serve_cmd->add_option("--port", server_options.port, "TCP port (0: any free port)")->capture_default_str();
    serve_cmd->add_option("--listen", server_options.listen, "address to listen on")->capture_default_str();
    serve_cmd->add_option("--threads", server_options.threads, "HTTP worker threads")->capture_default_str()
        ->check(CLI::Range(1, 256));
    serve_cmd->add_option("--data", data_dir, "bundled data directory (seed.json)")->capture_default_str();
    serve_cmd->add_option("--frontend", frontend_dir, "static frontend directory")->capture_default_str();
    serve_cmd->add_flag("--quiet", quiet, "no access log");
    std::string read_model;
    bool no_read_model = false;
    serve_cmd->add_option("--read-model", read_model,
                          "read-model snapshot file, read at start when it matches the store and written at "
                          "shutdown (default: the --db path + .readmodel)");
    serve_cmd->add_flag("--no-read-model", no_read_model, "always load the read model from the store; write no snapshot");
    int token_minutes = 480;
    serve_cmd->add_option("--token-lifetime", token_minutes, "minutes a login token is valid")->capture_default_str()
        ->check(CLI::Range(1, 60 * 24 * 30));

    auto* user_cmd = app.add_subcommand("user", "Manage accounts (admin, editor, planner)");
    user_cmd->require_subcommand(1);
    std::string user_action;
    std::string user_name;
    std::string user_role;
    std::string password_file;
    {
        auto* add = user_cmd->add_subcommand("add", "Add an account; the password is typed twice at a prompt");
        add->add_option("NAME", user_name, "user name (a-z, 0-9, . _ -)")->required();
        add->add_option("--role", user_role, "admin, editor or planner")->required();
        add->add_option("--password-file", password_file, "read the password from the first line of this file")
            ->check(CLI::ExistingFile);
        auto* list = user_cmd->add_subcommand("list", "List the accounts");
        auto* disable = user_cmd->add_subcommand("disable", "Disable an account and end its sessions");
        disable->add_option("NAME", user_name)->required();
        auto* enable = user_cmd->add_subcommand("enable", "Enable a disabled account");
        enable->add_option("NAME", user_name)->required();
        auto* passwd = user_cmd->add_subcommand("passwd", "Set a new password (ends the account's sessions)");
        passwd->add_option("NAME", user_name)->required();
        passwd->add_option("--password-file", password_file, "read the password from the first line of this file")
            ->check(CLI::ExistingFile);
        for (auto* sub : {add, list, disable, enable, passwd}) {
            sub->add_option("--db", db, "SpatiaLite file")->capture_default_str();
            sub->callback([&user_action, sub] { user_action = sub->get_name(); });
        }
    }

    auto* import_cmd = app.add_subcommand("import", "Import Stadträume, the city outline or places from any file GDAL reads");
    import_cmd->require_subcommand(1);
    std::string source;
    std::string layer;
    std::string s_srs;
    std::string map_spec;
    std::string mapping_file;
    std::string set_spec;
    std::string dataset;
    bool strict = false;
    std::string kind;
    for (const char* what : {"stadtraeume", "places", "outline"}) {
        auto* sub = import_cmd->add_subcommand(what, std::string("Import ") + what);
        sub->add_option("SRC", source, "file to import (GeoJSON, CSV, Shapefile, GeoPackage, KML, ...)")->required();
        sub->add_option("--db", db, "SpatiaLite file (created if missing)")->capture_default_str();
        sub->add_option("--layer", layer, "layer name (default: the first)");
        sub->add_option("--s-srs", s_srs, "CRS of the source when it has none, e.g. EPSG:25833");
        sub->add_option("--map", map_spec, "field mapping target=source,... e.g. name=Bezeichnung,category=typ");
        sub->add_option("--mapping", mapping_file, "JSON mapping file (see docs/IMPORT.md)")->check(CLI::ExistingFile);
        sub->add_option("--set", set_spec, "constant values target=value,... e.g. category=bibliothek,status=suggested");
        sub->add_option("--dataset", dataset, "dataset name that namespaces source ids (default: file name)");
        sub->add_flag("--strict", strict, "abort with the store unchanged if any feature is rejected");
        sub->callback([&kind, what] { kind = what; });
    }

    auto* export_cmd = app.add_subcommand("export", "Export geo-target lists for the ad platforms");
    export_cmd->require_subcommand(1);
    ExportArgs ex;
    auto* targets_cmd = export_cmd->add_subcommand("targets", "Circles or postcodes that reach the residents of Stadträume");
    targets_cmd->add_option("--stadtraum", ex.stadtraeume, "Stadtraum numbers, e.g. 11 or 2,11,16")->required();
    targets_cmd->add_option("--platform", ex.platform, "meta, google, snapchat, tiktok, geojson, kml, gpkg")->required();
    targets_cmd->add_option("--mode", ex.mode, "circles or postcodes (default: circles where the platform has them)");
    targets_cmd->add_option("--radius", ex.radius, "circle radius in metres (default: 1000 or the platform's minimum)");
    targets_cmd->add_option("--target", ex.target, "target coverage of the selection in % (1..100)")->capture_default_str();
    targets_cmd->add_option("--threshold", ex.threshold, "postcode inclusion threshold in % (1..100)")->capture_default_str();
    targets_cmd->add_option("--share", ex.share, "what the threshold applies to: residents or area")->capture_default_str();
    targets_cmd->add_flag("--exclude-neighbours", ex.exclude_neighbours, "exclude the neighbouring Stadträume's postcodes (Meta)");
    targets_cmd->add_option("--campaign", ex.campaign, "campaign name in the file")->capture_default_str();
    targets_cmd->add_option("--landing-base", ex.landing_base, "map address for the landing link")->capture_default_str();
    targets_cmd->add_option("-o,--output", ex.output, "output file ('-' for stdout; default: the suggested file name)");
    targets_cmd->add_option("--db", db, "SpatiaLite file")->capture_default_str();
    targets_cmd->add_option("--data", data_dir, "bundled data directory (residents, postcodes)")->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : exit_failed;
    }

    try {
        if (serve_cmd->parsed()) {
            server_options.access_log = !quiet;
            if (no_read_model) read_model.clear();
            else if (read_model.empty()) read_model = engine::default_snapshot_path(db);
            return serve(db, data_dir, frontend_dir, server_options, token_minutes, read_model);
        }
        if (user_cmd->parsed()) return user_command(user_action, db, user_name, user_role, password_file);
        if (export_cmd->parsed()) return export_targets(db, data_dir, ex);
        engine::ImportOptions options;
        if (!mapping_file.empty()) options.mapping = engine::load_mapping_file(mapping_file);
        engine::FieldMapping cli = engine::parse_field_map(map_spec);
        cli.set = engine::parse_field_map(set_spec).fields;
        cli.layer = layer;
        cli.s_srs = s_srs;
        cli.dataset = dataset;
        engine::merge_mapping(options.mapping, cli);
        options.strict = strict;
        options.publish = false;  // this process exits; a server on the file reloads by itself
        Progress progress("importing " + kind);
        if (isatty(STDERR_FILENO) == 1) {
            options.progress = [&progress](std::int64_t done, std::optional<std::int64_t> total) {
                progress.update(done, total);
            };
        }
        if (!std::filesystem::exists(source)) {
            std::cerr << "lernorte: error: " << source << ": no such file\n";
            return exit_failed;
        }
        engine::Engine engine(storage::open_spatialite(db), engine::LoadMode::boundaries_only);
        engine::ImportReport report;
        if (kind == "stadtraeume") {
            report = engine::import_stadtraeume(engine, source, options);
        } else if (kind == "outline") {
            report = engine::import_outline(engine, source, options);
        } else {
            report = engine::import_places(engine, source, options);
        }
        return print_report(report);
    } catch (const engine::TargetError& e) {
        std::cerr << "lernorte: error: --" << e.field << ": " << e.what() << '\n';
        return exit_failed;
    } catch (const std::exception& e) {
        std::cerr << "lernorte: error: " << e.what() << '\n';
        return exit_failed;
    }
}
