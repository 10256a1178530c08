#include "history_recorder.hpp"

#include "engine_types.hpp"
#include "varint.hpp"

#include "core/entry.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace shop::engine {

namespace {
using namespace packing;

// Entries staged before they are handed over without waiting for the page's end (a page
// holds at most LoadOptions::batchSize, 5000 by default).
constexpr std::size_t kStageLimit = 8192;
// A list's bytes kept for the next page (a page of native orders stages some 200 KB).
constexpr std::size_t kStageBytesKept = 4u << 20;
// Bytes of an entry's type that are staged (a row keeps fewer).
constexpr std::size_t kTypeStaged = 255;
// The recording thread's nice value: 10 steps below the others (10M entries catch up in the
// window some 4% faster than at 0; 19 did no better).
constexpr int kRowsNice = 10;

// A staged entry, packed: the id, the type, the verdict, and when its row reads them the
// facts of the state after it and the fields of its event that a row keeps (a written
// copy is a few dozen bytes, where an Event is some 200).
void stageEntry(std::string& out, const RawEntry& entry, Reason reason, const Event& e, const ShopState& after)
{
    putString(out, entry.id);
    putString(out, entry.type.value_or(std::string_view()).substr(0, kTypeStaged));
    out.push_back(static_cast<char>(reason));
    if (!rowReadsEvent(reason))
        return;
    const RowFacts facts = rowFacts(reason, e, after);
    putSigned(out, facts.balanceAfter);
    putSigned(out, facts.orderTotal);
    out.push_back(static_cast<char>(e.type));
    out.push_back(static_cast<char>((e.hasPrice ? 1 : 0) | (e.hasName ? 2 : 0)));
    putSigned(out, e.userId);
    putString(out, e.itemId);
    putSigned(out, e.amount);
    putSigned(out, e.delta);
    putSigned(out, e.price);
    putString(out, e.name);
    putVarint(out, e.lines.size());
    for (const OrderLine& line : e.lines) {
        putString(out, line.itemId);
        putSigned(out, line.qty);
    }
}

// Reads one staged entry back and writes its row.
void recordStaged(Cursor& in, HistoryBuilder& builder, Event& e)
{
    const std::string_view id = in.string();
    const std::string_view type = in.string();
    const auto reason = static_cast<Reason>(*in.p++);
    RowFacts facts;
    if (rowReadsEvent(reason)) {
        facts.balanceAfter = in.signedValue();
        facts.orderTotal = in.signedValue();
        e.type = static_cast<EventType>(*in.p++);
        const std::uint8_t flags = *in.p++;
        e.hasPrice = flags & 1;
        e.hasName = flags & 2;
        e.userId = in.signedValue();
        e.itemId.assign(in.string());
        e.amount = in.signedValue();
        e.delta = in.signedValue();
        e.price = in.signedValue();
        e.name.assign(in.string());
        e.lines.resize(in.varint());
        for (OrderLine& line : e.lines) {
            line.itemId.assign(in.string());
            line.qty = in.signedValue();
        }
    }
    addRow(builder, id, type, reason, e, facts);
}

// Staged entries: the applying thread fills one list while the recording thread records
// the other.
struct StageList {
    std::string bytes;
    std::size_t count = 0;
};
} // namespace

struct HistoryRecorder::Shared {
    explicit Shared(std::shared_ptr<HistoryNames> names) : builder(std::move(names)) {}

    void run()
    {
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [this] { return busy || quit; });
            if (!busy)
                return;
            StageList& list = lists[1 - filling];
            lock.unlock();
            Cursor in{reinterpret_cast<const std::uint8_t*>(list.bytes.data())};
            for (std::size_t i = 0; i < list.count; ++i)
                recordStaged(in, builder, event);
            lock.lock();
            if (list.bytes.capacity() > kStageBytesKept) // after a page of very large events
                std::string().swap(list.bytes);
            list.bytes.clear();
            list.count = 0;
            busy = false;
            changed.notify_all();
        }
    }
    void waitIdle(std::unique_lock<std::mutex>& lock)
    {
        changed.wait(lock, [this] { return !busy; });
    }

    // Only the recording thread touches the builder while busy; the applying thread only
    // once it has seen busy false, under the mutex.
    HistoryBuilder builder;
    Event event; // the recording thread's, read back from the stage
    StageList lists[2];
    int filling = 0; // written by the applying thread only, under the mutex
    std::mutex mutex;
    std::condition_variable changed;
    bool busy = false; // lists[1 - filling] is being recorded
    bool quit = false;
    std::thread thread;
};

HistoryRecorder::HistoryRecorder(std::shared_ptr<HistoryNames> names) : d(std::make_unique<Shared>(std::move(names)))
{
    d->thread = std::thread([shared = d.get()] {
        pthread_setname_np(pthread_self(), "shopstream-rows"); // as `top -H` and the bench see it
        // Below the applying thread and Redis, which share two cores with it: the rows
        // catch up while Redis waits for the next request, and at most one page waits for
        // them. Lowering one's own priority needs no privilege; should it fail, it stays.
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kRowsNice);
        shared->run();
    });
}

HistoryRecorder::~HistoryRecorder()
{
    {
        std::lock_guard lock(d->mutex);
        d->quit = true;
    }
    d->changed.notify_all();
    d->thread.join();
}

void HistoryRecorder::stage(const RawEntry& entry, Reason reason, const Event& decoded, const ShopState& after)
{
    StageList& list = d->lists[d->filling];
    stageEntry(list.bytes, entry, reason, decoded, after);
    if (++list.count >= kStageLimit)
        handOver();
}

void HistoryRecorder::handOver()
{
    if (d->lists[d->filling].count == 0)
        return;
    {
        std::unique_lock lock(d->mutex);
        d->waitIdle(lock);
        d->filling = 1 - d->filling;
        d->busy = true;
    }
    d->changed.notify_all();
}

HistoryChunk HistoryRecorder::take()
{
    handOver();
    std::unique_lock lock(d->mutex);
    d->waitIdle(lock);
    return d->builder.take();
}

} // namespace shop::engine
