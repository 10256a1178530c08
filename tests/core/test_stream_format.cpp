// Deciding a stream's format from its newest entries (DESIGN sections 3 and 4): an entry
// without `v` whose data does not start with '{' is the original demo's; an empty stream is
// native; a stream with both formats takes its newest entry's, and says so.
#include "core/entry.hpp"
#include "core/stream_format.hpp"

#include <QtTest>

#include <string>
#include <vector>

using namespace shop;

namespace {

const std::string kMsgpack("\x84\xa2ID\xa0", 5);
const std::string kJson = R"({"userId":1,"amount":100})";

RawEntry native(std::string_view id)
{
    RawEntry e;
    e.id = id;
    e.type = "TopUp";
    e.data = kJson;
    e.v = "1";
    return e;
}

RawEntry legacy(std::string_view id)
{
    RawEntry e;
    e.id = id;
    e.type = "TopUp";
    e.data = kMsgpack;
    return e;
}

} // namespace

class TestStreamFormat : public QObject {
    Q_OBJECT

private slots:
    void emptyStreamIsNative();
    void allNative();
    void allLegacy();
    void mixedTakesTheNewestEntrysFormat();
    void howEntriesCount();
};

void TestStreamFormat::emptyStreamIsNative()
{
    const StreamFormatReport r = classifyStreamFormat({});
    QCOMPARE(r.format, StreamFormat::Native);
    QCOMPARE(r.appendAs, EntryFormat::Native);
    QCOMPARE(r.sampled, std::size_t(0));
    QVERIFY(r.newestId.empty());
    QVERIFY(QString::fromStdString(describeStreamFormat(r, "s")).contains(QStringLiteral("empty")));
}

void TestStreamFormat::allNative()
{
    const std::vector<RawEntry> entries = {native("3-0"), native("2-0"), native("1-0")};
    const StreamFormatReport r = classifyStreamFormat(entries);
    QCOMPARE(r.format, StreamFormat::Native);
    QCOMPARE(r.appendAs, EntryFormat::Native);
    QCOMPARE(r.sampled, std::size_t(3));
    QCOMPARE(r.legacy, std::size_t(0));
    QCOMPARE(r.newestId, std::string("3-0"));
    QCOMPARE(streamFormatName(r.format), std::string_view("native"));
}

void TestStreamFormat::allLegacy()
{
    const std::vector<RawEntry> entries = {legacy("3-0"), legacy("2-0")};
    const StreamFormatReport r = classifyStreamFormat(entries);
    QCOMPARE(r.format, StreamFormat::Legacy);
    QCOMPARE(r.appendAs, EntryFormat::Legacy);
    QCOMPARE(r.legacy, std::size_t(2));
    QCOMPARE(streamFormatName(r.format), std::string_view("legacy"));
    QVERIFY(QString::fromStdString(describeStreamFormat(r, "orders")).contains(QStringLiteral("original demo's format")));
}

void TestStreamFormat::mixedTakesTheNewestEntrysFormat()
{
    {
        const std::vector<RawEntry> entries = {legacy("3-0"), native("2-0"), legacy("1-0")};
        const StreamFormatReport r = classifyStreamFormat(entries);
        QCOMPARE(r.format, StreamFormat::Mixed);
        QCOMPARE(r.appendAs, EntryFormat::Legacy);
        QCOMPARE(r.legacy, std::size_t(2));
        const QString said = QString::fromStdString(describeStreamFormat(r, "orders"));
        QVERIFY2(said.contains(QStringLiteral("3-0")) && said.contains(QStringLiteral("both formats")), qPrintable(said));
        QCOMPARE(streamFormatName(r.format), std::string_view("mixed"));
    }
    {
        const std::vector<RawEntry> entries = {native("3-0"), legacy("2-0")};
        const StreamFormatReport r = classifyStreamFormat(entries);
        QCOMPARE(r.format, StreamFormat::Mixed);
        QCOMPARE(r.appendAs, EntryFormat::Native);
        QVERIFY(QString::fromStdString(describeStreamFormat(r, "orders")).contains(QStringLiteral("is native")));
    }
}

void TestStreamFormat::howEntriesCount()
{
    // `v` makes an entry native whatever its data; without `v`, JSON data is native too.
    RawEntry versioned = legacy("2-0");
    versioned.v = "1";
    RawEntry unversionedJson = native("1-0");
    unversionedJson.v.reset();
    const std::vector<RawEntry> entries = {versioned, unversionedJson};
    QCOMPARE(classifyStreamFormat(entries).format, StreamFormat::Native);

    // An entry without `v` and without data is read as legacy (DESIGN section 3).
    RawEntry bare;
    bare.id = "1-0";
    bare.type = "TopUp";
    const std::vector<RawEntry> one = {bare};
    QCOMPARE(classifyStreamFormat(one).format, StreamFormat::Legacy);
}

QTEST_APPLESS_MAIN(TestStreamFormat)
#include "test_stream_format.moc"
