// shopstream-cli's commands (DESIGN section 7). Each returns the process exit code:
// 0 success, 1 a failure at run time (one line on stderr), 2 a usage error.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace shop::cli {

struct GlobalOptions {
    QString redisUrl;               // empty: the managed local server
    QString stream = QStringLiteral("shop:events");
    QString dataDir;                // managed server's data directory (tests)
};

// Parsed arguments of one command: options by name ("--count" -> "10"), flags as "",
// and positionals in order.
struct CommandArgs {
    GlobalOptions global;
    QString command;
    QStringList positionals;
    QHash<QString, QString> options;
    bool has(const QString& name) const { return options.contains(name); }
    QString value(const QString& name, const QString& fallback = {}) const { return options.value(name, fallback); }
};

int runCli(int argc, char** argv);

} // namespace shop::cli
