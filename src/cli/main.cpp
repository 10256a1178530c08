// shopstream-cli: the shop's engine without a GUI. Parses the command line in two passes with
// QCommandLineParser (the global options and the command name, then that command's own
// options, among which the global options are accepted again) and runs the command.
#include "cli_context.hpp"

#include "core/utf8_text.hpp"
#include "redis/redis_url.hpp"

#include "shopstream_version.h"

#include <QLoggingCategory>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

using namespace shop::cli;

namespace {

const QCommandLineOption kRedis(QStringLiteral("redis"),
                                QStringLiteral("redis://[user:password@]host[:port][/db], rediss://... (TLS),\n"
                                               "redis+sentinel://[user:password@]h1[:p1][,h2[:p2]...]/MASTER[/db]\n"
                                               "(rediss+sentinel://), redis+cluster://[user:password@]h1[:p1][,h2...]\n"
                                               "(rediss+cluster://; writing needs a {hash tag} in --stream) or\n"
                                               "unix:///path/to.sock; without it, a managed\n"
                                               "local redis-server under your data directory. A password can also\n"
                                               "come from SHOPSTREAM_REDIS_PASSWORD."),
                                QStringLiteral("URL"));
const QCommandLineOption kStream(QStringLiteral("stream"),
                                 QStringLiteral("the stream key (default shop:events; the original demo's is \"orders\")"),
                                 QStringLiteral("KEY"));
const QCommandLineOption kDataDir(QStringLiteral("data-dir"), QStringLiteral("where the managed local server keeps its data"),
                                  QStringLiteral("DIR"));
const QCommandLineOption kReadOnly(QStringLiteral("read-only"),
                                   QStringLiteral("viewer mode: write nothing to Redis (no snapshots, no appends);\n"
                                                  "commands that only write are refused"));
const QCommandLineOption kTlsCa(QStringLiteral("tls-ca"),
                                QStringLiteral("rediss://: the CA certificates (PEM) to trust (default: the system's)"),
                                QStringLiteral("FILE"));
const QCommandLineOption kTlsCert(QStringLiteral("tls-cert"),
                                  QStringLiteral("rediss://: a client certificate (PEM), with --tls-key; a passphrase\n"
                                                 "for the key comes from SHOPSTREAM_TLS_KEY_PASSPHRASE"),
                                  QStringLiteral("FILE"));
const QCommandLineOption kTlsKey(QStringLiteral("tls-key"), QStringLiteral("rediss://: the client certificate's private key (PEM)"),
                                 QStringLiteral("FILE"));
const QCommandLineOption kTlsServerName(QStringLiteral("tls-server-name"),
                                        QStringLiteral("rediss://: the name to send (SNI) and to verify in the server's\n"
                                                       "certificate (default: the URL's host)"),
                                        QStringLiteral("NAME"));
const QCommandLineOption kTlsInsecure(QStringLiteral("tls-insecure"),
                                      QStringLiteral("rediss://: do not verify the server's certificate (warned on every run)"));
const QCommandLineOption kSentinelUser(QStringLiteral("sentinel-user"),
                                       QStringLiteral("redis+sentinel://: the sentinels' own ACL user"), QStringLiteral("NAME"));
const QCommandLineOption kSentinelPassword(QStringLiteral("sentinel-password"),
                                           QStringLiteral("redis+sentinel://: the sentinels' own password (or\n"
                                                          "SHOPSTREAM_SENTINEL_PASSWORD)"),
                                           QStringLiteral("PASSWORD"));
const QCommandLineOption kHelp(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                               QStringLiteral("help (also after a command: shopstream-cli state --help)"));
const QCommandLineOption kVersion(QStringLiteral("version"), QStringLiteral("the version"));

QList<QCommandLineOption> globalOptions()
{
    return {kRedis,       kStream,       kDataDir,     kReadOnly,     kTlsCa,         kTlsCert, kTlsKey, kTlsServerName,
            kTlsInsecure, kSentinelUser, kSentinelPassword, kHelp,      kVersion};
}

std::vector<Command> allCommands()
{
    return {appendCommand(), produceCommand(), stateCommand(), consumeCommand(), eventsCommand(),
            explainCommand(), whatifCommand(), snapshotCommand(), benchCommand()};
}

QString mainHelp(const std::vector<Command>& commands)
{
    QString text = QStringLiteral("Usage: shopstream-cli [--redis URL] [--stream KEY] [--read-only] COMMAND [OPTIONS]\n\n"
                                  "The shopstream engine without a GUI: an event-sourced shop whose history is a Redis Stream.\n\n"
                                  "Commands:\n");
    constexpr int kColumn = 23;
    for (const Command& c : commands) {
        // The synopsis up to its first option: "append TYPE JSON", "snapshot save|list|verify".
        QStringList head;
        for (const QString& word : c.synopsis.split(QLatin1Char(' '))) {
            if (word.startsWith(QLatin1Char('[')) || word.startsWith(QLatin1Char('-')))
                break;
            head << word;
        }
        QString line = QStringLiteral("  ") + head.join(QLatin1Char(' '));
        if (line.size() > kColumn - 2)
            line += QLatin1Char('\n') + QString(kColumn, QLatin1Char(' '));
        else
            line = line.leftJustified(kColumn);
        text += line + c.summary + QLatin1Char('\n');
    }
    text += QStringLiteral("\nOptions for every command:\n") + formatOptions(globalOptions());
    text += QStringLiteral("\nExit status: 0 on success, 1 when something failed (one line on stderr), 2 on a usage error.\n");
    return text;
}

QString commandHelp(const Command& c)
{
    const QString usage = QStringLiteral("Usage: shopstream-cli ");
    QString text = usage + wrapText(c.synopsis, static_cast<int>(usage.size()))
                   + QStringLiteral("\n\n%1\n\n").arg(c.description);
    text += formatOptions(c.options);
    if (!c.notes.isEmpty())
        text += QLatin1Char('\n') + c.notes + QLatin1Char('\n');
    return text;
}

// QCommandLineParser's error, in this program's words: "unknown option --frob for state".
QString parseError(const QCommandLineParser& parser, const QString& command)
{
    const QStringList unknown = parser.unknownOptionNames();
    if (!unknown.isEmpty()) {
        const QString& name = unknown.first();
        const QString option = (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
        return command.isEmpty() ? QStringLiteral("unknown option %1").arg(option)
                                 : QStringLiteral("unknown option %1 for %2").arg(option, command);
    }
    QString text = parser.errorText();
    if (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    if (!text.isEmpty())
        text[0] = text[0].toLower();
    return text;
}

int printHelp(const QString& text)
{
    std::fputs(qPrintable(text), stdout);
    return kExitOk;
}

int printVersion()
{
    print("shopstream-cli " SHOPSTREAM_VERSION);
    return kExitOk;
}

// Checked on the raw bytes: as a QString, invalid UTF-8 would quietly become U+FFFD, in a
// stream key or in the JSON that append writes. The message quotes the argument (escaped),
// except a --redis URL, which may hold a password.
int checkUtf8(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (shop::isValidUtf8(arg))
            continue;
        const std::string_view previous = i > 1 ? std::string_view(argv[i - 1]) : std::string_view();
        if (previous == "--redis" || arg.starts_with("--redis="))
            return usageError(QStringLiteral("the --redis URL (argument %1) is not valid UTF-8").arg(i));
        std::string where = "argument " + std::to_string(i) + " \"" + shown(arg) + "\"";
        if (previous.starts_with('-'))
            where += " (after " + shown(previous) + ")";
        return usageError(QString::fromStdString(where + " is not valid UTF-8"));
    }
    return kExitOk;
}

// Qt's log messages (the shopstream.* categories, when QT_LOGGING_RULES enables them) may
// quote stream content: escaped like every other line this program prints.
void printLogMessage(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    std::fprintf(stderr, "%s\n", shown(qFormatLogMessage(type, context, message)).c_str());
    if (type == QtFatalMsg)
        std::abort();
}

int runCli(int argc, char** argv)
{
    qInstallMessageHandler(printLogMessage);
    if (const int code = checkUtf8(argc, argv); code != kExitOk)
        return code;
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromUtf8(argv[i]);
    const std::vector<Command> commands = allCommands();
    const auto find = [&](const QString& name) -> const Command* {
        for (const Command& c : commands) {
            if (c.name == name)
                return &c;
        }
        return nullptr;
    };

    // Pass 1: the global options, up to the command name; the rest stays for pass 2.
    QCommandLineParser globals;
    globals.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    globals.addOptions(globalOptions());
    if (!globals.parse(args))
        return usageError(parseError(globals, {}));
    const QStringList rest = globals.positionalArguments();
    const Command* command = rest.isEmpty() ? nullptr : find(rest.first());
    if (globals.isSet(kVersion))
        return printVersion();
    if (globals.isSet(kHelp))
        return printHelp(command ? commandHelp(*command) : mainHelp(commands));
    if (rest.isEmpty()) {
        std::fputs(qPrintable(mainHelp(commands)), stderr);
        return kExitUsage;
    }
    if (!command)
        return usageError(QStringLiteral("unknown command \"%1\"").arg(rest.first()));

    // Pass 2: the command's options, and the global ones again (they may follow the command).
    QCommandLineParser parser;
    parser.addOptions(globalOptions());
    parser.addOptions(command->options);
    if (!parser.parse(QStringList{args.first()} + rest.mid(1)))
        return usageError(parseError(parser, command->name), command->name);
    if (parser.isSet(kVersion))
        return printVersion();
    if (parser.isSet(kHelp))
        return printHelp(commandHelp(*command));

    GlobalOptions global;
    // A global option's value, after the command or before it.
    const auto isSet = [&](const QCommandLineOption& option) { return parser.isSet(option) || globals.isSet(option); };
    const auto valueOf = [&](const QCommandLineOption& option) {
        return parser.isSet(option) ? parser.value(option) : globals.value(option);
    };
    for (const auto& [option, target] : {std::pair{&kRedis, &global.redisUrl}, std::pair{&kStream, &global.stream},
                                         std::pair{&kDataDir, &global.dataDir}}) {
        if (isSet(*option))
            *target = valueOf(*option);
    }
    global.readOnly = parser.isSet(kReadOnly) || globals.isSet(kReadOnly);
    const bool writes = command->name == QLatin1String("produce")
                        || (command->name == QLatin1String("append") && !parser.isSet(QStringLiteral("dry-run")));
    if (global.readOnly && writes)
        return usageError(QStringLiteral("%1 writes to the stream, and --read-only writes nothing").arg(command->name),
                          command->name);
    if ((parser.isSet(kRedis) || globals.isSet(kRedis)) && global.redisUrl.isEmpty())
        return usageError(QStringLiteral("--redis needs a URL"));
    if (global.stream.isEmpty())
        return usageError(QStringLiteral("--stream needs a key"));
    const QList<const QCommandLineOption*> tlsOptions{&kTlsCa, &kTlsCert, &kTlsKey, &kTlsServerName, &kTlsInsecure};
    const auto tlsGiven = std::find_if(tlsOptions.begin(), tlsOptions.end(), [&](const auto* o) { return isSet(*o); });
    if (!global.redisUrl.isEmpty()) {
        shop::redis::RedisUrl url;
        std::string error;
        if (!shop::redis::RedisUrl::parse(global.redisUrl.toStdString(), url, error))
            return usageError(QString::fromStdString(error));
        if (tlsGiven != tlsOptions.end() && !url.tls)
            return usageError(QStringLiteral("--%1 is for TLS: write the URL as rediss://%2").arg((*tlsGiven)->names().first(),
                                                                                                QString::fromStdString(url.address())));
        // The options override the URL's query (tls-ca=... and so on).
        for (const auto& [option, field] : {std::pair{&kTlsCa, &url.tlsOptions.caFile}, std::pair{&kTlsCert, &url.tlsOptions.certFile},
                                            std::pair{&kTlsKey, &url.tlsOptions.keyFile},
                                            std::pair{&kTlsServerName, &url.tlsOptions.serverName}}) {
            if (isSet(*option))
                *field = valueOf(*option).toStdString();
        }
        url.tlsOptions.insecure = url.tlsOptions.insecure || isSet(kTlsInsecure);
        if ((isSet(kSentinelUser) || isSet(kSentinelPassword)) && url.kind != shop::redis::RedisUrl::Kind::Sentinel)
            return usageError(QStringLiteral("--%1 is for sentinels: write the URL as redis+sentinel://HOST:26379/MASTER")
                                  .arg(isSet(kSentinelUser) ? kSentinelUser.names().first() : kSentinelPassword.names().first()));
        if (isSet(kSentinelUser))
            url.sentinelUser = valueOf(kSentinelUser).toStdString();
        if (isSet(kSentinelPassword))
            url.sentinelPassword = valueOf(kSentinelPassword).toStdString();
        if (url.tls && url.tlsOptions.insecure)
            warn("TLS without verification (--tls-insecure): the server at " + url.address()
                 + " is not checked, so anyone on the way could read and change what is sent");
        global.redisUrl = QString::fromStdString(url.toString());
    } else if (tlsGiven != tlsOptions.end()) {
        return usageError(QStringLiteral("--%1 needs --redis rediss://HOST:PORT (TLS)").arg((*tlsGiven)->names().first()));
    }

    const Invocation call{command->name, global, parser, parser.positionalArguments(), argc, argv};
    return command->run(call);
}

} // namespace

int main(int argc, char** argv) { return runCli(argc, argv); }
