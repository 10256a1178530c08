// EntrySearch: the entries whose data contains a text, on a thread of its own.
#include "entry_search.hpp"

#include "logging.hpp"

#include "core/entry_decoder.hpp"
#include "redis/connection.hpp"
#include "redis/stream_reader.hpp"

#include <QMetaObject>

#include <algorithm>
#include <chrono>

namespace shop::engine {

namespace {
constexpr std::size_t kPage = 5000;
constexpr auto kProgressEvery = std::chrono::milliseconds(200);

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
} // namespace

bool containsText(std::string_view haystack, std::string_view needle)
{
    if (needle.empty())
        return true;
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                [](char a, char b) { return lowerAscii(a) == lowerAscii(b); });
    return it != haystack.end();
}

struct EntrySearch::Private {
    redis::RedisUrl url;
    std::string stream;
    redis::Connection connection;
};

EntrySearch::EntrySearch(redis::RedisUrl url, std::string stream, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    qRegisterMetaType<EntrySearchResult>();
    d->url = std::move(url);
    d->stream = std::move(stream);
    d->connection.setViewOnly(true); // it only reads, in every mode
    d->connection.setClusterKey(d->stream);
}

EntrySearch::~EntrySearch() = default;

void EntrySearch::search(const QString& text, const QString& untilId, int generation)
{
    if (cancelled(generation))
        return; // a newer request is queued behind this one
    EntrySearchResult result;
    if (!d->connection.isConnected() && !d->connection.connect(d->url)) {
        emit finished(result, QString::fromStdString(d->connection.error()), generation);
        return;
    }
    const std::string needle = text.toStdString();
    const std::string until = untilId.toStdString();
    redis::StreamReader reader(d->connection, d->stream);
    redis::EntryBatch batch;
    std::string after;
    auto lastProgress = std::chrono::steady_clock::now();
    while (!until.empty()) {
        if (cancelled(generation))
            return;
        if (!reader.range(after, kPage, batch, until)) {
            emit finished(result, QString::fromStdString(reader.error()), generation);
            return;
        }
        for (const RawEntry& entry : batch.entries) {
            bool found = (entry.eid && containsText(*entry.eid, needle)) || (entry.actor && containsText(*entry.actor, needle));
            if (!found && entry.data) {
                // As the details pane shows it: the original demo's MessagePack as JSON.
                if (entryFormat(entry) == EntryFormat::Legacy) {
                    const auto json = legacyDataAsJson(*entry.data);
                    found = json ? containsText(*json, needle) : containsText(*entry.data, needle);
                } else {
                    found = containsText(*entry.data, needle);
                }
            }
            if (found)
                result.ids.push_back(StreamId::parse(entry.id).value_or(StreamId{}));
        }
        result.read += static_cast<qint64>(batch.entries.size());
        if (batch.entries.size() < kPage)
            break;
        after = std::string(batch.entries.back().id);
        if (std::chrono::steady_clock::now() - lastProgress >= kProgressEvery) {
            lastProgress = std::chrono::steady_clock::now();
            emit progress(result.read, generation);
        }
    }
    qCInfo(lcRedis).noquote() << "search read" << result.read << "entries," << result.ids.size() << "match";
    emit finished(result, {}, generation);
}

EntrySearchThread::EntrySearchThread(redis::RedisUrl url, std::string stream)
    : thread_(QStringLiteral("shopstream-search"), std::move(url), std::move(stream))
{
}

void EntrySearchThread::start(const QString& text, const QString& untilId, int generation)
{
    EntrySearch* job = search();
    job->cancel(generation);
    QMetaObject::invokeMethod(job, [job, text, untilId, generation] { job->search(text, untilId, generation); },
                              Qt::QueuedConnection);
}

} // namespace shop::engine
