// The shared part of shopstream-cli's commands: output helpers, value parsing, connecting,
// and the option lines of the help texts.
#include "cli_context.hpp"

#include "redis/server_facts.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"

#include "core/domain.hpp"
#include "core/shop_state.hpp"
#include "core/utf8_text.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>

namespace shop::cli {

QString wrapText(const QString& text, int column)
{
    const qsizetype room = std::max(kHelpWidth - column, 20);
    const QString margin(column, QLatin1Char(' '));
    QString out;
    QString line;
    const auto endLine = [&] {
        if (!out.isEmpty() || !line.isEmpty())
            out += (out.isEmpty() ? QString() : QLatin1Char('\n') + (line.isEmpty() ? QString() : margin)) + line;
        line.clear();
    };
    // A blank line parts paragraphs; a single line break is a space (the texts are wrapped
    // by hand for reading in the source).
    const QStringList paragraphs = text.split(QStringLiteral("\n\n"));
    for (qsizetype p = 0; p < paragraphs.size(); ++p) {
        if (p > 0) {
            endLine();
            endLine(); // the blank line
        }
        const QString flowing = QString(paragraphs[p]).replace(QLatin1Char('\n'), QLatin1Char(' '));
        for (const QString& word : flowing.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            if (!line.isEmpty() && line.size() + 1 + word.size() > room)
                endLine();
            line += (line.isEmpty() ? QString() : QStringLiteral(" ")) + word;
        }
    }
    endLine();
    return out;
}

QString formatOptions(const QList<QCommandLineOption>& options)
{
    const auto synopsis = [](const QCommandLineOption& option) {
        QStringList names;
        for (const QString& name : option.names())
            names << (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
        QString text = names.join(QStringLiteral(", "));
        if (!option.valueName().isEmpty())
            text += QLatin1Char(' ') + option.valueName();
        return text;
    };
    qsizetype width = 0;
    for (const QCommandLineOption& option : options)
        width = std::max(width, synopsis(option).size());
    const int column = static_cast<int>(width) + 4; // "  " before, at least two spaces after
    QString out;
    for (const QCommandLineOption& option : options) {
        QString line = QStringLiteral("  ") + synopsis(option);
        line = line.leftJustified(column);
        line += wrapText(option.description(), column);
        out += line + QLatin1Char('\n');
    }
    return out;
}

int fail(const QString& message) { return fail(std::string_view(message.toStdString())); }

int fail(std::string_view message)
{
    std::fprintf(stderr, "shopstream-cli: %s\n", shown(message).c_str());
    return kExitFailure;
}

int usageError(const QString& message, const QString& command)
{
    const QString hint = command.isEmpty() ? QStringLiteral("shopstream-cli --help")
                                           : QStringLiteral("shopstream-cli %1 --help").arg(command);
    std::fprintf(stderr, "shopstream-cli: %s (see %s)\n", shown(message).c_str(), shown(hint).c_str());
    return kExitUsage;
}

void warn(std::string_view message)
{
    std::fprintf(stderr, "shopstream-cli: warning: %s\n", shown(message).c_str());
}

void note(std::string_view message) { std::fprintf(stderr, "shopstream-cli: %s\n", shown(message).c_str()); }

void printWarnings(const std::vector<std::string>& warnings)
{
    for (const std::string& w : warnings)
        warn(w);
}

std::string shown(std::string_view text) { return escapeForTerminal(text); }

std::string shown(const QString& text) { return escapeForTerminal(text.toStdString()); }

void print(std::string_view text)
{
    write(text);
    std::fputc('\n', stdout);
}

void write(std::string_view text)
{
    if (!text.empty()) // an empty view may hold a null pointer, which fwrite must not get
        std::fwrite(text.data(), 1, text.size(), stdout);
}

bool parseCount(const QString& text, qint64 lo, qint64 hi, qint64& out)
{
    bool ok = false;
    out = text.toLongLong(&ok);
    return ok && out >= lo && out <= hi;
}

std::string idBefore(const StreamId& id)
{
    if (id.isZero())
        return {};
    if (id.seq > 0)
        return StreamId{id.ms, id.seq - 1}.toString();
    return StreamId{id.ms - 1, std::numeric_limits<std::uint64_t>::max()}.toString();
}

QString eventArgumentsProblem(const QString& type, const std::string& json)
{
    if (!parseEventType(type.toStdString()))
        return QStringLiteral("unknown event type \"%1\": use RegisterUser, TopUp, AdjustBalance, AddItem, SetPrice, "
                              "AdjustStock or Order")
            .arg(type);
    const auto parsed = nlohmann::json::parse(json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        return QStringLiteral("the data is not a JSON object");
    return {};
}

bool loadEntryAndStateBefore(Session& session, const StreamId& id, redis::StateLoader& loader, redis::LoadOptions& options,
                             redis::LoadReport& report, redis::EntryBatch& entry, ShopState& state, std::string& error)
{
    redis::StreamReader reader(session.connection, session.stream);
    if (!reader.entry(id.toString(), entry)) {
        error = reader.error();
        return false;
    }
    if (entry.entries.empty()) {
        error = "there is no entry " + id.toString() + " in " + session.stream;
        return false;
    }
    options.untilId = idBefore(id);
    const bool ok = loader.load(state, options, report);
    printWarnings(report.warnings);
    report.warnings.clear();
    if (!ok)
        error = report.error;
    return ok;
}

bool openSession(const Invocation& call, Session& session, QString& error, bool viewOnly)
{
    session.stream = call.global.stream.toStdString();
    if (!session.target.resolve(call.global.redisUrl, call.global.dataDir)) {
        error = session.target.error();
        return false;
    }
    redis::ConnectOptions options;
    options.commandTimeoutMs = 60000; // a large snapshot or XRANGE batch may take a while
    session.connection.setViewOnly(call.global.readOnly || viewOnly);
    session.connection.setClusterKey(session.stream);
    if (!session.connection.connect(session.target.url(), options)) {
        error = QString::fromStdString(session.connection.error());
        return false;
    }
    if (const std::string topology = redis::topologyWarning(session.connection); !topology.empty())
        warn(topology);
    return true;
}

} // namespace shop::cli
