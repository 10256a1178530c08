// Helpers shared by the reliability suites: running shopstream-cli (SHOPSTREAM_CLI) as a
// child process, a few Redis reads, and a recorder of a ConsumerWorker's signals.
#pragma once

#include "redis/connection.hpp"

#include <QByteArray>
#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <csignal>
#include <string>
#include <sys/prctl.h>

namespace reliability {

inline QString cliPath() { return qEnvironmentVariable("SHOPSTREAM_CLI"); }

struct CliResult {
    int exitCode = -1;
    bool finished = false;
    qint64 elapsedMs = 0;
    QByteArray out;
    QByteArray err;

    QString describe() const
    {
        return QStringLiteral("exit %1 after %2 ms\nstdout: %3\nstderr: %4")
            .arg(exitCode)
            .arg(elapsedMs)
            .arg(QString::fromUtf8(out.left(1500)), QString::fromUtf8(err.left(1500)));
    }
    bool ok() const { return finished && exitCode == 0; }
    // Exactly one line on stderr, and it says who is talking.
    bool oneErrorLine() const { return err.count('\n') == 1 && err.endsWith('\n') && err.startsWith("shopstream-cli:"); }
};

// A child that dies with the test, even when the test is killed.
inline void prepareChild(QProcess& p, const QProcessEnvironment& env)
{
    p.setProgram(cliPath());
    p.setProcessEnvironment(env);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

inline CliResult runCli(const QStringList& args, int timeoutMs = 60000,
                        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    CliResult r;
    QProcess p;
    prepareChild(p, env);
    p.setArguments(args);
    QElapsedTimer timer;
    timer.start();
    p.start();
    if (!p.waitForStarted(5000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    r.finished = p.waitForFinished(timeoutMs) && p.exitStatus() == QProcess::NormalExit;
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.elapsedMs = timer.elapsed();
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

inline qint64 xlen(shop::redis::Connection& c, const std::string& stream)
{
    const shop::redis::Reply r = c.command({"XLEN", stream});
    return r && r.isInteger() ? r.integer() : -1;
}

} // namespace reliability
