// The real window catching up: ShopSession and qrc:/ShopStream/Main.qml, offscreen, against
// a stream given by --redis/--stream, while a 5 ms timer on the GUI thread measures how long
// the thread was ever kept from its event loop (a stall). Prints the catch-up rate, the
// longest stall, the stalls over 50 ms, the CPU of the window's thread, the consumer's and
// its rows' (HistoryRecorder), and the peak RSS. After the catch-up it seeks the window to
// 200 random points (the timeline, then the history tables and their views), and times the
// timeline's part alone at 200 more. Its last line is always one JSON object, for other
// tools: {events, seconds, eventsPerSecond, peakRssBytes, longestStallMs,
// guiThreadCpuSeconds, consumerThreadCpuSeconds, rowsThreadCpuSeconds, stallsOver50Ms,
// historyBytes, historyBytesPerEvent, liveSeconds, timelineSeekP99Ms, seekP50Ms, seekP99Ms,
// seekMaxMs}. `shopstream-cli bench` runs it on its native stream when it finds it next to
// gui_bench (--json: the rows as a JSON array on the line before).
#include "gui_rows.hpp"
#include "replay_controller.hpp"
#include "shop_session.hpp"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

namespace {
constexpr int kSeeks = 200;

// CPU seconds (user + system) of this process's threads whose name starts with `prefix`,
// or of the main thread when prefix is empty; from /proc/self/task/*/stat.
double threadCpuSeconds(const std::string& prefix)
{
    const std::string self = std::to_string(::getpid());
    double seconds = 0;
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        return -1;
    DIR* dir = ::opendir("/proc/self/task");
    if (!dir)
        return -1;
    while (const dirent* task = ::readdir(dir)) {
        const std::string tid = task->d_name;
        if (tid == "." || tid == "..")
            continue;
        const std::string base = "/proc/self/task/" + tid;
        std::ifstream commFile(base + "/comm");
        std::string comm;
        std::getline(commFile, comm);
        if (prefix.empty() ? tid != self : comm.rfind(prefix, 0) != 0)
            continue;
        std::ifstream statFile(base + "/stat");
        std::string stat((std::istreambuf_iterator<char>(statFile)), std::istreambuf_iterator<char>());
        // Fields after the name (which may hold spaces) in parentheses: state is field 3,
        // utime and stime fields 14 and 15.
        const auto close = stat.rfind(')');
        if (close == std::string::npos)
            continue;
        std::istringstream rest(stat.substr(close + 2));
        std::string field;
        unsigned long long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && rest >> field; ++i) {
            if (i == 14)
                utime = std::stoull(field);
            else if (i == 15)
                stime = std::stoull(field);
        }
        seconds += double(utime + stime) / double(ticks);
    }
    ::closedir(dir);
    return seconds;
}
} // namespace

int main(int argc, char** argv)
{
    QString url;
    QString stream = QStringLiteral("shop:events");
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--redis") == 0 && i + 1 < argc)
            url = QString::fromLocal8Bit(argv[++i]);
        else if (std::strcmp(argv[i], "--stream") == 0 && i + 1 < argc)
            stream = QString::fromLocal8Bit(argv[++i]);
        else if (std::strcmp(argv[i], "--json") == 0)
            json = true;
        else {
            std::fprintf(stderr, "usage: gui_catchup_bench --redis URL [--stream KEY] [--json]\n");
            return 2;
        }
    }
    if (url.isEmpty()) {
        std::fprintf(stderr, "gui_catchup_bench: --redis URL is required\n");
        return 2;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    shop::app::ShopSession session(nullptr);
    shop::app::ShopSession::setInstance(&session);
    QQmlApplicationEngine engine;
    engine.load(QUrl(QStringLiteral("qrc:/ShopStream/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        std::fprintf(stderr, "gui_catchup_bench: the QML did not load\n");
        return 1;
    }

    // The probe: how late each 5 ms tick fires is how long the thread was busy.
    constexpr int kTickMs = 5;
    QElapsedTimer sinceTick;
    qint64 longestStall = 0;
    int over50 = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(kTickMs);
    // The history's memory once a million entries are in, and at the end: the slope is the
    // memory per event, without what any history costs from the first entry on.
    constexpr qint64 kFirstMark = 1'000'000;
    qint64 markedCount = -1, markedBytes = 0;
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 late = sinceTick.restart() - kTickMs;
        longestStall = std::max(longestStall, late);
        if (late > 50)
            ++over50;
        if (markedCount < 0 && session.events()->totalCount() >= kFirstMark) {
            markedCount = session.events()->totalCount();
            markedBytes = session.historyMemoryBytes();
        }
    });

    QElapsedTimer clock;
    qint64 doneMs = -1;
    qint64 liveMs = -1; // the consumer at the head: the tables filled, editing on
    QObject::connect(&session, &shop::app::ShopSession::statusChanged, &app, [&] {
        if (liveMs < 0 && session.caughtUp())
            liveMs = clock.elapsed();
        if (doneMs < 0 && session.caughtUp() && session.historyComplete()) {
            doneMs = clock.elapsed();
            QTimer::singleShot(200, &app, &QCoreApplication::quit); // a few more ticks at the head
        }
    });
    shop::app::SessionOptions options;
    options.redisUrl = url;
    options.stream = stream;
    options.snapshotIntervalMs = 0;
    clock.start();
    sinceTick.start();
    probe.start();
    session.start(options);
    // A bound, should Redis be gone: a minute without a new entry (not a total time, which
    // a 100M stream outlasts).
    qint64 lastCount = -1;
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    QTimer watchdog;
    QObject::connect(&watchdog, &QTimer::timeout, &app, [&] {
        const qint64 count = session.events()->totalCount();
        if (count != lastCount) {
            lastCount = count;
            sinceProgress.restart();
        } else if (sinceProgress.elapsed() > 60000) {
            app.quit();
        }
    });
    watchdog.start(1000);
    app.exec();
    if (doneMs < 0) {
        std::fprintf(stderr, "gui_catchup_bench: did not catch up (no new entry for a minute)\n");
        return 1;
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    // Where the catch-up's CPU went: the window's thread, and the consumer's (the headless
    // consume does only the latter's reading and applying).
    const double guiCpu = threadCpuSeconds({});
    const double consumerCpu = threadCpuSeconds("shopstream-cons");
    const double rowsCpu = threadCpuSeconds("shopstream-rows"); // the consumer's history rows

    // Seeks to random points of the whole history, as the timeline's slider does.
    std::vector<double> seekMs, timelineMs;
    shop::app::ReplayController* replay = session.replay();
    if (replay->available() && replay->length() > 0) {
        std::mt19937_64 random(42);
        std::uniform_int_distribution<qint64> position(0, replay->length());
        for (int i = 0; i < kSeeks; ++i) {
            QElapsedTimer seekClock;
            seekClock.start();
            replay->seek(position(random));
            seekMs.push_back(double(seekClock.nsecsElapsed()) / 1e6);
        }
        replay->goLive();
        std::sort(seekMs.begin(), seekMs.end());
        // The timeline's share of a seek (restore the nearest checkpoint, re-apply the rest),
        // without the models and views the window then updates.
        for (int i = 0; i < kSeeks; ++i) {
            QElapsedTimer seekClock;
            seekClock.start();
            const shop::ShopState state = replay->timeline().stateAt(static_cast<std::size_t>(position(random)));
            timelineMs.push_back(double(seekClock.nsecsElapsed()) / 1e6);
        }
        std::sort(timelineMs.begin(), timelineMs.end());
    }
    const auto percentileOf = [](const std::vector<double>& sorted, double p) {
        return sorted.empty() ? -1.0 : sorted[std::min(sorted.size() - 1, std::size_t(p / 100.0 * double(sorted.size())))];
    };
    const auto seekPercentile = [&](double p) { return percentileOf(seekMs, p); };
    const auto timelinePercentile = [&](double p) { return percentileOf(timelineMs, p); };
    const double events = double(session.totalEvents());
    const double rate = events * 1000.0 / double(std::max<qint64>(1, doneMs));
    const double rssMb = double(usage.ru_maxrss) / 1024.0;
    const qint64 endCount = session.events()->totalCount();
    const qint64 endBytes = session.historyMemoryBytes();
    const double perEvent = markedCount > 0 && endCount > markedCount
                                ? double(endBytes - markedBytes) / double(endCount - markedCount)
                                : double(endBytes) / double(std::max<qint64>(1, endCount));
    char memoryNote[128];
    std::snprintf(memoryNote, sizeof memoryNote, "history %.1f MB for %lld entries; %s", double(endBytes) / 1048576.0,
                  static_cast<long long>(endCount),
                  markedCount > 0 && endCount > markedCount ? "slope from the first million on" : "average");
    char note[128];
    std::snprintf(note, sizeof note, "%.0f events, Main.qml offscreen, events + timeline + models; %.2f s", events,
                  doneMs / 1000.0);
    if (json) {
        const nlohmann::json rows = nlohmann::json::array({
            {{"name", shop::bench::kGuiCatchUpRow}, {"figure", rate}, {"unit", "events/s"}, {"note", note}},
            {{"name", shop::bench::kGuiStallRow}, {"figure", double(longestStall)}, {"unit", "ms"},
             {"goalBelow", 50}, {"note", std::to_string(over50) + " stalls over 50 ms; 5 ms probe timer"}},
            {{"name", "GUI: peak RSS after catch-up"}, {"figure", rssMb}, {"unit", "MB"},
             {"note", "whole process: Qt, QML, models, replay timeline"}},
            {{"name", "GUI: window history memory per event"}, {"figure", perEvent}, {"unit", "bytes"},
             {"goalAtMost", 24}, {"note", memoryNote}},
            {{"name", shop::bench::kGuiLiveRow}, {"figure", double(liveMs) / 1000.0}, {"unit", "s"},
             {"note", "from start; with a snapshot at the head this is the restore and the tail"}},
            {{"name", "GUI: timeline seek (restore + re-apply), p99"}, {"figure", timelinePercentile(99)}, {"unit", "ms"},
             {"goalBelow", 50}, {"note", std::to_string(timelineMs.size()) + " random points over the whole history"}},
            {{"name", "GUI: seek in the window with its tables, p99"}, {"figure", seekPercentile(99)}, {"unit", "ms"},
             {"note", std::to_string(seekMs.size()) + " random seeks: timeline, then the history tables and views"}},
        });
        std::printf("%s\n", rows.dump().c_str());
    } else {
        std::printf("catch-up in the real window: %.0f events/s (%s)\n", rate, note);
        std::printf("longest GUI-thread stall: %lld ms (%d over 50 ms)\n", static_cast<long long>(longestStall), over50);
        std::printf("CPU in the catch-up: window thread %.2f s, consumer thread %.2f s, its rows thread %.2f s\n", guiCpu,
                    consumerCpu, rowsCpu);
        std::printf("peak RSS: %.1f MB\n", rssMb);
        std::printf("history memory per event: %.1f bytes (%s)\n", perEvent, memoryNote);
        std::printf("live (at the head, editable) after %.2f s\n", double(liveMs) / 1000.0);
        std::printf("timeline seeks (restore + re-apply): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", timelinePercentile(50),
                    timelinePercentile(99), timelineMs.empty() ? -1.0 : timelineMs.back());
        std::printf("seeks in the window with its tables: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu random seeks)\n",
                    seekPercentile(50), seekPercentile(99), seekMs.empty() ? -1.0 : seekMs.back(), seekMs.size());
    }
    // Always the last line, for other tools: one JSON object.
    const nlohmann::json summary = {{"events", static_cast<long long>(events)},
                                    {"seconds", doneMs / 1000.0},
                                    {"eventsPerSecond", rate},
                                    {"peakRssBytes", static_cast<long long>(usage.ru_maxrss) * 1024},
                                    {"longestStallMs", longestStall},
                                    {"guiThreadCpuSeconds", guiCpu},
                                    {"consumerThreadCpuSeconds", consumerCpu},
                                    {"rowsThreadCpuSeconds", rowsCpu},
                                    {"stallsOver50Ms", over50},
                                    {"historyBytes", endBytes},
                                    {"historyBytesPerEvent", perEvent},
                                    {"liveSeconds", double(liveMs) / 1000.0},
                                    {"timelineSeekP99Ms", timelinePercentile(99)},
                                    {"seekP50Ms", seekPercentile(50)},
                                    {"seekP99Ms", seekPercentile(99)},
                                    {"seekMaxMs", seekMs.empty() ? -1.0 : seekMs.back()}};
    std::printf("%s\n", summary.dump().c_str());
    return 0;
}
