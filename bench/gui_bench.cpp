// GUI-process figures (DESIGN sections 6 and 9): the window's memory per event for the
// history (the store shared by the Events page and the replay timeline, the model over it,
// and the timeline's checkpoints), filled with N entries as ShopSession fills it (one chunk
// per consumer batch, recorded as ConsumerWorker records). The entries come from the traffic
// simulator in memory: no Redis needed. This is an average, checkpoints included (their
// cost follows the state, not the history); the budget of 24 bytes is the slope from 1M to
// 10M, which gui_catchup_bench measures in the real window. Run with
// QT_QPA_PLATFORM=offscreen; `shopstream-cli bench` runs it with --json when it finds it.
#include "event_list_model.hpp"

#include "engine/engine_types.hpp"
#include "engine/replay_timeline.hpp"

#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"

#include <QGuiApplication>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <malloc.h>
#include <string>
#include <vector>

namespace {

// Resident set size of this process, in bytes (VmRSS).
long long residentBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atoll(line.c_str() + 6) * 1024;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t events = 1000000;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = std::strtoull(argv[++i], nullptr, 10);
        else if (std::strcmp(argv[i], "--json") == 0)
            json = true;
        else {
            std::fprintf(stderr, "usage: gui_bench [--events N] [--json]\n");
            return 2;
        }
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);

    shop::SimulatorOptions options;
    options.users = 10000;
    options.items = 1000;
    shop::ShopSimulator sim(options);
    shop::ShopState state;
    shop::Event scratch;
    shop::SimEntry sim_entry;
    shop::engine::HistoryStore history;
    shop::app::EventListModel model(history);
    shop::engine::ReplayTimeline timeline(history);
    shop::engine::HistoryBuilder builder(history.sharedNames());
    constexpr std::size_t kBatch = 5000;
    std::vector<shop::engine::TimelineCheckpoint> checkpoints;
    std::string id;

    malloc_trim(0);
    const long long rssBefore = residentBytes();
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < events;) {
        for (std::size_t k = 0; k < kBatch && i < events; ++k, ++i) {
            sim.next(sim_entry);
            id = std::to_string(1700000000000ULL + i / 8) + "-" + std::to_string(i % 8);
            shop::RawEntry entry;
            entry.id = id;
            entry.type = sim_entry.type;
            entry.data = sim_entry.data;
            entry.v = "1";
            const shop::Reason reason = shop::processEntry(state, entry, scratch);
            // As ConsumerWorker records it.
            shop::engine::recordEntry(entry, reason, scratch, state, builder, checkpoints);
        }
        // As ShopSession takes a batch in.
        const std::size_t from = history.size();
        history.append(builder.take());
        model.appended(from);
        for (auto& c : checkpoints)
            timeline.addCheckpoint(std::move(c));
        checkpoints.clear();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    malloc_trim(0);
    const long long rssAfter = residentBytes();

    const std::size_t bytes = history.memoryBytes() + history.names().memoryBytes() + std::size_t(model.memoryBytes())
                              + timeline.memoryBytes();
    const double perEvent = double(bytes) / double(events);
    const double rssPerEvent = double(rssAfter - rssBefore) / double(events);
    char note[200];
    std::snprintf(note, sizeof note,
                  "%zu rows: store %.1f + checkpoints %.1f bytes/event; RSS grew %.1f bytes/event (incl. ShopState)",
                  events, double(history.memoryBytes()) / double(events), double(timeline.memoryBytes()) / double(events),
                  rssPerEvent);
    // File > Export of the Events page's rows, all of them, as CSV: the GUI thread takes the
    // rows (a snapshot), the export's own thread writes them (the file's writing aside).
    auto exportStart = std::chrono::steady_clock::now();
    const shop::app::EventListModel::RowsSnapshot rows = model.snapshotRows();
    const double snapshotMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - exportStart).count();
    std::size_t exportBytes = 0;
    exportStart = std::chrono::steady_clock::now();
    const std::size_t exported = shop::app::EventListModel::writeRows(
        rows, false, [&exportBytes](std::string_view chunk) { exportBytes += chunk.size(); });
    const double exportSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - exportStart).count();
    char exportNote[160];
    std::snprintf(exportNote, sizeof exportNote,
                  "%zu rows, %.0f MB of CSV in %.2f s on the export's thread; the GUI thread's snapshot %.2f ms", exported,
                  double(exportBytes) / 1e6, exportSeconds, snapshotMs);
    char fillNote[64];
    std::snprintf(fillNote, sizeof fillNote, "chunks of %zu, with simulation", kBatch);
    if (json) {
        const nlohmann::json rows = nlohmann::json::array({
            {{"name", "GUI: history memory per event (average)"}, {"figure", perEvent}, {"unit", "bytes"}, {"note", note}},
            {{"name", "GUI: history fill rate"}, {"figure", double(events) / seconds}, {"unit", "events/s"}, {"note", fillNote}},
            {{"name", "GUI: export the Events rows as CSV"}, {"figure", double(exported) / exportSeconds}, {"unit", "events/s"},
             {"note", exportNote}},
        });
        std::printf("%s\n", rows.dump().c_str());
    } else {
        std::printf("history memory per event (average): %.1f bytes; %s\n", perEvent, note);
        std::printf("history fill rate: %.0f events/s (%s)\n", double(events) / seconds, fillNote);
        std::printf("export the Events rows as CSV: %.0f events/s (%s)\n", double(exported) / exportSeconds, exportNote);
    }
    return 0;
}
