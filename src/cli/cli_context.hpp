// What every shopstream-cli command shares: exit codes, the global options, the parsed
// command line a command runs with, how a command describes itself (its help and its
// QCommandLineOptions), opening the connection, and the output helpers. Every line of text
// that can hold user- or stream-controlled bytes is escaped for the terminal (fail, warn and
// usageError do it; text output uses shown()); JSON and CSV output is data, printed as it is.
#pragma once

#include "engine/connection_target.hpp"
#include "core/stream_id.hpp"
#include "redis/connection.hpp"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>
#include <QStringList>

#include <string>
#include <string_view>
#include <vector>

namespace shop {
class ShopState;
namespace redis {
class StateLoader;
struct LoadOptions;
struct LoadReport;
struct EntryBatch;
} // namespace redis
} // namespace shop

namespace shop::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1; // something failed at run time
constexpr int kExitUsage = 2;   // a bad command line; nothing was tried

struct GlobalOptions {
    QString redisUrl; // empty: the managed local server
    QString stream = QStringLiteral("shop:events");
    QString dataDir;  // managed server's data directory (tests)
    bool readOnly = false; // --read-only: nothing is written to Redis (the connection refuses writes)
};

// One command as it was called: the global options (before or after the command name), the
// command's own parser after parse(), and its positional arguments.
struct Invocation {
    QString command;
    GlobalOptions global;
    const QCommandLineParser& parser;
    QStringList positionals;
    int argc = 0;        // the process's own, for a QCoreApplication (consume)
    char** argv = nullptr;

    bool isSet(const QString& name) const { return parser.isSet(name); }
    QString value(const QString& name) const { return parser.value(name); }
};

// A command: its help (synopsis, description, one line per option generated from the
// options themselves, so help and parser cannot disagree) and what runs it.
struct Command {
    QString name;
    QString synopsis;    // after "Usage: shopstream-cli "
    QString summary;     // its line in `shopstream-cli --help`
    QString description; // the paragraph(s) of `shopstream-cli NAME --help`
    QList<QCommandLineOption> options;
    QString notes;       // text after the options (may be empty)
    int (*run)(const Invocation&) = nullptr;
};

// The commands, in the order of the main help (one file each: cmd_<name>.cpp).
Command appendCommand();
Command produceCommand();
Command stateCommand();
Command consumeCommand();
Command eventsCommand();
Command snapshotCommand();
Command benchCommand();
Command explainCommand();
Command whatifCommand();

// Help is wrapped to fit this many columns.
inline constexpr int kHelpWidth = 100;

// `text`, which starts at `column` after what the caller printed, wrapped at spaces so that
// its lines end by kHelpWidth (a longer word stays whole); the lines after the first are
// indented to `column`. A blank line in `text` parts paragraphs; a single line break is a
// space.
QString wrapText(const QString& text, int column);

// "  --name VALUE   description" lines; a description is wrapped to kHelpWidth, its
// continuation lines indented to its column.
QString formatOptions(const QList<QCommandLineOption>& options);

// ---- output --------------------------------------------------------------------------

// "shopstream-cli: MESSAGE" on stderr, escaped; returns kExitFailure.
int fail(const QString& message);
int fail(std::string_view message);
inline int fail(const char* message) { return fail(std::string_view(message)); }
// "shopstream-cli: MESSAGE (see shopstream-cli [COMMAND] --help)" on stderr; returns kExitUsage.
int usageError(const QString& message, const QString& command = {});
// "shopstream-cli: warning: MESSAGE" on stderr, escaped.
void warn(std::string_view message);
// "shopstream-cli: MESSAGE" on stderr, escaped: what was done that the user did not spell out.
void note(std::string_view message);
void printWarnings(const std::vector<std::string>& warnings);
// Text made safe for a terminal: controls and invalid UTF-8 as visible escapes (\x1b, \n,
// \u0085, \xff), printable UTF-8 as it is.
std::string shown(std::string_view text);
std::string shown(const QString& text);
// `text` and a newline on stdout, as it is (JSON; text already shown()).
void print(std::string_view text);
// `text` on stdout as it is: pieces of streamed JSON or CSV (usable as a TextSink).
void write(std::string_view text);

// ---- values ---------------------------------------------------------------------------

bool parseCount(const QString& text, qint64 lo, qint64 hi, qint64& out);
// The id just before `id` ("" for 0-0), so that reading after it starts at `id` itself.
std::string idBefore(const StreamId& id);
// TYPE and JSON as append, append --dry-run and whatif --replace take them: "" when TYPE is
// one of section 3 and JSON an object, else the usage error to give.
QString eventArgumentsProblem(const QString& type, const std::string& json);

// ---- connecting -----------------------------------------------------------------------

struct Session {
    engine::ConnectionTarget target;
    redis::Connection connection;
    std::string stream;
};

// What explain and whatif start from: entry `id` itself (XRANGE id id) and, in `state`, the
// shop just before it (a snapshot taken before it plus the entries up to it; `options` as
// given, untilId set here). False with `error` (warnings printed) when either fails.
bool loadEntryAndStateBefore(Session& session, const StreamId& id, redis::StateLoader& loader, redis::LoadOptions& options,
                             redis::LoadReport& report, redis::EntryBatch& entry, ShopState& state, std::string& error);

// Resolves the target (starting the managed server when there is no --redis) and connects;
// with `viewOnly` (or the global --read-only) the connection sends no command that writes.
bool openSession(const Invocation& call, Session& session, QString& error, bool viewOnly = false);

} // namespace shop::cli
