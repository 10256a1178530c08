// explain, append --dry-run and whatif, end to end: the real shopstream-cli against a private
// redis-server. What-if is checked against an independent rebuild: the test copies the stream
// with XRANGE/XADD into another key, leaving the entry out or putting the replacement in its
// place, and compares `state --json --from-scratch` and the `events` verdicts of the copy with
// what whatif printed; for entries at the start, in the middle (before and after a snapshot)
// and at the head, one of them a top-up whose removal turns later orders from applied to
// rejected. Around every command the server's keys and stream lengths must stay the same.
// The preview's verdict must be the consumer's, for every type, applied and rejected.
#include "redis/connection.hpp"
#include "test_redis_server.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <string>
#include <vector>

using shop::redis::Connection;
using shop::redis::Reply;
using shop::redis::ReplyView;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out, err;
    QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(QString::fromUtf8(out.left(3000)), QString::fromUtf8(err.left(2000)));
    }
    bool oneErrorLine() const { return err.count('\n') == 1 && err.startsWith("shopstream-cli:"); }
};

QString text(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

struct Entry {
    QString id;
    std::vector<std::string> fields; // name, value, ...
};

} // namespace

class TestWhatIfCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void explainSaysWhyWithItsValues();
    void explainErrors();
    void dryRunPredictsTheConsumersVerdict_data();
    void dryRunPredictsTheConsumersVerdict();
    void whatIfAgreesWithACopy_data();
    void whatIfAgreesWithACopy();
    void whatIfErrors();

private:
    Run run(const QStringList& args, const QString& stream = QStringLiteral("wi"));
    std::vector<Entry> entries(const QString& stream);
    QString redisFacts(); // every key with its type, and each stream's length
    QString append(const QString& type, const QString& json, const QString& stream = QStringLiteral("wi"));
    QMap<QString, QString> verdicts(const QString& stream); // id -> "applied" or the reason

    QString cli_;
    QTemporaryDir home_;
    QProcessEnvironment env_;
    TestRedisServer server_;
    Connection c_;
    // The flip: user 900's top-up, two orders it pays for, and a third that finds no stock.
    QString topUp_, order1_, order2_, order3_;
};

Run TestWhatIfCli::run(const QStringList& args, const QString& stream)
{
    Run r;
    QProcess p;
    p.setProcessEnvironment(env_);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(cli_, QStringList{"--redis", server_.urlText(), "--data-dir", home_.filePath("data"), "--stream", stream} + args);
    if (p.waitForStarted(10000) && p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit)
        r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

std::vector<Entry> TestWhatIfCli::entries(const QString& stream)
{
    std::vector<Entry> out;
    Reply r = c_.command({"XRANGE", stream.toStdString(), "-", "+"});
    const ReplyView list(r.raw());
    for (std::size_t i = 0; i < list.size(); ++i) {
        Entry e{text(list[i][0].str()), {}};
        const ReplyView fields = list[i][1];
        for (std::size_t f = 0; f < fields.size(); ++f)
            e.fields.emplace_back(fields[f].str());
        out.push_back(std::move(e));
    }
    return out;
}

QString TestWhatIfCli::redisFacts()
{
    QStringList facts;
    Reply keys = c_.command({"KEYS", "*"});
    const ReplyView list(keys.raw());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string key(list[i].str());
        const std::string type(c_.command({"TYPE", key}).str());
        QString fact = text(key) + " " + text(type);
        if (type == "stream")
            fact += " " + QString::number(c_.command({"XLEN", key}).integer());
        facts << fact;
    }
    facts.sort();
    return facts.join('\n');
}

QString TestWhatIfCli::append(const QString& type, const QString& json, const QString& stream)
{
    const Run r = run({"append", type, json}, stream);
    if (r.exitCode != 0)
        qWarning("%s", qPrintable(r.describe()));
    return QString::fromUtf8(r.out).trimmed();
}

QMap<QString, QString> TestWhatIfCli::verdicts(const QString& stream)
{
    QMap<QString, QString> out;
    const Run r = run({"events", "--json", "--count", "0"}, stream);
    const QJsonArray rows = QJsonDocument::fromJson(r.out).array();
    for (const QJsonValue& v : rows) {
        const QJsonObject row = v.toObject();
        out.insert(row["id"].toString(), row["verdict"].toString() == "applied" ? QStringLiteral("applied") : row["reason"].toString());
    }
    return out;
}

void TestWhatIfCli::initTestCase()
{
    cli_ = qEnvironmentVariable("SHOPSTREAM_CLI");
    QVERIFY2(QFile::exists(cli_), "SHOPSTREAM_CLI must name the shopstream-cli executable");
    QVERIFY(home_.isValid());
    env_ = QProcessEnvironment::systemEnvironment();
    env_.insert("HOME", home_.path());
    env_.insert("XDG_DATA_HOME", home_.filePath("xdg"));
    env_.remove("SHOPSTREAM_DATA_DIR");
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());

    // Simulated traffic, a snapshot, the flip, more traffic, and the order that finds no stock.
    Run r = run({"produce", "--events", "1500", "--seed", "11"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run({"snapshot", "save"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!append("RegisterUser", R"({"userId":900,"name":"Flip"})").isEmpty());
    QVERIFY(!append("AddItem", R"({"itemId":"flipitem","count":2,"price":1000})").isEmpty());
    topUp_ = append("TopUp", R"({"userId":900,"amount":2500})");
    order1_ = append("Order", R"({"userId":900,"lines":[{"itemId":"flipitem","qty":1}]})");
    r = run({"produce", "--events", "300", "--seed", "12"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    order2_ = append("Order", R"({"userId":900,"lines":[{"itemId":"flipitem","qty":1}]})");
    order3_ = append("Order", R"({"userId":900,"lines":[{"itemId":"flipitem","qty":1}]})");
    r = run({"produce", "--events", "200", "--seed", "13"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!topUp_.isEmpty() && !order1_.isEmpty() && !order2_.isEmpty() && !order3_.isEmpty());
    const QMap<QString, QString> real = verdicts("wi");
    QCOMPARE(real.size(), 1500 + 4 + 300 + 2 + 200);
    QCOMPARE(real[order1_], QStringLiteral("applied"));
    QCOMPARE(real[order2_], QStringLiteral("applied"));
    QCOMPARE(real[order3_], QStringLiteral("out_of_stock"));
}

void TestWhatIfCli::explainSaysWhyWithItsValues()
{
    const QString before = redisFacts();
    // Rejected: the ladder up to out_of_stock, with its values, then the rest not reached.
    Run r = run({"explain", order3_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("rejected: out_of_stock"), r.out.constData());
    QVERIFY2(r.out.contains("  passed       unpriced_item\n"), r.out.constData());
    QVERIFY2(r.out.contains("  decided      out_of_stock: item \"flipitem\": 1 ordered, 0 in stock\n"), r.out.constData());
    QVERIFY2(r.out.contains("  not reached  insufficient_funds\n"), r.out.constData());
    QVERIFY2(r.out.contains("changes: none"), r.out.constData());

    r = run({"explain", order3_, "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(j["id"].toString(), order3_);
    QCOMPARE(j["type"].toString(), QStringLiteral("Order"));
    QCOMPARE(j["verdict"].toString(), QStringLiteral("out_of_stock"));
    const QJsonArray checks = j["checks"].toArray();
    QCOMPARE(checks.size(), 11); // five for every entry, six for an order
    QCOMPARE(checks[8].toObject()["check"].toString(), QStringLiteral("out_of_stock"));
    QCOMPARE(checks[8].toObject()["outcome"].toString(), QStringLiteral("decided"));
    QCOMPARE(checks[7].toObject()["outcome"].toString(), QStringLiteral("passed"));
    QCOMPARE(checks[10].toObject()["outcome"].toString(), QStringLiteral("not_reached"));

    // Applied: every check passed, and both rows before and after.
    r = run({"explain", order1_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains(", applied\n"), r.out.constData());
    QVERIFY2(r.out.contains("  user 900 \"Flip\": balance 25.00 -> 15.00, spent +10.00, orders +1\n"), r.out.constData());
    QVERIFY2(r.out.contains("  item \"flipitem\": stock 2 -> 1, sold +1\n"), r.out.constData());
    QVERIFY(!r.out.contains("decided"));
    r = run({"explain", order1_, "--json"});
    const QJsonArray changes = QJsonDocument::fromJson(r.out).object()["changes"].toArray();
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes[0].toObject()["before"].toObject()["balance"].toInteger(), 2500);
    QCOMPARE(changes[0].toObject()["after"].toObject()["balance"].toInteger(), 1500);
    QCOMPARE(changes[1].toObject()["item"].toString(), QStringLiteral("flipitem"));
    QCOMPARE(changes[1].toObject()["after"].toObject()["sold"].toInteger(), 1);

    // From the snapshot or from scratch: the same explanation; for every verdict the stream has.
    const QMap<QString, QString> real = verdicts("wi");
    QSet<QString> reasonsSeen;
    for (auto it = real.begin(); it != real.end(); ++it) {
        if (reasonsSeen.contains(it.value()))
            continue;
        reasonsSeen.insert(it.value());
        const Run fast = run({"explain", it.key(), "--json"});
        const Run slow = run({"explain", it.key(), "--json", "--from-scratch"});
        QVERIFY2(fast.exitCode == 0, qPrintable(fast.describe()));
        QCOMPARE(fast.out, slow.out);
        QCOMPARE(QJsonDocument::fromJson(fast.out).object()["verdict"].toString(), it.value());
    }
    QVERIFY2(reasonsSeen.size() >= 5, qPrintable(QStringList(reasonsSeen.values()).join(' ')));
    QCOMPARE(redisFacts(), before);
}

void TestWhatIfCli::explainErrors()
{
    Run r = run({"explain", "1-999"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine() && r.err.contains("there is no entry 1-999"), qPrintable(r.describe()));
    r = run({"explain", "abc"});
    QCOMPARE(r.exitCode, 2);
    r = run({"explain"});
    QCOMPARE(r.exitCode, 2);
}

void TestWhatIfCli::dryRunPredictsTheConsumersVerdict_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("RegisterUser applied") << "RegisterUser" << R"({"userId":700,"name":"Dry"})" << "applied";
    QTest::newRow("RegisterUser rejected") << "RegisterUser" << R"({"userId":700,"name":"Again"})" << "user_exists";
    QTest::newRow("TopUp applied") << "TopUp" << R"({"userId":700,"amount":2000})" << "applied";
    QTest::newRow("TopUp rejected") << "TopUp" << R"({"userId":700,"amount":0})" << "invalid";
    QTest::newRow("AdjustBalance applied") << "AdjustBalance" << R"({"userId":700,"delta":-500,"reason":"fee"})" << "applied";
    QTest::newRow("AdjustBalance rejected") << "AdjustBalance" << R"({"userId":700,"delta":-5000,"reason":"fee"})" << "negative_balance";
    QTest::newRow("AddItem applied") << "AddItem" << R"({"itemId":"dryitem","count":1})" << "applied";
    QTest::newRow("Order rejected, unpriced") << "Order" << R"({"userId":700,"lines":[{"itemId":"dryitem","qty":1}]})" << "unpriced_item";
    QTest::newRow("SetPrice applied") << "SetPrice" << R"({"itemId":"dryitem","price":1200})" << "applied";
    QTest::newRow("SetPrice rejected") << "SetPrice" << R"({"itemId":"nodryitem","price":1200})" << "unknown_item";
    QTest::newRow("AdjustStock applied") << "AdjustStock" << R"({"itemId":"dryitem","delta":2,"reason":"found"})" << "applied";
    QTest::newRow("AdjustStock rejected") << "AdjustStock" << R"({"itemId":"dryitem","delta":-9,"reason":"lost"})" << "negative_stock";
    QTest::newRow("Order rejected, funds") << "Order" << R"({"userId":700,"lines":[{"itemId":"dryitem","qty":2}]})" << "insufficient_funds";
    QTest::newRow("Order applied") << "Order" << R"({"userId":700,"lines":[{"itemId":"dryitem","qty":1}]})" << "applied";
    QTest::newRow("Order rejected, stock") << "Order" << R"({"userId":700,"lines":[{"itemId":"dryitem","qty":3}]})" << "out_of_stock";
}

void TestWhatIfCli::dryRunPredictsTheConsumersVerdict()
{
    QFETCH(QString, type);
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const QString stream = QStringLiteral("dry");
    const QString before = redisFacts();
    Run r = run({"append", "--dry-run", "--json", type, json}, stream);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject preview = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(preview["verdict"].toString(), expected);
    QVERIFY(preview["id"].isNull());
    // The text form says the same, and neither wrote anything.
    r = run({"--read-only", "append", "--dry-run", type, json}, stream);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.startsWith("dry run, nothing was appended: "), r.out.constData());
    QVERIFY2(r.out.contains(expected == "applied" ? QByteArray(" would be applied") : (" would be rejected: " + expected.toUtf8())), r.out.constData());
    QCOMPARE(redisFacts(), before);

    // Appended for real: the consumer's verdict is the preview's.
    const QString id = append(type, json, stream);
    QVERIFY(!id.isEmpty());
    r = run({"events", "--json", "--from", id, "--count", "1"}, stream);
    const QJsonObject row = QJsonDocument::fromJson(r.out).array().at(0).toObject();
    QCOMPARE(row["id"].toString(), id);
    QCOMPARE(row["verdict"].toString() == "applied" ? QStringLiteral("applied") : row["reason"].toString(), expected);
}

void TestWhatIfCli::whatIfAgreesWithACopy_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<bool>("replace");
    QTest::newRow("without the first entry") << "first" << false;
    QTest::newRow("without one in the middle (before the snapshot)") << "middle" << false;
    QTest::newRow("without the top-up (after the snapshot)") << "topup" << false;
    QTest::newRow("without the head") << "head" << false;
    QTest::newRow("the top-up replaced by less") << "topup" << true;
    QTest::newRow("the first entry replaced") << "first" << true;
}

void TestWhatIfCli::whatIfAgreesWithACopy()
{
    QFETCH(QString, which);
    QFETCH(bool, replace);
    const std::vector<Entry> all = entries("wi");
    QString id = which == "first" ? all.front().id : which == "middle" ? all[700].id : which == "head" ? all.back().id : topUp_;
    const QString type = QStringLiteral("TopUp");
    const QString data = which == "topup" ? QStringLiteral(R"({"userId":900,"amount":1000})") : QStringLiteral(R"({"userId":3,"amount":99})");

    const QString before = redisFacts();
    QStringList args{"whatif", replace ? "--replace" : "--without", id};
    if (replace)
        args << type << data;
    const Run r = run(args + QStringList{"--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(redisFacts(), before);
    const QJsonObject result = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(result.keys().size(), 4);
    QCOMPARE(result["without"].toString(), replace ? QString() : id);
    QCOMPARE(result["replaced"].toString(), replace ? id : QString());
    QVERIFY(replace ? result["without"].isNull() : result["replaced"].isNull());
    // The text form runs too.
    const Run textRun = run(args);
    QVERIFY2(textRun.exitCode == 0 && textRun.out.startsWith("what if entry " + id.toUtf8()), qPrintable(textRun.describe()));

    // The independent rebuild: a copy with the change, made by XRANGE and XADD.
    const QString copy = QStringLiteral("wi:copy");
    c_.command({"DEL", copy.toStdString()});
    for (const Entry& e : all) {
        const std::string key = copy.toStdString(), entryId = e.id.toStdString();
        const std::string newType = type.toStdString(), newData = data.toStdString();
        std::vector<std::string_view> command{"XADD", key, entryId};
        if (e.id == id) {
            if (!replace)
                continue;
            command.insert(command.end(), {"type", newType, "data", newData, "v", "1"});
        } else {
            command.insert(command.end(), e.fields.begin(), e.fields.end());
        }
        QVERIFY(!c_.command(command).isError());
    }
    const Run copied = run({"state", "--json", "--from-scratch"}, copy);
    QVERIFY2(copied.exitCode == 0, qPrintable(copied.describe()));
    QJsonObject expectedState = QJsonDocument::fromJson(copied.out).object();
    expectedState["stream"] = "wi"; // the only field that names the key
    QCOMPARE(result["state"].toObject(), expectedState);

    const QMap<QString, QString> real = verdicts("wi");
    const QMap<QString, QString> changed = verdicts(copy);
    QJsonArray expectedChanges;
    QCOMPARE(real.size(), int(all.size()));
    for (const Entry& e : all) { // in stream order
        if (e.id == id || changed.value(e.id) == real.value(e.id))
            continue;
        expectedChanges.append(QJsonObject{{"id", e.id}, {"before", real.value(e.id)}, {"after", changed.value(e.id)}});
    }
    QCOMPARE(result["changed"].toArray(), expectedChanges);
    if (which == "topup") {
        // Without the top-up both orders it paid for are refused, and the third finds stock.
        QJsonArray flips;
        for (const QJsonValue& v : expectedChanges)
            flips.append(v.toObject()["id"].toString() + ":" + v.toObject()["before"].toString() + "->" + v.toObject()["after"].toString());
        const QString o1 = order1_ + ":applied->insufficient_funds";
        const QString o2 = order2_ + ":applied->insufficient_funds";
        if (!replace) {
            QVERIFY2(flips.contains(o1) && flips.contains(o2), qPrintable(QJsonDocument(flips).toJson()));
            QVERIFY2(flips.contains(order3_ + ":out_of_stock->insufficient_funds"), qPrintable(QJsonDocument(flips).toJson()));
        } else {
            QVERIFY2(!flips.contains(o1) && flips.contains(o2), qPrintable(QJsonDocument(flips).toJson()));
        }
    }
    c_.command({"DEL", copy.toStdString()});
}

void TestWhatIfCli::whatIfErrors()
{
    const QString before = redisFacts();
    QCOMPARE(run({"whatif"}).exitCode, 2);
    QCOMPARE(run({"whatif", "--without", topUp_, "--replace", topUp_, "TopUp", "{}"}).exitCode, 2);
    QCOMPARE(run({"whatif", "--replace", topUp_, "Refund", "{}"}).exitCode, 2);
    QCOMPARE(run({"whatif", "--replace", topUp_, "TopUp", "[1]"}).exitCode, 2);
    const Run r = run({"whatif", "--without", "1-999"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine() && r.err.contains("there is no entry 1-999"), qPrintable(r.describe()));
    QCOMPARE(redisFacts(), before);
}

QTEST_GUILESS_MAIN(TestWhatIfCli)
#include "test_whatif_cli.moc"
