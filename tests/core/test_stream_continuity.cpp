// Stream continuity (src/core/stream_continuity): checkBeforeRead, checkAtHead and
// describeGap on hand-built StreamFacts and ReadPosition values, no Redis. Written from the
// contract alone (DESIGN section 5, docs/ARCHITECTURE.md "Stream continuity: gaps and
// resets", the header's comments), without reading stream_continuity.cpp: an intact stream,
// the resets (key gone or of another type, entries-added below what was covered, the newest
// id before the position, more entries after the position than were added since), the gaps
// (trimmed past the position with the exact count, XDEL after the position), what an accepted
// deletion and an `until` bound leave out, Redis 6.2's unknown counts, and edge values.
// QtTest first: moc's own preprocessor fails on <concepts> (via stream_id.hpp's <compare>)
// when no other standard header was read before it.
#include <QtTest>

#include "core/stream_continuity.hpp"
#include "core/stream_id.hpp"

#include <QRegularExpression>
#include <QStringList>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

using namespace shop;

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kIdMax = std::numeric_limits<std::uint64_t>::max();

StreamId sid(std::uint64_t ms, std::uint64_t seq = 0) { return StreamId{ms, seq}; }

ReadPosition at(std::optional<StreamId> last, std::int64_t covered, std::optional<StreamId> deletionsAccepted = std::nullopt)
{
    ReadPosition p;
    p.last = last;
    p.covered = covered;
    p.deletionsAccepted = deletionsAccepted;
    return p;
}

ReadPosition fromStart(std::int64_t covered = 0) { return at(std::nullopt, covered); }

// A stream key holding a stream: XLEN, entries-added (-1: Redis 6.2), the first entry
// present, last-generated-id and max-deleted-entry-id.
StreamFacts stream(std::int64_t length, std::int64_t added, std::optional<StreamId> first, StreamId lastGenerated,
                   std::optional<StreamId> maxDeleted = std::nullopt)
{
    StreamFacts f;
    f.exists = true;
    f.length = length;
    f.entriesAdded = added;
    f.firstId = first;
    f.lastGeneratedId = lastGenerated;
    f.maxDeletedId = maxDeleted;
    return f;
}

StreamFacts missingKey() { return StreamFacts{}; }

StreamFacts otherType(const std::string& type)
{
    StreamFacts f;
    f.exists = true;
    f.otherType = type;
    return f;
}

// What a verdict must be. Optional members are checked only when set: the contract does not
// fix every field of every verdict.
struct Expect {
    Continuity::Kind kind = Continuity::Kind::Intact;
    std::optional<Continuity::Cause> cause;
    std::optional<std::int64_t> missing;
    bool checkAfter = false;
    std::optional<StreamId> after;
    bool checkBefore = false;
    std::optional<StreamId> before;
    std::optional<std::int64_t> added;
    QStringList mentions; // words `why` (and, for a gap, describeGap) must hold
};

Expect intact()
{
    return Expect{};
}

Expect reset(QStringList mentions = {})
{
    Expect e;
    e.kind = Continuity::Kind::Reset;
    e.mentions = mentions;
    return e;
}

Expect gap(std::optional<Continuity::Cause> cause, std::optional<std::int64_t> missing, std::optional<StreamId> after,
           QStringList mentions)
{
    Expect e;
    e.kind = Continuity::Kind::Gap;
    e.cause = cause;
    e.missing = missing;
    e.checkAfter = true;
    e.after = after;
    e.mentions = mentions;
    return e;
}

Expect withBefore(Expect e, std::optional<StreamId> before)
{
    e.checkBefore = true;
    e.before = before;
    return e;
}

Expect withAdded(Expect e, std::int64_t added)
{
    e.added = added;
    return e;
}

const char* kindName(Continuity::Kind k)
{
    switch (k) {
    case Continuity::Kind::Intact: return "Intact";
    case Continuity::Kind::Gap: return "Gap";
    case Continuity::Kind::Reset: return "Reset";
    }
    return "?";
}

const char* causeName(Continuity::Cause c)
{
    switch (c) {
    case Continuity::Cause::None: return "None";
    case Continuity::Cause::Trimmed: return "Trimmed";
    case Continuity::Cause::Deleted: return "Deleted";
    case Continuity::Cause::Unknown: return "Unknown";
    }
    return "?";
}

QString idText(const std::optional<StreamId>& id) { return id ? QString::fromStdString(id->toString()) : QStringLiteral("(none)"); }

QString describe(const Continuity& c)
{
    return QStringLiteral("kind %1 cause %2 missing %3 after %4 before %5 added %6 why \"%7\"")
        .arg(QLatin1String(kindName(c.kind)), QLatin1String(causeName(c.cause)))
        .arg(c.missing)
        .arg(idText(c.after), idText(c.before))
        .arg(c.added)
        .arg(QString::fromStdString(c.why));
}

// A count written as a count: "-1" standing alone (not inside an id such as "5-1").
bool mentionsMinusOneAsACount(const QString& text)
{
    static const QRegularExpression minusOne(QStringLiteral("(^|[\\s(:])-1($|[\\s,.;)])"));
    return minusOne.match(text).hasMatch();
}

// Whether `text` holds `word`, or one of its alternatives "a|b" (where the contract allows
// either figure, e.g. entries read in this page or in all).
bool mentions(const QString& text, const QString& word)
{
    for (const QString& alternative : word.split(QLatin1Char('|')))
        if (text.contains(alternative, Qt::CaseInsensitive))
            return true;
    return false;
}

// Checks one verdict; the caller returns when QTest::currentTestFailed().
void check(const Continuity& c, const Expect& e)
{
    const QString got = describe(c);
    QVERIFY2(c.kind == e.kind, qPrintable(QStringLiteral("expected %1, got %2").arg(QLatin1String(kindName(e.kind)), got)));
    QCOMPARE(c.intact(), e.kind == Continuity::Kind::Intact);
    if (e.cause)
        QVERIFY2(c.cause == *e.cause, qPrintable(QStringLiteral("expected cause %1, got %2").arg(QLatin1String(causeName(*e.cause)), got)));
    if (e.missing)
        QVERIFY2(c.missing == *e.missing, qPrintable(QStringLiteral("expected missing %1, got %2").arg(*e.missing).arg(got)));
    if (e.checkAfter)
        QVERIFY2(c.after == e.after, qPrintable(QStringLiteral("expected after %1, got %2").arg(idText(e.after), got)));
    if (e.checkBefore)
        QVERIFY2(c.before == e.before, qPrintable(QStringLiteral("expected before %1, got %2").arg(idText(e.before), got)));
    if (e.added)
        QVERIFY2(c.added == *e.added, qPrintable(QStringLiteral("expected added %1, got %2").arg(*e.added).arg(got)));
    if (e.kind == Continuity::Kind::Intact)
        return;

    // Not intact: people are told why, with the numbers.
    const QString why = QString::fromStdString(c.why);
    QVERIFY2(!why.trimmed().isEmpty(), qPrintable(got));
    for (const QString& word : e.mentions)
        QVERIFY2(mentions(why, word), qPrintable(QStringLiteral("why does not mention %1: %2").arg(word, got)));
    if (e.kind != Continuity::Kind::Gap)
        return;

    // A gap says why the entries are gone, or that it cannot tell (Unknown), never None.
    QVERIFY2(c.cause != Continuity::Cause::None, qPrintable(got));
    QVERIFY2(c.missing == -1 || c.missing > 0, qPrintable(got));
    const QString line = QString::fromStdString(describeGap(c));
    QVERIFY2(!line.trimmed().isEmpty(), qPrintable(got));
    for (const QString& word : e.mentions)
        QVERIFY2(mentions(line, word),
                 qPrintable(QStringLiteral("describeGap does not mention %1: \"%2\" for %3").arg(word, line, got)));
    if (c.cause == Continuity::Cause::Trimmed)
        QVERIFY2(line.contains(QStringLiteral("trimmed"), Qt::CaseInsensitive), qPrintable(line));
    if (c.cause == Continuity::Cause::Deleted)
        QVERIFY2(line.contains(QStringLiteral("deleted"), Qt::CaseInsensitive), qPrintable(line));
    QVERIFY2(!mentionsMinusOneAsACount(line), qPrintable(line));
    QVERIFY2(!mentionsMinusOneAsACount(why), qPrintable(why));
}

QString n(std::int64_t v) { return QString::number(v); }

} // namespace

Q_DECLARE_METATYPE(shop::ReadPosition)
Q_DECLARE_METATYPE(shop::StreamFacts)
Q_DECLARE_METATYPE(std::optional<shop::StreamId>)
Q_DECLARE_METATYPE(Expect)

class TestStreamContinuity : public QObject {
    Q_OBJECT

private slots:
    void limitsAreSaidOnlyWithoutCounts();
    void checkBeforeRead_data();
    void checkBeforeRead();
    void checkAtHead_data();
    void checkAtHead();
    void describeGapSaysHowManyBetweenWhichIdsAndWhy_data();
    void describeGapSaysHowManyBetweenWhichIdsAndWhy();
    void describeGapOfAnUncountedGapInventsNoCount();
    void gapFromTheStartDescribesNOfTheMEntries();
    void untilDoesNotHideAResetOrAFrontTrim();
    void aDeletionGapDoesNotEndBeforeTheDeletedEntry();
};

void TestStreamContinuity::checkBeforeRead_data()
{
    QTest::addColumn<ReadPosition>("position");
    QTest::addColumn<StreamFacts>("facts");
    QTest::addColumn<std::optional<StreamId>>("until");
    QTest::addColumn<Expect>("expect");
    const std::optional<StreamId> none;
    using C = Continuity::Cause;

    // Intact.
    QTest::newRow("intact: nothing added since") << at(sid(5), 5) << stream(5, 5, sid(1), sid(5)) << none << intact();
    QTest::newRow("intact: entries added since") << at(sid(5), 5) << stream(10, 10, sid(1), sid(10)) << none << intact();
    QTest::newRow("intact: from the start") << fromStart() << stream(10, 10, sid(1), sid(10)) << none << intact();
    QTest::newRow("intact: from the start, empty stream never written") << fromStart() << stream(0, 0, std::nullopt, sid(0)) << none << intact();
    QTest::newRow("intact: older entries trimmed, not past the position")
        << at(sid(5), 5) << stream(7, 10, sid(4), sid(10)) << none << intact();
    QTest::newRow("intact: trimmed exactly up to the position (its own entry gone)")
        << at(sid(5), 5) << stream(5, 10, sid(6), sid(10)) << none << intact();
    QTest::newRow("intact: all read entries trimmed, nothing new (empty stream)")
        << at(sid(10), 10) << stream(0, 10, std::nullopt, sid(10)) << none << intact();
    QTest::newRow("intact: from the start after an accepted gap of 7")
        << fromStart(7) << stream(3, 10, sid(8), sid(10)) << none << intact();
    QTest::newRow("intact: key missing before anything was read") << fromStart() << missingKey() << none << intact();
    QTest::newRow("intact: ids with non-zero sequences")
        << at(sid(5, 3), 4) << stream(6, 6, sid(5, 0), sid(7, 1)) << none << intact();

    // Resets.
    QTest::newRow("reset: key missing after reading") << at(sid(5), 5) << missingKey() << none << reset();
    QTest::newRow("reset: key of another type") << at(sid(5), 5) << otherType("hash") << none << reset();
    QTest::newRow("reset: key of another type (string)") << at(sid(5), 5) << otherType("string") << none << reset();
    QTest::newRow("reset: deleted and recreated with fewer entries (entries-added 3 < covered 5)")
        << at(sid(5), 5) << stream(3, 3, sid(100), sid(102)) << none << reset({n(3), n(5)});
    QTest::newRow("reset: entries-added below covered, ids alone look fine")
        << at(sid(5), 5) << stream(4, 4, sid(1), sid(9)) << none << reset({n(4), n(5)});
    QTest::newRow("reset: rewound (newest id before the last entry read), counts agree")
        << at(sid(10), 10) << stream(7, 7, sid(1), sid(7)) << none << reset();
    QTest::newRow("reset: newest id before the last entry read, entries-added not below covered")
        << at(sid(10), 10) << stream(3, 12, sid(1), sid(3)) << none << reset({QStringLiteral("3-0"), QStringLiteral("10-0")});
    QTest::newRow("reset: newest id before the last entry read, by sequence")
        << at(sid(10, 5), 10) << stream(9, 12, sid(1), sid(10, 4)) << none << reset({QStringLiteral("10-4"), QStringLiteral("10-5")});
    QTest::newRow("reset: recreated with more entries than were added since (8 after, 3 added)")
        << at(sid(5), 5) << stream(8, 8, sid(100), sid(107)) << none << reset({n(8)});
    QTest::newRow("reset: more entries after the position than added since, counts otherwise fine")
        << at(sid(5), 5) << stream(8, 10, sid(6), sid(13)) << none << reset({n(8)});
    QTest::newRow("reset: from the start after an accepted gap, more entries than remain")
        << fromStart(7) << stream(5, 10, sid(3), sid(10)) << none << reset({n(5)});
    QTest::newRow("reset: from the start after an accepted gap, entries-added below it")
        << fromStart(7) << stream(5, 5, sid(1), sid(5)) << none << reset({n(5), n(7)});

    // Gaps: trimmed.
    QTest::newRow("gap: trimmed past the position (2 of 5 added since)")
        << at(sid(5), 5) << stream(3, 10, sid(8), sid(10)) << none
        << withBefore(gap(C::Trimmed, 2, sid(5), {n(2), QStringLiteral("5-0"), QStringLiteral("8-0")}), sid(8));
    QTest::newRow("gap: trimmed past the position by one entry")
        << at(sid(5), 5) << stream(4, 10, sid(7), sid(10)) << none
        << withBefore(gap(C::Trimmed, 1, sid(5), {QStringLiteral("5-0"), QStringLiteral("7-0")}), sid(7));
    QTest::newRow("gap: trimmed past the position after a skip (covered counts skipped entries)")
        << at(sid(5), 8) << stream(3, 20, sid(18), sid(20)) << none
        << withBefore(gap(C::Trimmed, 9, sid(5), {n(9), QStringLiteral("5-0"), QStringLiteral("18-0")}), sid(18));
    QTest::newRow("gap: trimmed past the position, stream now empty")
        << at(sid(5), 5) << stream(0, 10, std::nullopt, sid(10)) << none
        << withBefore(gap(C::Trimmed, 5, sid(5), {n(5), QStringLiteral("5-0")}), std::nullopt);
    QTest::newRow("gap: trimmed from the very start (7 of the 10 entries)")
        << fromStart() << stream(3, 10, sid(8), sid(10)) << none
        << withAdded(withBefore(gap(C::Trimmed, 7, std::nullopt, {n(7), n(10), QStringLiteral("8-0")}), sid(8)), 10);
    QTest::newRow("gap: trimmed from the very start, stream now empty (10 of 10)")
        << fromStart() << stream(0, 10, std::nullopt, sid(10)) << none
        << withAdded(withBefore(gap(C::Trimmed, 10, std::nullopt, {n(10)}), std::nullopt), 10);

    // Gaps: deleted (XDEL after the position).
    QTest::newRow("gap: XDEL after the position, older entries remain (count unknowable)")
        << at(sid(5), 5) << stream(7, 10, sid(3), sid(10), sid(7)) << none
        << gap(C::Deleted, -1, sid(5), {QStringLiteral("5-0")});
    QTest::newRow("gap: XDEL of the newest entry, older entries remain")
        << at(sid(5), 5) << stream(8, 10, sid(2), sid(10), sid(10)) << none
        << gap(C::Deleted, std::nullopt, sid(5), {QStringLiteral("5-0")});
    QTest::newRow("gap: XDEL after the position, every present entry after it (counted)")
        << at(sid(5), 5) << stream(3, 10, sid(6), sid(10), sid(8)) << none
        << gap(std::nullopt, 2, sid(5), {n(2), QStringLiteral("5-0")}); // ids need not be dense: 5-1.. may have been trimmed
    QTest::newRow("intact: XDEL at the position") << at(sid(5), 5) << stream(9, 10, sid(1), sid(10), sid(5)) << none << intact();
    QTest::newRow("intact: XDEL before the position") << at(sid(5), 5) << stream(9, 10, sid(1), sid(10), sid(3)) << none << intact();
    QTest::newRow("intact: XDEL before the position, by sequence")
        << at(sid(5, 2), 5) << stream(9, 10, sid(1), sid(10), sid(5, 1)) << none << intact();
    QTest::newRow("gap: XDEL just after the position, by sequence")
        << at(sid(5, 2), 5) << stream(9, 10, sid(1), sid(10), sid(5, 3)) << none << gap(C::Deleted, std::nullopt, sid(5, 2), {});

    // An accepted deletion, and `until`.
    QTest::newRow("intact: the XDEL after the position was already accepted")
        << at(sid(5), 5, sid(7)) << stream(9, 10, sid(1), sid(10), sid(7)) << none << intact();
    QTest::newRow("intact: accepted up to a later id than the XDEL")
        << at(sid(5), 5, sid(9)) << stream(9, 10, sid(1), sid(10), sid(7)) << none << intact();
    QTest::newRow("gap: a later XDEL than the one accepted")
        << at(sid(5), 5, sid(7)) << stream(8, 10, sid(1), sid(10), sid(9)) << none << gap(C::Deleted, std::nullopt, sid(5), {});
    QTest::newRow("gap: accepted up to just before the XDEL")
        << at(sid(5), 5, sid(6)) << stream(9, 10, sid(1), sid(10), sid(7)) << none << gap(C::Deleted, std::nullopt, sid(5), {});
    QTest::newRow("intact: XDEL after until is ignored")
        << at(sid(5), 5) << stream(9, 10, sid(1), sid(10), sid(9)) << std::optional<StreamId>(sid(8)) << intact();
    QTest::newRow("gap: XDEL at until counts")
        << at(sid(5), 5) << stream(9, 10, sid(1), sid(10), sid(9)) << std::optional<StreamId>(sid(9))
        << gap(C::Deleted, std::nullopt, sid(5), {});
    QTest::newRow("gap: XDEL before until counts")
        << at(sid(5), 5) << stream(9, 10, sid(1), sid(10), sid(7)) << std::optional<StreamId>(sid(10))
        << gap(C::Deleted, std::nullopt, sid(5), {});

    // Redis 6.2: entries-added unknown, so no verdict from counts; ids still count.
    QTest::newRow("unknown counts: trimmed past the position is not a counted gap")
        << at(sid(5), 5) << stream(3, -1, sid(8), sid(10)) << none << intact();
    QTest::newRow("unknown counts: from the start with few entries")
        << fromStart() << stream(3, -1, sid(8), sid(10)) << none << intact();
    QTest::newRow("unknown counts: many entries after the position")
        << at(sid(5), 5) << stream(100, -1, sid(6), sid(105)) << none << intact();
    QTest::newRow("unknown counts: covered far above anything (-1 is not below it)")
        << at(sid(5), 1000) << stream(5, -1, sid(1), sid(10)) << none << intact();
    QTest::newRow("unknown counts: key missing after reading is still a reset")
        << at(sid(5), 5) << missingKey() << none << reset();
    QTest::newRow("unknown counts: newest id before the position is still a reset")
        << at(sid(10), 10) << stream(7, -1, sid(1), sid(7)) << none << reset({QStringLiteral("7-0"), QStringLiteral("10-0")});

    // Edge values: no overflow near int64 max, ids at their maximum.
    QTest::newRow("edge: covered 0 from the start, entries-added int64 max, 1 present")
        << fromStart() << stream(1, kMax, sid(kIdMax), sid(kIdMax)) << none
        << withAdded(withBefore(gap(C::Trimmed, kMax - 1, std::nullopt, {n(kMax - 1), n(kMax)}), sid(kIdMax)), kMax);
    QTest::newRow("edge: covered int64 max, int64 max entries after it (0 added since)")
        << at(sid(5), kMax) << stream(kMax, kMax, sid(6), sid(kIdMax)) << none << reset();
    QTest::newRow("edge: covered int64 max - 2, the 2 added since present")
        << at(sid(5), kMax - 2) << stream(2, kMax, sid(6), sid(7)) << none << intact();
    QTest::newRow("edge: covered 1, int64 max entries present after it, int64 max added")
        << at(sid(5), 1) << stream(kMax, kMax, sid(6), sid(kIdMax)) << none << reset();
    QTest::newRow("edge: covered 5, entries-added int64 max, one present after")
        << at(sid(5), 5) << stream(1, kMax, sid(6), sid(6)) << none
        << withBefore(gap(C::Trimmed, kMax - 6, sid(5), {n(kMax - 6)}), sid(6));
    QTest::newRow("edge: covered int64 max, entries-added one below")
        << at(sid(5), kMax) << stream(1, kMax - 1, sid(1), sid(9)) << none << reset();
    QTest::newRow("edge: covered int64 max, entries-added 0")
        << at(sid(5), kMax) << stream(0, 0, std::nullopt, sid(9)) << none << reset();
    QTest::newRow("edge: position at the largest id, nothing added")
        << at(sid(kIdMax, kIdMax), 5) << stream(5, 5, sid(1), sid(kIdMax, kIdMax)) << none << intact();
    QTest::newRow("edge: position at the largest id, XDEL of it")
        << at(sid(kIdMax, kIdMax), 5) << stream(4, 5, sid(1), sid(kIdMax, kIdMax), sid(kIdMax, kIdMax)) << none << intact();
    QTest::newRow("edge: XDEL at the largest id after the position")
        << at(sid(5), 5) << stream(5, 7, sid(1), sid(kIdMax, kIdMax), sid(kIdMax, kIdMax)) << none
        << gap(C::Deleted, std::nullopt, sid(5), {});
    QTest::newRow("edge: until at the largest id, XDEL there counts")
        << at(sid(5), 5) << stream(5, 7, sid(1), sid(kIdMax, kIdMax), sid(kIdMax, kIdMax))
        << std::optional<StreamId>(sid(kIdMax, kIdMax)) << gap(C::Deleted, std::nullopt, sid(5), {});
}

void TestStreamContinuity::checkBeforeRead()
{
    QFETCH(ReadPosition, position);
    QFETCH(StreamFacts, facts);
    QFETCH(std::optional<StreamId>, until);
    QFETCH(Expect, expect);
    const Continuity c = until ? shop::checkBeforeRead(position, facts, until) : shop::checkBeforeRead(position, facts);
    check(c, expect);
    if (QTest::currentTestFailed())
        return;
    // Pure: the same question gets the same answer.
    const Continuity again = until ? shop::checkBeforeRead(position, facts, until) : shop::checkBeforeRead(position, facts);
    QCOMPARE(describe(again), describe(c));
}

void TestStreamContinuity::checkAtHead_data()
{
    QTest::addColumn<ReadPosition>("position");
    QTest::addColumn<qint64>("read");
    QTest::addColumn<StreamFacts>("facts");
    QTest::addColumn<Expect>("expect");

    QTest::newRow("intact: read exactly the 5 added since") << at(sid(5), 5) << qint64(5) << stream(10, 10, sid(1), sid(10)) << intact();
    QTest::newRow("intact: nothing added, nothing read") << at(sid(5), 5) << qint64(0) << stream(5, 5, sid(1), sid(5)) << intact();
    QTest::newRow("intact: from the start, all 10 read") << fromStart() << qint64(10) << stream(10, 10, sid(1), sid(10)) << intact();
    QTest::newRow("intact: from the start, empty stream") << fromStart() << qint64(0) << stream(0, 0, std::nullopt, sid(0)) << intact();
    QTest::newRow("intact: after an accepted gap (covered includes skipped)")
        << at(sid(5), 8) << qint64(2) << stream(9, 10, sid(1), sid(10)) << intact();
    // The contract leaves open whose count is wrong when the numbers do not add up. With the
    // front at or before the position (nothing after it can have been trimmed) and no XDEL
    // after it, no entry after the position can be gone: the position's own count is wrong
    // (a snapshot that lies about what it covers), and the code calls that a reset (the state
    // is rebuilt without that snapshot) rather than a gap with a false cause.
    QTest::newRow("reset: read 3 of the 5 added since, nothing can have been lost after the position")
        << at(sid(5), 5) << qint64(3) << stream(8, 10, sid(1), sid(10)) << reset({n(8), n(10)});
    QTest::newRow("reset: read none of the 5 added since, nothing can have been lost after the position")
        << at(sid(5), 5) << qint64(0) << stream(5, 10, sid(1), sid(10)) << reset({n(5), n(10)});
    QTest::newRow("gap: read 3 of the 5 added since, the front trimmed past the position")
        << at(sid(5), 5) << qint64(3) << stream(3, 10, sid(8), sid(10))
        << gap(std::nullopt, 2, sid(5), {n(2)});
    QTest::newRow("gap: from the start, read 8 of 10")
        << fromStart() << qint64(8) << stream(8, 10, sid(1), sid(10))
        << gap(std::nullopt, 2, std::nullopt, {n(2)});
    QTest::newRow("gap: read 3 of the 5 added since, XDEL after the position, older entries remain (not trimmed)")
        << at(sid(5), 5) << qint64(3) << stream(8, 10, sid(1), sid(10), sid(7))
        << gap(Continuity::Cause::Deleted, 2, sid(5), {n(2)});
    QTest::newRow("reset: read 7 where 5 were added since")
        << at(sid(5), 5) << qint64(7) << stream(12, 10, sid(1), sid(12)) << reset({QStringLiteral("7|12"), n(10)});
    QTest::newRow("reset: from the start, read 11 of 10 added")
        << fromStart() << qint64(11) << stream(11, 10, sid(1), sid(11)) << reset({n(11)});
    QTest::newRow("reset: entries-added below covered") << at(sid(5), 5) << qint64(0) << stream(3, 3, sid(1), sid(9)) << reset();
    QTest::newRow("unknown counts: fewer read is not a gap") << at(sid(5), 5) << qint64(3) << stream(8, -1, sid(1), sid(10)) << intact();
    QTest::newRow("unknown counts: none read is not a gap") << at(sid(5), 5) << qint64(0) << stream(8, -1, sid(1), sid(10)) << intact();
    QTest::newRow("unknown counts: more read is not a reset") << at(sid(5), 5) << qint64(100) << stream(105, -1, sid(1), sid(105)) << intact();
    QTest::newRow("edge: covered int64 max - 5, read 5") << at(sid(5), kMax - 5) << qint64(5) << stream(5, kMax, sid(6), sid(10)) << intact();
    QTest::newRow("edge: covered int64 max - 5, read 0")
        << at(sid(5), kMax - 5) << qint64(0) << stream(0, kMax, std::nullopt, sid(10)) << gap(std::nullopt, 5, sid(5), {n(5)});
    QTest::newRow("edge: covered int64 max - 5, read int64 max")
        << at(sid(5), kMax - 5) << qint64(kMax) << stream(kMax, kMax, sid(6), sid(kIdMax)) << reset();
    QTest::newRow("edge: covered 5, read int64 max of 10 added") << at(sid(5), 5) << qint64(kMax) << stream(kMax, 10, sid(6), sid(kIdMax)) << reset();
    QTest::newRow("edge: covered int64 max, entries-added 0, read 1") << at(sid(5), kMax) << qint64(1) << stream(1, 0, sid(6), sid(6)) << reset();
    QTest::newRow("edge: from the start, read 0 of int64 max")
        << fromStart() << qint64(0) << stream(0, kMax, std::nullopt, sid(10)) << gap(std::nullopt, kMax, std::nullopt, {n(kMax)});
}

void TestStreamContinuity::checkAtHead()
{
    QFETCH(ReadPosition, position);
    QFETCH(qint64, read);
    QFETCH(StreamFacts, facts);
    QFETCH(Expect, expect);
    check(shop::checkAtHead(position, read, facts), expect);
}

void TestStreamContinuity::describeGapSaysHowManyBetweenWhichIdsAndWhy_data()
{
    QTest::addColumn<int>("cause"); // Continuity::Cause
    QTest::addColumn<qint64>("missing");
    QTest::addColumn<QString>("after");  // "" for none
    QTest::addColumn<QString>("before"); // "" for none
    QTest::addColumn<qint64>("added");
    QTest::addColumn<QStringList>("mentions");
    const int trimmed = int(Continuity::Cause::Trimmed);
    const int deleted = int(Continuity::Cause::Deleted);
    const int unknown = int(Continuity::Cause::Unknown);
    QTest::newRow("12 trimmed between 1-0 and 9-0")
        << trimmed << qint64(12) << "1-0" << "9-0" << qint64(-1) << QStringList{"12", "1-0", "9-0", "trimmed"};
    QTest::newRow("3 deleted between 4-0 and 8-0")
        << deleted << qint64(3) << "4-0" << "8-0" << qint64(-1) << QStringList{"3", "4-0", "8-0", "deleted"};
    QTest::newRow("7 of the 10 trimmed from the start")
        << trimmed << qint64(7) << "" << "8-0" << qint64(10) << QStringList{"7", "10", "8-0", "trimmed"};
    QTest::newRow("5 trimmed after 5-0, nothing left")
        << trimmed << qint64(5) << "5-0" << "" << qint64(-1) << QStringList{"5", "5-0", "trimmed"};
    QTest::newRow("cause unknown, counted")
        << unknown << qint64(4) << "1700000000000-3" << "1700000000009-0" << qint64(-1)
        << QStringList{"4", "1700000000000-3", "1700000000009-0"};
    QTest::newRow("int64 max trimmed")
        << trimmed << qint64(kMax) << "5-0" << "6-0" << qint64(-1) << QStringList{QString::number(kMax), "5-0", "6-0"};
}

void TestStreamContinuity::describeGapSaysHowManyBetweenWhichIdsAndWhy()
{
    QFETCH(int, cause);
    QFETCH(qint64, missing);
    QFETCH(QString, after);
    QFETCH(QString, before);
    QFETCH(qint64, added);
    QFETCH(QStringList, mentions);
    Continuity gap;
    gap.kind = Continuity::Kind::Gap;
    gap.cause = static_cast<Continuity::Cause>(cause);
    gap.missing = missing;
    if (!after.isEmpty())
        gap.after = StreamId::parse(after.toStdString());
    if (!before.isEmpty())
        gap.before = StreamId::parse(before.toStdString());
    gap.added = added;
    gap.why = "(why)";
    const QString line = QString::fromStdString(describeGap(gap));
    QVERIFY(!line.trimmed().isEmpty());
    for (const QString& word : mentions)
        QVERIFY2(line.contains(word, Qt::CaseInsensitive), qPrintable(QStringLiteral("no \"%1\" in \"%2\"").arg(word, line)));
    QVERIFY2(!mentionsMinusOneAsACount(line), qPrintable(line));
}

void TestStreamContinuity::describeGapOfAnUncountedGapInventsNoCount()
{
    Continuity gap;
    gap.kind = Continuity::Kind::Gap;
    gap.cause = Continuity::Cause::Deleted;
    gap.missing = -1;
    gap.after = sid(5);
    const QString line = QString::fromStdString(describeGap(gap));
    QVERIFY(!line.trimmed().isEmpty());
    QVERIFY2(line.contains(QStringLiteral("5-0")), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("deleted"), Qt::CaseInsensitive), qPrintable(line));
    QVERIFY2(!mentionsMinusOneAsACount(line), qPrintable(line));
}

// DESIGN and ARCHITECTURE speak of a gap from the start as N of the M entries the stream
// ever had: both numbers reach the verdict and the line for people.
void TestStreamContinuity::gapFromTheStartDescribesNOfTheMEntries()
{
    const Continuity c = shop::checkBeforeRead(fromStart(), stream(4, 1234, sid(1700000001230), sid(1700000001233)));
    QVERIFY2(c.kind == Continuity::Kind::Gap, qPrintable(describe(c)));
    QCOMPARE(c.missing, qint64(1230));
    QCOMPARE(c.added, qint64(1234));
    QVERIFY(!c.after);
    QCOMPARE(idText(c.before), QStringLiteral("1700000001230-0"));
    const QString line = QString::fromStdString(describeGap(c));
    QVERIFY2(line.contains(QStringLiteral("1230")) && line.contains(QStringLiteral("1234")), qPrintable(line));
    const QString why = QString::fromStdString(c.why);
    QVERIFY2(why.contains(QStringLiteral("1230")) && why.contains(QStringLiteral("1234")), qPrintable(why));
}

// `until` limits which deletions matter; it must not hide the other findings.
void TestStreamContinuity::untilDoesNotHideAResetOrAFrontTrim()
{
    const std::optional<StreamId> until = sid(8);
    Continuity c = shop::checkBeforeRead(at(sid(5), 5), missingKey(), until);
    QVERIFY2(c.kind == Continuity::Kind::Reset, qPrintable(describe(c)));
    c = shop::checkBeforeRead(at(sid(5), 5), stream(3, 3, sid(100), sid(102)), until);
    QVERIFY2(c.kind == Continuity::Kind::Reset, qPrintable(describe(c)));
    c = shop::checkBeforeRead(at(sid(10), 10), stream(7, 7, sid(1), sid(7)), until);
    QVERIFY2(c.kind == Continuity::Kind::Reset, qPrintable(describe(c)));
    // Entries 6 and 7 trimmed: they are before `until` and will never be read.
    c = shop::checkBeforeRead(at(sid(5), 5), stream(3, 10, sid(8), sid(10)), until);
    QVERIFY2(c.kind == Continuity::Kind::Gap && c.missing == 2, qPrintable(describe(c)));
}

// Every present entry is after the position, 2 of the 5 added since are missing, and
// max-deleted-entry-id says 8-0 was XDELed: 6-0 is present, so the gap cannot be said to lie
// "before 6-0" (8-0, which is missing, is after it). `before` is either unknown or after 8-0.
void TestStreamContinuity::aDeletionGapDoesNotEndBeforeTheDeletedEntry()
{
    const Continuity c = shop::checkBeforeRead(at(sid(5), 5), stream(3, 10, sid(6), sid(10), sid(8)));
    QVERIFY2(c.kind == Continuity::Kind::Gap, qPrintable(describe(c)));
    QCOMPARE(c.missing, qint64(2));
    QVERIFY2(!c.before || *c.before > sid(8), qPrintable(describe(c) + QStringLiteral(" / ") + QString::fromStdString(describeGap(c))));
}

// Redis 6.2 keeps no entries-added: the warning says what cannot be told there; Redis 7 (and
// a missing key, or one of another type) get none.
void TestStreamContinuity::limitsAreSaidOnlyWithoutCounts()
{
    StreamFacts facts;
    facts.exists = true;
    facts.length = 5;
    facts.entriesAdded = 5;
    QVERIFY(continuityLimits(facts, "s").empty());
    facts.entriesAdded = -1; // Redis 6.2
    const std::string said = continuityLimits(facts, "orders");
    QVERIFY(said.find("orders") != std::string::npos);
    QVERIFY(said.find("Redis 7") != std::string::npos);
    QVERIFY(said.find("entry ids") != std::string::npos);
    facts.exists = false;
    QVERIFY(continuityLimits(facts, "s").empty());
    facts.exists = true;
    facts.otherType = "string";
    QVERIFY(continuityLimits(facts, "s").empty());
}

QTEST_APPLESS_MAIN(TestStreamContinuity)
#include "test_stream_continuity.moc"
