// shopstream-cli bench: every figure of DESIGN section 9 in one run, against a private
// redis-server (unix socket in a temporary directory, no persistence) that is stopped at
// the end, even on error. Each figure is printed next to the baseline it is compared with:
// the same stream read with XRANGE COUNT 10000 through hiredis doing nothing but counting,
// or the same entries written with raw pipelined XADDs. Catch-up runs in a child process
// (the real `shopstream-cli consume`), so that its peak RSS is its own; it also runs over
// loopback TCP and over TLS (the server's TLS port, a certificate made in process) to show
// what encryption costs.
#include "perf_suite.hpp"
#include "gui_rows.hpp"
#include "self_signed.hpp"

#include "core/entry_decoder.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"
#include "core/state_json.hpp"
#include "engine/entry_search.hpp"
#include "engine/history_overview.hpp"
#include "engine/history_what_if.hpp"
#include "engine/replay_timeline.hpp"
#include "redis/connection.hpp"
#include "redis/keys.hpp"
#include "redis/server_process.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"
#include "redis/stream_writer.hpp"

#include <hiredis.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shop::bench {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr double kNone = std::numeric_limits<double>::quiet_NaN(); // no baseline

constexpr std::size_t kReadBatch = 10000;   // XRANGE COUNT, as the consumer and the baseline use
constexpr std::size_t kProduceChunk = 10000; // as `produce` writes
constexpr std::int64_t kUsers = 10000;
constexpr std::int64_t kItems = 1000;
constexpr std::int64_t kSnapshotUsers = 100000;
constexpr std::int64_t kSnapshotItems = 10000;
constexpr std::size_t kRestartTail = 1000;

const char* const kNative = "bench:native";
const char* const kLegacy = "bench:legacy";
const char* const kRawAppend = "bench:raw-append";
const char* const kOneByOne = "bench:append-one";
const char* const kSnapshots = "bench:snapshots";

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
double msSince(Clock::time_point start) { return secondsSince(start) * 1000.0; }

double median(std::vector<double> v)
{
    if (v.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * double(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// ---- one row of the table ---------------------------------------------------------------

enum class Goal { None, RatioAtLeast, AtMost, Below };

struct Row {
    std::string name;
    double figure = std::numeric_limits<double>::quiet_NaN();
    std::string unit;
    double baseline = std::numeric_limits<double>::quiet_NaN(); // same unit as figure
    Goal goal = Goal::None;
    double target = 0;
    std::string note;

    bool measured() const { return std::isfinite(figure); }
    double ratio() const { return std::isfinite(baseline) && baseline > 0 ? figure / baseline : std::numeric_limits<double>::quiet_NaN(); }
    std::optional<bool> met() const
    {
        if (!measured())
            return std::nullopt;
        switch (goal) {
        case Goal::None:
            return std::nullopt;
        case Goal::RatioAtLeast:
            return std::isfinite(ratio()) ? std::optional<bool>(ratio() >= target) : std::nullopt;
        case Goal::AtMost:
            return figure <= target;
        case Goal::Below:
            return figure < target;
        }
        return std::nullopt;
    }
    std::string targetText() const
    {
        char buf[64];
        switch (goal) {
        case Goal::None:
            return "-";
        case Goal::RatioAtLeast:
            std::snprintf(buf, sizeof buf, ">= %.1fx", target);
            return buf;
        case Goal::AtMost:
            std::snprintf(buf, sizeof buf, "<= %g %s", target, unit.c_str());
            return buf;
        case Goal::Below:
            std::snprintf(buf, sizeof buf, "< %g %s", target, unit.c_str());
            return buf;
        }
        return "-";
    }
};

std::string formatNumber(double v)
{
    if (!std::isfinite(v))
        return "-";
    char buf[64];
    if (std::fabs(v) >= 1000) {
        // thousands separators for big counts
        std::snprintf(buf, sizeof buf, "%.0f", v);
        std::string digits = buf;
        std::string out;
        const bool negative = !digits.empty() && digits[0] == '-';
        if (negative)
            digits.erase(0, 1);
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0)
                out.push_back(',');
            out.push_back(digits[i]);
        }
        return negative ? "-" + out : out;
    }
    if (std::fabs(v) >= 100)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (std::fabs(v) >= 10)
        std::snprintf(buf, sizeof buf, "%.1f", v);
    else if (std::fabs(v) >= 0.1)
        std::snprintf(buf, sizeof buf, "%.2f", v);
    else
        std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

// "runs A..B": the spread of repeated figures, for a row's note.
std::string runsRange(const std::vector<double>& v)
{
    return "runs " + formatNumber(*std::min_element(v.begin(), v.end())) + ".." + formatNumber(*std::max_element(v.begin(), v.end()));
}

void printTable(const std::vector<Row>& rows)
{
    std::printf("%-44s %12s %-9s %12s %7s %-12s %s\n", "benchmark", "figure", "unit", "baseline", "ratio", "target", "note");
    std::printf("%s\n", std::string(120, '-').c_str());
    for (const Row& r : rows) {
        std::string note;
        if (!r.measured())
            note = "NOT MEASURED";
        else if (const auto met = r.met())
            note = *met ? "met" : "not met";
        if (!r.note.empty())
            note += (note.empty() ? "" : "; ") + r.note;
        char ratio[32] = "-";
        if (std::isfinite(r.ratio()))
            std::snprintf(ratio, sizeof ratio, "%.2fx", r.ratio());
        std::printf("%-44s %12s %-9s %12s %7s %-12s %s\n", r.name.c_str(), formatNumber(r.figure).c_str(), r.unit.c_str(),
                    formatNumber(r.baseline).c_str(), ratio, r.targetText().c_str(), note.c_str());
    }
}

json rowsToJson(const std::vector<Row>& rows)
{
    json out = json::array();
    const auto num = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    for (const Row& r : rows) {
        const auto met = r.met();
        out.push_back({{"name", r.name},
                       {"figure", num(r.figure)},
                       {"unit", r.unit},
                       {"baseline", num(r.baseline)},
                       {"ratio", num(r.ratio())},
                       {"target", r.targetText()},
                       {"met", met ? json(*met) : json(nullptr)},
                       {"note", r.note}});
    }
    return out;
}

// ---- the private redis-server -------------------------------------------------------------

// A loopback port nobody listens on now (the kernel's pick); 0 when there is none.
int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        ::close(fd);
    return port;
}

// The bench's redis-server: a unix socket, and on loopback a plain TCP port and a TLS port
// (a self-signed certificate made here), for catch-up over TCP and over TLS.
class PrivateRedis {
public:
    ~PrivateRedis() { stop(); }

    bool start(std::string& error)
    {
        char pattern[] = "/tmp/shopstream-bench-XXXXXX";
        if (!::mkdtemp(pattern)) {
            error = std::string("cannot create a temporary directory: ") + std::strerror(errno);
            return false;
        }
        dir_ = pattern;
        socket_ = dir_ + "/redis.sock";
        const std::string cert = dir_ + "/tls.crt", key = dir_ + "/tls.key";
        if (!makeSelfSignedCertificate(cert, key, error)) {
            stop();
            return false;
        }
        for (int attempt = 0; attempt < 3; ++attempt) { // a port picked here may be taken before redis binds it
            tcpPort_ = freeLoopbackPort();
            tlsPort_ = freeLoopbackPort();
            if (server_.start({.dir = dir_,
                               .socketPath = socket_,
                               .port = tcpPort_,
                               .extraArgs = {"--tls-port", std::to_string(tlsPort_), "--tls-cert-file", cert, "--tls-key-file", key,
                                             "--tls-ca-cert-file", cert, "--tls-auth-clients", "no"}}))
                return startReplica(error);
            error = server_.error();
        }
        stop();
        return false;
    }

    // A replica of it on its own socket, for appends that WAIT for one.
    bool startReplica(std::string& error)
    {
        const std::string dir = dir_ + "/replica";
        std::filesystem::create_directories(dir);
        if (replica_.start({.dir = dir, .socketPath = dir + "/redis.sock", .extraArgs = {"--replicaof", "127.0.0.1", std::to_string(tcpPort_)}}))
            return true;
        error = "the replica: " + replica_.error();
        stop();
        return false;
    }

    void stop()
    {
        replica_.stop();
        server_.stop();
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
            dir_.clear();
        }
    }

    redis::RedisUrl url() const { return redis::RedisUrl::unixSocket(socket_); }
    std::string urlText() const { return "unix://" + socket_; }
    std::string tcpUrlText() const { return "redis://127.0.0.1:" + std::to_string(tcpPort_); }
    std::string tlsUrlText() const { return "rediss://127.0.0.1:" + std::to_string(tlsPort_) + "?tls-ca=" + dir_ + "/tls.crt"; }
    const std::string& socketPath() const { return socket_; }

private:
    redis::ServerProcess server_;
    redis::ServerProcess replica_;
    std::string dir_;
    std::string socket_;
    int tcpPort_ = 0;
    int tlsPort_ = 0;
};

// ---- a child process: its output, wall time and peak RSS ------------------------------------

struct ChildRun {
    bool ok = false;
    int exitCode = -1;
    std::string output;
    double wallSeconds = 0;
    double maxRssMb = 0;
};

ChildRun runChild(const std::vector<std::string>& argv, const std::vector<std::string>& extraEnv = {})
{
    ChildRun run;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return run;
    const auto start = Clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return run;
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        for (const std::string& e : extraEnv)
            ::putenv(const_cast<char*>(e.c_str()));
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0)
            run.output.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR)
            break;
    }
    ::close(fds[0]);
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    run.wallSeconds = secondsSince(start);
    run.maxRssMb = double(usage.ru_maxrss) / 1024.0; // KiB on Linux
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.ok = run.exitCode == 0;
    return run;
}

std::string selfExe()
{
    std::error_code ec;
    const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.string();
}

// ---- the benchmarks -----------------------------------------------------------------------

class Bench {
public:
    explicit Bench(const SuiteOptions& o)
        : n_(o.events), quick_(o.quick), json_(o.json), only_(o.only.begin(), o.only.end()), timeline_(history_)
    {
    }

    int run();

    // The steps in the order they run, by name (--only names them; "gui" runs last, apart).
    using Step = std::pair<const char*, void (*)(Bench&)>;
    static const std::vector<Step>& steps();

private:
    void progress(const char* format, ...) __attribute__((format(printf, 2, 3)));
    bool connect(redis::Connection& c);
    redisContext* rawConnect();

    void appendOne();
    void produce();
    double rawRead(const char* stream, std::size_t& entries);
    bool childRows(const std::vector<std::string>& argv, std::vector<Row>& rows);
    bool addChildRows(const std::vector<std::string>& argv, Row fallback);
    bool dropSnapshots(const char* stream);
    void windowCatchUp(const std::filesystem::path& exe);
    void catchUp(const char* stream, const char* label);
    void catchUpTls();
    ChildRun consumeChild(const std::string& url, const char* stream, double& perSecond);
    void inProcessCatchUp();
    void inMemory();
    void inMemoryLegacy();
    void replay();
    void overview();
    void whatIf();
    void search();
    void snapshots();
    void restart();
    void gui();

    Row& add(Row row)
    {
        rows_.push_back(std::move(row));
        return rows_.back();
    }

    std::size_t n_;
    bool quick_;
    bool json_;
    std::set<std::string> only_; // empty: every step
    PrivateRedis server_;
    std::vector<Row> rows_;
    double rawNative_ = std::numeric_limits<double>::quiet_NaN(); // events/s, median
    double rawLegacy_ = std::numeric_limits<double>::quiet_NaN();
    engine::HistoryStore history_; // the window's history, as the consumer hands it over
    engine::ReplayTimeline timeline_;
    std::string error_;
};

void Bench::progress(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    std::fputs("bench: ", stderr);
    std::vfprintf(stderr, format, args);
    std::fputc('\n', stderr);
    va_end(args);
}

bool Bench::connect(redis::Connection& c)
{
    redis::ConnectOptions options;
    options.commandTimeoutMs = 120000;
    if (!c.connect(server_.url(), options)) {
        error_ = c.error();
        return false;
    }
    return true;
}

redisContext* Bench::rawConnect()
{
    redisContext* ctx = redisConnectUnix(server_.socketPath().c_str());
    if (!ctx || ctx->err) {
        if (ctx)
            redisFree(ctx);
        return nullptr;
    }
    return ctx;
}

// One append through the GUI's path: StreamWriter::append (the Lua script, one round trip);
// then the same with --wait-replicas 1 (WAIT for the bench server's replica after each).
void Bench::appendOne()
{
    const std::size_t count = quick_ ? 500 : 10000;
    progress("%zu single appends (EVALSHA, one round trip each), then as many with WAIT 1", count);
    redis::Connection c;
    if (!connect(c))
        return;
    redis::StreamWriter writer(c, kOneByOne);
    // Milliseconds per append, the first 100 (the script loaded, a warm-up) left out.
    const auto timeAppends = [&](std::vector<double>& ms) {
        ms.reserve(count);
        redis::AppendRequest request;
        request.type = "TopUp";
        request.actor = "bench";
        for (std::size_t i = 0; i < count + 100; ++i) {
            request.data = "{\"userId\":" + std::to_string(i % 1000 + 1) + ",\"amount\":500}";
            request.eid.clear();
            const auto start = Clock::now();
            const auto result = writer.append(request);
            const double t = msSince(start);
            if (!result.ok || result.replicasConfirmed == 0) {
                error_ = result.ok ? "the bench's replica did not confirm an append within 1 s" : result.error;
                return false;
            }
            if (i >= 100)
                ms.push_back(t);
        }
        return true;
    };
    std::vector<double> ms;
    if (!timeAppends(ms))
        return;
    const double plainP50 = percentile(ms, 50);
    add({"append one (Lua, CommandWriter path) p50", plainP50, "ms", kNone, Goal::Below, 1.0, ""});
    add({"append one (Lua, CommandWriter path) p99", percentile(ms, 99), "ms", kNone, Goal::None, 0,
         "max " + formatNumber(*std::max_element(ms.begin(), ms.end())) + " ms"});

    // The replica has synced once WAIT 1 answers 1.
    for (int i = 0; i < 100 && c.command({"WAIT", "1", "100"}).integer() < 1; ++i) {
    }
    writer.setWaitReplicas(1, 1000);
    std::vector<double> waited;
    if (!timeAppends(waited))
        return;
    add({"append one --wait-replicas 1 p50", percentile(waited, 50), "ms", plainP50, Goal::None, 0,
         "WAIT 1 after each append, one replica on loopback; baseline: without WAIT"});
    add({"append one --wait-replicas 1 p99", percentile(waited, 99), "ms", kNone, Goal::None, 0,
         "max " + formatNumber(*std::max_element(waited.begin(), waited.end())) + " ms"});
    c.command({"DEL", kOneByOne});
}

// `produce` (StreamWriter::appendBatch) and the raw pipelined XADD baseline, chunk by chunk
// in turn (the same entries, the same pipeline depth), so that a busy moment of the machine
// falls on both. Then the legacy stream.
void Bench::produce()
{
    progress("writing %zu native entries (produce vs raw pipelined XADD, interleaved)", n_);
    redis::Connection c;
    if (!connect(c))
        return;
    redisContext* raw = rawConnect();
    if (!raw) {
        error_ = "cannot open a raw hiredis connection";
        return;
    }
    constexpr std::size_t kPipeline = 1000; // StreamWriter::appendBatch's default
    SimulatorOptions options;
    options.users = kUsers;
    options.items = kItems;
    options.seed = 1;
    ShopSimulator sim(options);
    redis::StreamWriter writer(c, kNative);
    std::vector<redis::AppendRequest> requests;
    std::vector<std::string> rawEids;
    SimEntry entry;
    double produceSeconds = 0, rawSeconds = 0;
    for (std::size_t written = 0; written < n_;) {
        const std::size_t chunk = std::min(kProduceChunk, n_ - written);
        requests.resize(chunk);
        rawEids.resize(chunk);
        for (std::size_t i = 0; i < chunk; ++i) {
            sim.next(entry);
            requests[i].type = entry.type;
            requests[i].data = entry.data;
            requests[i].actor = "simulator";
            requests[i].legacy = false;
            rawEids[i] = redis::StreamWriter::newEid();
        }
        // Raw baseline: the same fields (eids made beforehand), hiredis only.
        auto start = Clock::now();
        for (std::size_t begin = 0; begin < chunk; begin += kPipeline) {
            const std::size_t end = std::min(chunk, begin + kPipeline);
            for (std::size_t i = begin; i < end; ++i) {
                const auto& r = requests[i];
                const char* argv[] = {"XADD", kRawAppend, "*", "type", r.type.c_str(), "data", r.data.c_str(),
                                      "v", "1", "eid", rawEids[i].c_str(), "actor", r.actor.c_str()};
                const std::size_t lens[] = {4, std::strlen(kRawAppend), 1, 4, r.type.size(), 4, r.data.size(),
                                            1, 1, 3, rawEids[i].size(), 5, r.actor.size()};
                redisAppendCommandArgv(raw, 13, argv, lens);
            }
            for (std::size_t i = begin; i < end; ++i) {
                void* reply = nullptr;
                if (redisGetReply(raw, &reply) != REDIS_OK) {
                    error_ = "raw XADD failed";
                    redisFree(raw);
                    return;
                }
                freeReplyObject(reply);
            }
        }
        rawSeconds += secondsSince(start);
        start = Clock::now();
        const std::size_t done = writer.appendBatch(requests);
        produceSeconds += secondsSince(start);
        if (done != chunk) {
            error_ = writer.error();
            redisFree(raw);
            return;
        }
        written += chunk;
    }
    redisFree(raw);
    const double rawRate = double(n_) / rawSeconds;
    add({"raw pipelined XADD (baseline)", rawRate, "events/s", kNone, Goal::None, 0, "hiredis, 1000 per round trip"});
    add({"produce (StreamWriter::appendBatch)", double(n_) / produceSeconds, "events/s", rawRate, Goal::RatioAtLeast, 0.7,
         "native; simulation not timed"});
    c.command({"DEL", kRawAppend});

    progress("writing %zu legacy entries", n_);
    options.legacy = true;
    ShopSimulator legacy(options);
    redis::StreamWriter legacyWriter(c, kLegacy);
    double legacySeconds = 0;
    for (std::size_t written = 0; written < n_;) {
        const std::size_t chunk = std::min(kProduceChunk, n_ - written);
        requests.resize(chunk);
        for (auto& r : requests) {
            legacy.next(entry);
            r.type = entry.type;
            r.data = entry.data;
            r.legacy = true;
        }
        const auto start = Clock::now();
        if (legacyWriter.appendBatch(requests) != chunk) {
            error_ = legacyWriter.error();
            return;
        }
        legacySeconds += secondsSince(start);
        written += chunk;
    }
    add({"produce --legacy (appendBatch)", double(n_) / legacySeconds, "events/s", rawRate, Goal::None, 0,
         "legacy entries are smaller"});
}

// The baseline: XRANGE COUNT 10000 through hiredis, doing nothing but counting entries.
double Bench::rawRead(const char* stream, std::size_t& entries)
{
    entries = 0;
    redisContext* ctx = rawConnect();
    if (!ctx)
        return std::numeric_limits<double>::quiet_NaN();
    std::string start = "-";
    const auto begin = Clock::now();
    for (;;) {
        const char* argv[] = {"XRANGE", stream, start.c_str(), "+", "COUNT", "10000"};
        const std::size_t lens[] = {6, std::strlen(stream), start.size(), 1, 5, 5};
        auto* reply = static_cast<redisReply*>(redisCommandArgv(ctx, 6, argv, lens));
        if (!reply || reply->type != REDIS_REPLY_ARRAY) {
            if (reply)
                freeReplyObject(reply);
            redisFree(ctx);
            return std::numeric_limits<double>::quiet_NaN();
        }
        const std::size_t got = reply->elements;
        entries += got;
        if (got > 0) {
            const redisReply* last = reply->element[got - 1]->element[0];
            start.assign("(");
            start.append(last->str, last->len);
        }
        freeReplyObject(reply);
        if (got < kReadBatch)
            break;
    }
    const double seconds = secondsSince(begin);
    redisFree(ctx);
    return double(entries) / seconds;
}

// `shopstream-cli consume --until-caught-up --from-scratch` on `stream` through `url`: its
// rate, or error_ when it failed or did not read every entry.
ChildRun Bench::consumeChild(const std::string& url, const char* stream, double& perSecond)
{
    const ChildRun run = runChild({selfExe(), "--redis", url, "--stream", stream, "consume", "--until-caught-up", "--snapshot-every",
                                   "0", "--from-scratch"});
    // "caught up: N events (R replayed in S s, E events/s)"
    const auto at = run.output.find("caught up: ");
    long long total = 0, replayed = 0;
    double secs = 0;
    if (!run.ok || at == std::string::npos
        || std::sscanf(run.output.c_str() + at, "caught up: %lld events (%lld replayed in %lf s, %lf events/s)", &total, &replayed,
                       &secs, &perSecond) != 4
        || static_cast<std::size_t>(total) != n_)
        error_ = std::string("the consumer's catch-up of ") + stream + " through " + url.substr(0, url.find('?')) + " failed: " + run.output;
    return run;
}

// Catch-up over TLS against the same over plain TCP (both on loopback, alternated): what
// encryption costs the consumer.
void Bench::catchUpTls()
{
    const int reps = quick_ ? 1 : 3;
    std::vector<double> tcp, tls;
    for (int rep = 0; rep < reps; ++rep) {
        progress("native: consumer catch-up over TCP and over TLS, run %d of %d", rep + 1, reps);
        for (auto [url, rates] : {std::pair{server_.tcpUrlText(), &tcp}, std::pair{server_.tlsUrlText(), &tls}}) {
            double perSecond = 0;
            consumeChild(url, kNative, perSecond);
            if (!error_.empty())
                return;
            rates->push_back(perSecond);
        }
    }
    add({"catch-up over TCP (loopback), native", median(tcp), "events/s", kNone, Goal::None, 0, "consume child; " + runsRange(tcp)});
    add({"catch-up over TLS (loopback), native", median(tls), "events/s", median(tcp), Goal::RatioAtLeast, 0.6,
         "consume child; rediss://, TLS 1.3, P-256 certificate; " + runsRange(tls) + "; baseline: over TCP"});
}

// Catch-up from scratch by the real consumer in a child process, alternated with the raw
// read so that both see the same machine; medians of the repetitions.
void Bench::catchUp(const char* stream, const char* label)
{
    const int reps = quick_ ? 1 : 3;
    std::vector<double> rawRates, rates, walls, rss;
    std::size_t rawEntries = 0;
    for (int rep = 0; rep < reps; ++rep) {
        progress("%s: raw XRANGE read and consumer catch-up, run %d of %d", label, rep + 1, reps);
        const double raw = rawRead(stream, rawEntries);
        if (!std::isfinite(raw) || rawEntries != n_) {
            error_ = std::string("the raw XRANGE read of ") + stream + " failed";
            return;
        }
        rawRates.push_back(raw);
        double perSecond = 0;
        const ChildRun run = consumeChild(server_.urlText(), stream, perSecond);
        if (!error_.empty())
            return;
        rates.push_back(perSecond);
        walls.push_back(run.wallSeconds);
        rss.push_back(run.maxRssMb);
    }
    const double raw = median(rawRates);
    (std::string(stream) == kNative ? rawNative_ : rawLegacy_) = raw;
    add({std::string("raw XRANGE read, ") + label + " (baseline)", raw, "events/s", kNone, Goal::None, 0,
         std::to_string(n_) + " entries; " + runsRange(rawRates)});
    char wall[48];
    std::snprintf(wall, sizeof wall, "; wall %.2f s incl. start", median(walls));
    add({std::string("catch-up from scratch, ") + label, median(rates), "events/s", raw, Goal::RatioAtLeast, 0.8,
         "consume child; " + runsRange(rates) + wall});
    add({std::string("catch-up peak RSS, ") + label, *std::max_element(rss.begin(), rss.end()), "MB", kNone, Goal::AtMost,
         200, "ru_maxrss of the consume child"});
}

// StateLoader::load from scratch in this process (what `state --from-scratch` does).
void Bench::inProcessCatchUp()
{
    progress("in-process StateLoader catch-up of %s", kNative);
    redis::Connection c;
    if (!connect(c))
        return;
    ShopState state;
    redis::LoadReport report;
    redis::LoadOptions options;
    options.fromScratch = true;
    redis::StateLoader loader(c, kNative);
    const auto start = Clock::now();
    if (!loader.load(state, options, report)) {
        error_ = report.error;
        return;
    }
    const double seconds = secondsSince(start);
    add({"catch-up in-process (StateLoader), native", double(state.counts.total) / seconds, "events/s", rawNative_,
         Goal::None, 0, "state --from-scratch's path"});
}

// Reads the native stream into memory batch by batch (not timed), then times decode+apply
// (processEntry) and apply-only of the same entries decoded beforehand, on two states that
// must end equal. The applied events also fill the replay timeline.
void Bench::inMemory()
{
    progress("in-memory decode+apply and apply-only of %s", kNative);
    redis::Connection c;
    if (!connect(c))
        return;
    redis::StreamReader reader(c, kNative);
    redis::EntryBatch batch;
    ShopState viaProcess, viaApply;
    Event scratch;
    std::vector<Event> decoded;
    std::vector<Reason> reasons;
    std::vector<engine::TimelineCheckpoint> checkpoints;
    double processSeconds = 0, applySeconds = 0;
    std::size_t total = 0;
    history_.clear();
    timeline_.clear();
    engine::HistoryBuilder builder(history_.sharedNames());
    for (;;) {
        if (!reader.range(viaProcess.lastEventId, kReadBatch, batch)) {
            error_ = reader.error();
            return;
        }
        const std::size_t count = batch.entries.size();
        if (count == 0)
            break;
        auto start = Clock::now();
        for (const RawEntry& e : batch.entries)
            processEntry(viaProcess, e, scratch);
        processSeconds += secondsSince(start);

        if (decoded.size() < count)
            decoded.resize(count);
        reasons.resize(count);
        for (std::size_t i = 0; i < count; ++i)
            reasons[i] = decodeEntry(batch.entries[i], decoded[i]);
        start = Clock::now();
        for (std::size_t i = 0; i < count; ++i) {
            if (reasons[i] == Reason::None)
                reasons[i] = applyEvent(viaApply, decoded[i]);
            viaApply.counts.count(reasons[i]);
            // The consumer's share of the timeline: a checkpoint of its state where one is due.
            const auto position = static_cast<std::size_t>(viaApply.counts.total);
            if (engine::ReplayTimeline::checkpointDue(position))
                checkpoints.push_back(engine::TimelineCheckpoint::capture(viaApply, position));
        }
        applySeconds += secondsSince(start);
        viaApply.lastEventId.assign(batch.entries.back().id);

        // The rows the consumer records (balances as at the batch's end: the same size).
        for (std::size_t i = 0; i < count; ++i) {
            const Event& e = decoded[i];
            const RawEntry& entry = batch.entries[i];
            if (reasons[i] != Reason::None && reasons[i] <= Reason::Invalid) {
                builder.add(entry.id, entry.type.value_or(std::string_view()), reasons[i], 0, {}, -1, nullptr);
                continue;
            }
            const User* user = e.userId ? viaApply.findUser(e.userId) : nullptr;
            builder.add(entry.id, entry.type.value_or(std::string_view()), reasons[i], e.userId, engine::firstItemNamed(e),
                        user ? user->balance : -1, &e);
        }
        history_.append(builder.take());
        for (engine::TimelineCheckpoint& c : checkpoints)
            timeline_.addCheckpoint(std::move(c));
        checkpoints.clear();
        total += count;
        if (count < kReadBatch)
            break;
    }
    if (!(viaProcess == viaApply)) {
        error_ = "decode+apply and apply-only ended in different states";
        return;
    }
    char note[96];
    std::snprintf(note, sizeof note, "%zu entries, %.1f%% applied", total,
                  100.0 * double(viaProcess.counts.applied) / double(std::max<std::int64_t>(1, viaProcess.counts.total)));
    add({"apply-only in memory (pre-decoded), native", double(total) / applySeconds, "events/s", rawNative_, Goal::None, 0,
         note});
    add({"decode+apply in memory, native", double(total) / processSeconds, "events/s", rawNative_, Goal::None, 0,
         "processEntry on entries already read"});
}

void Bench::inMemoryLegacy()
{
    progress("in-memory decode+apply of %s", kLegacy);
    redis::Connection c;
    if (!connect(c))
        return;
    redis::StreamReader reader(c, kLegacy);
    redis::EntryBatch batch;
    ShopState state;
    Event scratch;
    double seconds = 0;
    std::size_t total = 0;
    for (;;) {
        if (!reader.range(state.lastEventId, kReadBatch, batch)) {
            error_ = reader.error();
            return;
        }
        if (batch.entries.empty())
            break;
        const auto start = Clock::now();
        for (const RawEntry& e : batch.entries)
            processEntry(state, e, scratch);
        seconds += secondsSince(start);
        total += batch.entries.size();
        if (batch.entries.size() < kReadBatch)
            break;
    }
    add({"decode+apply in memory, legacy", double(total) / seconds, "events/s", rawLegacy_, Goal::None, 0,
         "MessagePack via MsgpackTape"});
}

// Seeks to random positions of the timeline built by inMemory().
void Bench::replay()
{
    const std::size_t seeks = quick_ ? 50 : 500;
    progress("%zu replay seeks over %zu entries", seeks, timeline_.size());
    if (timeline_.size() != n_) {
        error_ = "the replay timeline was not built";
        return;
    }
    std::mt19937_64 random(42);
    std::uniform_int_distribution<std::size_t> position(0, timeline_.size());
    std::vector<double> ms;
    for (std::size_t i = 0; i < seeks; ++i) {
        const std::size_t p = position(random);
        const auto start = Clock::now();
        timeline_.seek(p);
        ms.push_back(msSince(start));
        if (timeline_.position() != p) {
            error_ = "a replay seek ended at the wrong position";
            return;
        }
    }
    double sum = 0;
    for (double v : ms)
        sum += v;
    char note[128];
    std::snprintf(note, sizeof note, "%zu seeks; %zu checkpoints every %zu; history %.1f bytes/event", seeks,
                  timeline_.checkpointCount(), timeline_.checkpointEvery(),
                  double(history_.memoryBytes()) / double(timeline_.size()));
    add({"replay seek, mean", sum / double(ms.size()), "ms", kNone, Goal::Below, 50, note});
    add({"replay seek, p50", percentile(ms, 50), "ms", kNone, Goal::Below, 50, ""});
    add({"replay seek, p99", percentile(ms, 99), "ms", kNone, Goal::Below, 50, ""});
    add({"replay seek, max", *std::max_element(ms.begin(), ms.end()), "ms", kNone, Goal::Below, 50, ""});

    // The timeline's state at a few random points against the CLI's own rebuild there
    // (`state --json --from-scratch --until ID`, a child reading Redis): a difference is a
    // wrong answer, not a slow one, and fails the bench.
    const int checks = quick_ ? 2 : 5;
    const std::string exe = selfExe();
    std::uniform_int_distribution<std::size_t> entry(1, timeline_.size());
    for (int i = 0; i < checks; ++i) {
        const std::size_t p = entry(random);
        progress("replay check %d of %d: position %zu against shopstream-cli state --until", i + 1, checks, p);
        timeline_.seek(p);
        const std::string until = history_.id(p - 1).toString();
        const ChildRun run = runChild({exe, "--redis", server_.urlText(), "--stream", kNative, "state", "--json",
                                       "--from-scratch", "--until", until});
        const json cli = json::parse(run.output, nullptr, false);
        if (!run.ok || cli.is_discarded()) {
            error_ = "shopstream-cli state --until " + until + " failed: " + run.output.substr(0, 300);
            return;
        }
        if (json::parse(stateToJson(timeline_.state(), kNative)) != cli) {
            error_ = "the replay timeline at position " + std::to_string(p) + " differs from shopstream-cli state --until "
                     + until;
            return;
        }
    }
    add({"replay state = state --until", double(checks), "positions", kNone, Goal::None, 0,
         "random positions, all equal (a difference fails the bench)"});
    timeline_.clear();
    history_.clear();
}

// The Overview page's figures over the history built by inMemory(): reading it once, then
// the tally and the 48-span series at random positions (what a seek in history costs the
// page), checked against the tally read in one go.
void Bench::overview()
{
    if (history_.size() != n_) {
        error_ = "the history was not built";
        return;
    }
    progress("overview over %zu entries", history_.size());
    engine::HistoryOverview overview(history_);
    auto start = Clock::now();
    overview.extend();
    const double readSeconds = secondsSince(start);
    const std::size_t points = quick_ ? 50 : 200;
    std::mt19937_64 random(7);
    std::uniform_int_distribution<std::size_t> position(0, history_.size());
    std::vector<double> tallyMs, seriesMs;
    for (std::size_t i = 0; i < points; ++i) {
        const std::size_t p = position(random);
        start = Clock::now();
        const engine::OverviewTally tally = overview.tallyAt(p);
        tallyMs.push_back(msSince(start));
        start = Clock::now();
        const std::vector<engine::OverviewBucket> buckets = overview.series(p, 48);
        seriesMs.push_back(msSince(start));
        std::int64_t inBuckets = 0;
        for (const engine::OverviewBucket& b : buckets)
            inBuckets += b.applied + b.rejected;
        if (tally.entries != p || inBuckets != std::int64_t(p)) {
            error_ = "the overview's figures do not add up to the position";
            return;
        }
    }
    char note[96];
    std::snprintf(note, sizeof note, "%zu entries; marks: %.1f bytes/event", history_.size(),
                  double(overview.memoryBytes()) / double(history_.size()));
    add({"overview: read the history", double(history_.size()) / readSeconds, "events/s", kNone, Goal::None, 0, note});
    add({"overview: tally at a position, p99", percentile(tallyMs, 99), "ms", kNone, Goal::Below, 50, ""});
    add({"overview: 48-span series at a position, p99", percentile(seriesMs, 99), "ms", kNone, Goal::Below, 100, ""});
}

// What-if over the whole history (the first entry left out: every later one replayed): in
// the window from its rows in memory, and by `shopstream-cli whatif` reading Redis in a
// child. Both must give the same changed shop and the same verdict changes (a difference
// fails the bench). Target: 1 s per million events (the 1 s at 1M, 10 s at 10M).
void Bench::whatIf()
{
    if (history_.size() != n_ || timeline_.size() != n_) {
        error_ = "the history was not built";
        return;
    }
    const double target = std::max(1.0, double(n_) / 1e6);
    progress("what-if without the first of %zu entries, in memory", n_);
    engine::HistoryWhatIfRequest request;
    request.index = 0;
    request.end = history_.size();
    request.before = timeline_.stateAt(0);
    auto start = Clock::now();
    const engine::HistoryWhatIfResult window = engine::runHistoryWhatIf(history_, std::move(request));
    const double windowSeconds = secondsSince(start);
    add({"what-if in the window, whole history", windowSeconds, "s", kNone, Goal::Below, target,
         std::to_string(n_) + " entries replayed from the rows in memory; " + std::to_string(window.changes.size())
             + " verdicts change"});

    progress("what-if without the first of %zu entries, shopstream-cli whatif", n_);
    const std::string first = history_.id(0).toString();
    const ChildRun run = runChild({selfExe(), "--redis", server_.urlText(), "--stream", kNative, "whatif", "--without", first, "--json"});
    const json cli = json::parse(run.output, nullptr, false);
    if (!run.ok || cli.is_discarded()) {
        error_ = "shopstream-cli whatif --without " + first + " failed: " + run.output.substr(0, 300);
        return;
    }
    json changes = json::array();
    for (const auto& c : window.changes)
        changes.push_back({{"id", c.id}, {"before", reasonName(c.before)}, {"after", reasonName(c.after)}});
    if (json::parse(stateToJson(window.state, kNative)) != cli["state"] || changes != cli["changed"]) {
        error_ = "the window's what-if differs from shopstream-cli whatif --without " + first;
        return;
    }
    add({"what-if by shopstream-cli whatif, whole stream", run.wallSeconds, "s", kNone, Goal::Below, target,
         "child reading Redis, incl. start; " + formatNumber(double(n_) / run.wallSeconds) + " events/s; equal to the window's"});
}

// The Events page's search in entry data over the whole native stream (a text in no entry:
// every entry read and looked at).
void Bench::search()
{
    progress("search in the data of %s", kNative);
    engine::EntrySearch job(server_.url(), kNative);
    engine::EntrySearchResult result;
    QString error;
    bool answered = false;
    QObject::connect(&job, &engine::EntrySearch::finished,
                     [&](const engine::EntrySearchResult& r, const QString& e, int) {
                         result = r;
                         error = e;
                         answered = true;
                     });
    job.cancel(1);
    const auto start = Clock::now();
    job.search(QStringLiteral("no such text anywhere"), QStringLiteral("+"), 1);
    const double seconds = secondsSince(start);
    if (!answered || !error.isEmpty() || result.read != std::int64_t(n_)) {
        error_ = "the search did not read the whole stream: " + error.toStdString();
        return;
    }
    add({"search in entry data, native", double(result.read) / seconds, "events/s", rawNative_, Goal::None, 0,
         "XRANGE pages of 5000 and a case-blind scan"});
}

// Save and restore of a state of 100k users and 10k items, built directly.
void Bench::snapshots()
{
    const int reps = quick_ ? 1 : 5;
    progress("snapshot save and restore of %lld users and %lld items, %d runs", static_cast<long long>(kSnapshotUsers),
             static_cast<long long>(kSnapshotItems), reps);
    redis::Connection c;
    if (!connect(c))
        return;
    ShopState state;
    std::mt19937_64 random(7);
    for (std::int64_t u = 1; u <= kSnapshotUsers; ++u) {
        User& user = state.addUser(u, "Customer " + std::to_string(u));
        user.balance = static_cast<std::int64_t>(random() % 10'000'000);
        user.spent = static_cast<std::int64_t>(random() % 10'000'000);
        user.orders = static_cast<std::int64_t>(random() % 10);
    }
    char id[32];
    for (std::int64_t i = 1; i <= kSnapshotItems; ++i) {
        std::snprintf(id, sizeof id, "item-%05lld", static_cast<long long>(i));
        Item& item = state.addItem(id);
        item.name = "Item number " + std::to_string(i);
        item.price = static_cast<std::int64_t>(random() % 100000 + 1);
        item.stock = static_cast<std::int64_t>(random() % 10000);
        item.sold = static_cast<std::int64_t>(random() % 100000);
    }
    // Counts a stream that made such a shop could have (a snapshot's content is checked
    // against them: no more users, orders or money than its applied entries allow).
    for (int i = 0; i < 2'000'000; ++i)
        state.counts.count(i % 20 == 0 ? static_cast<Reason>(1 + i / 20 % (kReasonCount - 1)) : Reason::None);
    // The snapshot's id must be an entry of the stream, and the stream must have had as many
    // entries added as the state counts (restore checks both): one entry, and XSETID to say
    // the rest were added and trimmed away before it.
    redis::Reply added = c.command({"XADD", kSnapshots, "*", "type", "TopUp", "data", "{}"});
    if (!added || !added.isString()) {
        error_ = "cannot write the snapshot stream";
        return;
    }
    state.lastEventId = std::string(added.str());
    const std::string total = std::to_string(state.counts.total);
    redis::Reply counted = c.command({"XSETID", kSnapshots, state.lastEventId, "ENTRIESADDED", total});
    if (!counted || counted.isError()) {
        error_ = "cannot set the snapshot stream's entries-added: " + (counted ? std::string(counted.str()) : c.error());
        return;
    }
    redis::SnapshotStore store(c, kSnapshots);
    std::vector<double> saveMs, restoreMs;
    std::size_t bytes = 0;
    for (int rep = 0; rep < reps; ++rep) {
        auto start = Clock::now();
        if (!store.save(state, 1700000000000)) {
            error_ = store.error();
            return;
        }
        saveMs.push_back(msSince(start));
        ShopState restored;
        start = Clock::now();
        redis::StreamReader reader(c, kSnapshots);
        StreamFacts facts;
        if (!reader.facts(facts)) {
            error_ = reader.error();
            return;
        }
        const auto outcome = store.restore(state.lastEventId, restored, facts);
        restoreMs.push_back(msSince(start));
        if (!outcome.restored || !(restored == state)) {
            error_ = "the snapshot did not restore the state it saved";
            return;
        }
    }
    std::string blob;
    if (store.loadBlob(state.lastEventId, blob))
        bytes = blob.size();
    char note[96];
    std::snprintf(note, sizeof note, "100k users, 10k items, %.1f MB blob; median of %d", double(bytes) / 1e6, reps);
    add({"snapshot save", median(saveMs), "ms", kNone, Goal::Below, 200, note});
    add({"snapshot restore", median(restoreMs), "ms", kNone, Goal::Below, 200, "verify + decode"});
}

// Restart: StateLoader::load of the native stream with a snapshot at N-1000 and a 1k tail.
void Bench::restart()
{
    const int reps = quick_ ? 1 : 5;
    progress("restart from a snapshot at N-%zu, %d runs", kRestartTail, reps);
    redis::Connection c;
    if (!connect(c))
        return;
    char tail[24];
    std::snprintf(tail, sizeof tail, "%zu", kRestartTail + 1);
    redis::Reply r = c.command({"XREVRANGE", kNative, "+", "-", "COUNT", tail});
    if (!r || r.size() != kRestartTail + 1) {
        error_ = "cannot find the restart snapshot's entry";
        return;
    }
    const std::string at(redis::ReplyView(r.raw())[kRestartTail][0].str());
    {
        ShopState state;
        redis::LoadReport report;
        redis::LoadOptions options;
        options.fromScratch = true;
        options.untilId = at;
        redis::StateLoader loader(c, kNative);
        if (!loader.load(state, options, report)) {
            error_ = report.error;
            return;
        }
        redis::SnapshotStore store(c, kNative);
        if (!store.save(state, 1700000000000)) {
            error_ = store.error();
            return;
        }
    }
    std::vector<double> ms;
    for (int rep = 0; rep < reps; ++rep) {
        ShopState state;
        redis::LoadReport report;
        redis::StateLoader loader(c, kNative);
        const auto start = Clock::now();
        if (!loader.load(state, {}, report)) {
            error_ = report.error;
            return;
        }
        ms.push_back(msSince(start));
        if (report.snapshotId != at || report.replayed != static_cast<std::int64_t>(kRestartTail)
            || state.counts.total != static_cast<std::int64_t>(n_)) {
            error_ = "the restart did not use the snapshot and its tail";
            return;
        }
    }
    char note[96];
    std::snprintf(note, sizeof note, "StateLoader::load, %lld users/%lld items; median of %d",
                  static_cast<long long>(kUsers), static_cast<long long>(kItems), reps);
    add({"restart: snapshot + 1k-event tail", median(ms), "ms", kNone, Goal::Below, 500, note});
}

// The rows a GUI bench executable prints with --json ([{name, figure, unit, goalAtMost |
// goalBelow, note}], on a line of its own; a summary object may follow): false when it failed.
bool Bench::childRows(const std::vector<std::string>& argv, std::vector<Row>& rows)
{
    const ChildRun run = runChild(argv, {"QT_QPA_PLATFORM=offscreen"});
    const auto begin = run.output.find('[');
    const auto end = begin == std::string::npos ? begin : run.output.find('\n', begin);
    const auto parsed =
        run.ok && begin != std::string::npos ? json::parse(run.output.substr(begin, end - begin), nullptr, false) : json();
    if (!parsed.is_array())
        return false;
    for (const auto& r : parsed) {
        Row row;
        row.name = r.value("name", "");
        row.figure = r["figure"].is_number() ? r["figure"].get<double>() : std::numeric_limits<double>::quiet_NaN();
        row.unit = r.value("unit", "");
        if (r.contains("goalAtMost")) {
            row.goal = Goal::AtMost;
            row.target = r["goalAtMost"].get<double>();
        } else if (r.contains("goalBelow")) {
            row.goal = Goal::Below;
            row.target = r["goalBelow"].get<double>();
        }
        row.note = r.value("note", "");
        rows.push_back(std::move(row));
    }
    return true;
}

// Runs a GUI bench executable and adds its rows; when it fails, adds `fallback` unmeasured.
bool Bench::addChildRows(const std::vector<std::string>& argv, Row fallback)
{
    std::vector<Row> rows;
    if (!childRows(argv, rows)) {
        fallback.figure = std::numeric_limits<double>::quiet_NaN();
        fallback.note = argv.front() + " failed";
        add(fallback);
        return false;
    }
    for (Row& row : rows)
        add(std::move(row));
    return true;
}

// Deletes the snapshots of one of the bench's own streams (the restart step leaves one), so
// that the window that opens it catches up from scratch.
bool Bench::dropSnapshots(const char* stream)
{
    redis::Connection c;
    if (!connect(c))
        return false;
    const std::string index = redis::snapshotIndexKey(stream);
    const redis::Reply ids = c.command({"ZRANGE", index, "0", "-1"});
    if (!ids || ids.isError()) {
        error_ = "cannot list the snapshots of " + std::string(stream) + ": " + c.error();
        return false;
    }
    std::vector<std::string> keys{index};
    for (std::size_t i = 0; i < ids.size(); ++i)
        keys.push_back(redis::snapshotKey(stream, redis::ReplyView(ids.raw())[i].str()));
    std::vector<std::string_view> del{"DEL"};
    del.insert(del.end(), keys.begin(), keys.end());
    if (const redis::Reply deleted = c.command(del); !deleted || deleted.isError()) {
        error_ = "cannot delete the snapshots of " + std::string(stream) + ": " + c.error();
        return false;
    }
    return true;
}

// The real window on the native stream. From scratch, alternated with the headless consumer
// (`consume --until-caught-up --from-scratch --snapshot-every 0`) so that both see the
// machine as it is then: the window's rate is the median of its runs against the median of
// the consumer's, and each other figure is the worst run's. Then once more with a snapshot
// at the head, for how soon the window is live.
void Bench::windowCatchUp(const std::filesystem::path& exe)
{
    using shop::bench::kGuiCatchUpRow, shop::bench::kGuiLiveRow, shop::bench::kGuiStallRow;
    const std::vector<std::string> argv = {exe.string(), "--redis", server_.urlText(), "--stream", kNative, "--json"};
    const auto failed = [&](const char* what) {
        add({kGuiCatchUpRow, std::numeric_limits<double>::quiet_NaN(), "events/s", kNone, Goal::None, 0,
             exe.string() + " failed " + what});
    };
    const int reps = quick_ ? 1 : 3;
    std::vector<double> consumeRates;
    std::vector<std::vector<Row>> runs;
    for (int rep = 0; rep < reps; ++rep) {
        progress("GUI: the window's catch-up from scratch after the consume child's, run %d of %d", rep + 1, reps);
        double perSecond = 0;
        consumeChild(server_.urlText(), kNative, perSecond);
        if (!error_.empty())
            return;
        consumeRates.push_back(perSecond);
        std::vector<Row> rows;
        if (!dropSnapshots(kNative))
            return;
        if (!childRows(argv, rows) || rows.empty())
            return failed("from scratch");
        runs.push_back(std::move(rows));
    }

    // With a snapshot at the head: live after the restore and the tail; the history then
    // loads behind.
    progress("GUI: the window with a snapshot at the head");
    const ChildRun saved = runChild({selfExe(), "--redis", server_.urlText(), "--stream", kNative, "snapshot", "save"});
    std::vector<Row> fromSnapshot;
    if (!saved.ok) {
        error_ = "the snapshot at the head could not be saved: " + saved.output;
        return;
    }
    if (!childRows(argv, fromSnapshot))
        return failed("from a snapshot");

    const auto rowOf = [](const std::vector<Row>& rows, const std::string& name) -> const Row* {
        for (const Row& row : rows)
            if (row.name == name)
                return &row;
        return nullptr;
    };
    const auto figureOf = [&](const std::vector<Row>& rows, const std::string& name) {
        const Row* row = rowOf(rows, name);
        return row ? row->figure : std::numeric_limits<double>::quiet_NaN();
    };
    for (Row row : runs.front()) {
        std::vector<double> figures;
        for (const auto& run : runs)
            figures.push_back(figureOf(run, row.name));
        if (row.name == kGuiCatchUpRow) {
            row.figure = median(figures);
            row.baseline = median(consumeRates);
            row.goal = Goal::RatioAtLeast;
            row.target = 0.8;
            row.note = "from scratch, Main.qml offscreen; median of " + std::to_string(reps) + " (" + runsRange(figures)
                       + "); baseline: the consume child run before each, median (" + runsRange(consumeRates) + ")";
        } else if (row.name == kGuiLiveRow) {
            row.figure = figureOf(fromSnapshot, kGuiLiveRow);
            row.goal = Goal::Below;
            row.target = 1;
            char note[128];
            std::snprintf(note, sizeof note,
                          "with a snapshot at the head: its restore and the tail; the history then loads behind (%.1f s)",
                          double(n_) / figureOf(fromSnapshot, kGuiCatchUpRow));
            row.note = note;
        } else {
            // The worst run's row, its note included (what it says is of that run).
            std::vector<const Row*> candidates;
            for (const auto& run : runs)
                candidates.push_back(rowOf(run, row.name));
            if (row.name == kGuiStallRow) // the history loading behind the live window counts too
                candidates.push_back(rowOf(fromSnapshot, kGuiStallRow));
            std::erase(candidates, nullptr);
            const auto worst = std::max_element(candidates.begin(), candidates.end(),
                                                [](const Row* a, const Row* b) { return a->figure < b->figure; });
            const bool fromTheSnapshotRun = row.name == kGuiStallRow && worst == candidates.end() - 1;
            row = **worst;
            if (candidates.size() > 1)
                row.note += "; the worst of " + std::to_string(candidates.size()) + " runs"
                            + (fromTheSnapshotRun ? " (the one with a snapshot at the head)" : "");
        }
        add(std::move(row));
    }
}

// The GUI figures live in bench/gui_bench (it links the GUI library, the CLI does not).
void Bench::gui()
{
    const std::filesystem::path exe = selfExe();
    std::vector<std::filesystem::path> candidates;
    if (const char* env = std::getenv("SHOPSTREAM_GUI_BENCH"))
        candidates.emplace_back(env);
    candidates.push_back(exe.parent_path().parent_path().parent_path() / "bench" / "gui_bench"); // build/src/cli -> build/bench
    candidates.push_back(exe.parent_path() / "shopstream-gui-bench");
    for (const auto& path : candidates) {
        if (::access(path.c_str(), X_OK) != 0)
            continue;
        progress("GUI figures from %s", path.c_str());
        if (!addChildRows({path.string(), "--events", std::to_string(n_), "--json"},
                          {"GUI: history memory per event (average)", 0, "bytes", kNone, Goal::None, 0, {}}))
            return;
        // The real window catching up on the native stream, with the longest GUI-thread
        // stall: gui_catchup_bench, next to gui_bench.
        const auto catchUp = path.parent_path() / "gui_catchup_bench";
        if (::access(catchUp.c_str(), X_OK) == 0)
            windowCatchUp(catchUp);
        return;
    }
    if (!json_)
        std::printf("GUI figures (history memory per event): run bench/gui_bench in the build tree "
                    "(QT_QPA_PLATFORM=offscreen build/bench/gui_bench); it was not found next to this program.\n");
}

const std::vector<Bench::Step>& Bench::steps()
{
    static const std::vector<Step> all = {
        {"append one", [](Bench& b) { b.appendOne(); }},
        {"produce", [](Bench& b) { b.produce(); }},
        {"catch-up native", [](Bench& b) { b.catchUp(kNative, "native"); }},
        {"catch-up legacy", [](Bench& b) { b.catchUp(kLegacy, "legacy"); }},
        {"catch-up over TLS", [](Bench& b) { b.catchUpTls(); }},
        {"in-process catch-up", [](Bench& b) { b.inProcessCatchUp(); }},
        {"in memory", [](Bench& b) { b.inMemory(); }},
        {"in memory legacy", [](Bench& b) { b.inMemoryLegacy(); }},
        {"overview", [](Bench& b) { b.overview(); }}, // before replay, which lets the history go
        {"what-if", [](Bench& b) { b.whatIf(); }},
        {"replay", [](Bench& b) { b.replay(); }},
        {"search", [](Bench& b) { b.search(); }},
        {"snapshots", [](Bench& b) { b.snapshots(); }},
        {"restart", [](Bench& b) { b.restart(); }},
    };
    return all;
}

int Bench::run()
{
    if (!server_.start(error_)) {
        std::fprintf(stderr, "shopstream-cli: %s\n", error_.c_str());
        return 1;
    }
    progress("private redis-server at %s; %zu events per stream, %lld users, %lld items%s", server_.socketPath().c_str(), n_,
             static_cast<long long>(kUsers), static_cast<long long>(kItems), quick_ ? " (quick)" : "");
    // The steps that need the history "in memory" builds.
    for (const char* needsHistory : {"overview", "what-if", "replay"})
        if (only_.count(needsHistory))
            only_.insert("in memory");
    bool failed = false;
    for (const auto& [name, step] : steps()) {
        if (!only_.empty() && !only_.count(name) && std::string(name) != "produce")
            continue;
        error_.clear();
        step(*this);
        if (!error_.empty()) {
            std::fprintf(stderr, "shopstream-cli: bench: %s: %s\n", name, error_.c_str());
            failed = true;
            if (std::string(name) == "produce")
                break; // nothing else can be measured without the streams
        }
    }
    if (only_.empty() || only_.count("gui")) {
        error_.clear();
        gui(); // before the server stops: the real window's catch-up reads the native stream
        if (!error_.empty()) {
            std::fprintf(stderr, "shopstream-cli: bench: gui: %s\n", error_.c_str());
            failed = true;
        }
    }
    server_.stop();

    for (const Row& r : rows_)
        failed = failed || !r.measured();
    if (json_) {
        const json out = {{"events", n_}, {"quick", quick_}, {"rows", rowsToJson(rows_)}};
        std::printf("%s\n", out.dump(2).c_str());
    } else {
        std::printf("shopstream bench: %zu events per stream, %lld users, %lld items, %u cores%s\n\n", n_,
                    static_cast<long long>(kUsers), static_cast<long long>(kItems), std::thread::hardware_concurrency(),
                    quick_ ? ", quick" : "");
        printTable(rows_);
        std::printf("\n%zu figures; %s\n", rows_.size(),
                    failed ? "some could not be measured (see above)" : "all measured (targets are reported, never enforced)");
    }
    return failed ? 1 : 0;
}

} // namespace

std::vector<std::string> suiteSteps()
{
    std::vector<std::string> names;
    for (const auto& [name, step] : Bench::steps())
        names.emplace_back(name);
    names.emplace_back("gui");
    return names;
}

int runSuite(const SuiteOptions& options)
{
    // A broken pipe to a child must not kill the bench.
    std::signal(SIGPIPE, SIG_IGN);
    Bench bench(options);
    return bench.run();
}

} // namespace shop::bench
