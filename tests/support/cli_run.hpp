// shopstream-cli run as a child by the suites that drive it (SHOPSTREAM_CLI names it): its
// exit code and output, for a test to compare and to print when it fails.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

struct CliRun {
    int exitCode = -1; // -1: it crashed or did not finish
    QByteArray out, err;

    QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(QString::fromUtf8(out.left(1500)), QString::fromUtf8(err));
    }
    // Exactly one line on stderr, and it says who is talking.
    bool oneErrorLine() const { return err.count('\n') == 1 && err.startsWith("shopstream-cli: "); }
};

// Runs $SHOPSTREAM_CLI with `args`, and `env` ("NAME=value") over this environment.
inline CliRun runCli(const QStringList& args, const QStringList& env = {}, int timeoutMs = 120000)
{
    QProcess p;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString& e : env)
        environment.insert(e.section(QLatin1Char('='), 0, 0), e.section(QLatin1Char('='), 1));
    p.setProcessEnvironment(environment);
    p.start(qEnvironmentVariable("SHOPSTREAM_CLI"), args);
    CliRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "did not finish";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}
