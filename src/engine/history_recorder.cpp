#include "history_recorder.hpp"

#include "engine_types.hpp"
#include "varint.hpp"

#include "core/entry.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
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
// The recording thread's nice value where the idle class is refused (10M entries catch up
// in the window some 4% faster than at 0; 19 did no better).
constexpr int kRowsNice = 10;

// Staged bytes, written through a pointer: room for a whole entry is made once, where a
// std::string would check its capacity for every byte put.
class StageBytes {
public:
    // At least n writable bytes after those written; written() then says where they end.
    char* room(std::size_t n)
    {
        if (capacity_ - size_ < n)
            grow(size_ + n);
        return data_.get() + size_;
    }
    void written(const char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }
    const char* data() const { return data_.get(); }
    std::size_t capacity() const { return capacity_; }
    void clear() { size_ = 0; }
    void release()
    {
        data_.reset();
        size_ = capacity_ = 0;
    }

private:
    void grow(std::size_t need)
    {
        const std::size_t capacity = std::max(need, 2 * capacity_);
        auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
        if (size_ > 0)
            std::memcpy(bigger.get(), data_.get(), size_);
        data_ = std::move(bigger);
        capacity_ = capacity;
    }

    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// A staged entry, packed: the id, the type, the verdict, and when its row reads them the
// facts of the state after it and the fields of its event that a row keeps (a written
// copy is a few dozen bytes, where an Event is some 200).
void stageEntry(StageBytes& out, const RawEntry& entry, Reason reason, const Event& e, const ShopState& after)
{
    const std::string_view type = entry.type.value_or(std::string_view()).substr(0, kTypeStaged);
    const bool readsEvent = rowReadsEvent(reason);
    // Two lengths and the verdict; then nine varints, two bytes and two strings; then a
    // string and a varint a line.
    std::size_t room = 2 * kMaxVarint + 1 + entry.id.size() + type.size();
    if (readsEvent) {
        room += 9 * kMaxVarint + 2 + e.itemId.size() + e.name.size();
        for (const OrderLine& line : e.lines)
            room += 2 * kMaxVarint + line.itemId.size();
    }
    char* p = out.room(room);
    p = writeString(p, entry.id);
    p = writeString(p, type);
    *p++ = static_cast<char>(reason);
    if (readsEvent) {
        const RowFacts facts = rowFacts(reason, e, after);
        p = writeSigned(p, facts.balanceAfter);
        p = writeSigned(p, facts.orderTotal);
        *p++ = static_cast<char>(e.type);
        *p++ = static_cast<char>((e.hasPrice ? 1 : 0) | (e.hasName ? 2 : 0));
        p = writeSigned(p, e.userId);
        p = writeString(p, e.itemId);
        p = writeSigned(p, e.amount);
        p = writeSigned(p, e.delta);
        p = writeSigned(p, e.price);
        p = writeString(p, e.name);
        p = writeVarint(p, e.lines.size());
        for (const OrderLine& line : e.lines) {
            p = writeString(p, line.itemId);
            p = writeSigned(p, line.qty);
        }
    }
    out.written(p);
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
    StageBytes bytes;
    std::size_t count = 0;
};

// Puts the calling thread in the idle scheduling class: it runs only when a core has nothing
// else to run, and a core running it counts as free to the scheduler. On two cores this is
// what lets the consumer and Redis each have one: a thread of normal priority, however nice,
// still looks busy, so Redis, woken by the consumer's request, queues on the consumer's core
// (10M entries catch up in the window a few per cent faster than at nice 10; the pairs are
// in docs/PERFORMANCE.md). Entering the class needs no privilege; where it is refused, the
// thread takes the nice value instead.
void runOnlyWhenIdle()
{
    sched_param param{};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) != 0)
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kRowsNice);
}
} // namespace

struct HistoryRecorder::Shared {
    Shared(std::shared_ptr<HistoryNames> names, Options options)
        : builder(std::move(names)), options(std::move(options))
    {
    }

    void record(StageList& list)
    {
        Cursor in{reinterpret_cast<const std::uint8_t*>(list.bytes.data())};
        for (std::size_t i = 0; i < list.count; ++i)
            recordStaged(in, builder, event);
        if (list.bytes.capacity() > kStageBytesKept) // after a page of very large events
            list.bytes.release();
        list.bytes.clear();
        list.count = 0;
    }
    void run()
    {
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [this] { return busy || quit; });
            if (!busy)
                return;
            StageList& list = lists[1 - filling];
            lock.unlock();
            if (options.beforeRecording)
                options.beforeRecording();
            record(list);
            lock.lock();
            busy = false;
            changed.notify_all();
        }
    }
    // Waits until the recording thread has recorded the last hand-over. One that takes longer
    // than starvedAfter is starved (a thread of the idle class gets no core while other
    // threads want both): the applying thread records from then on.
    void waitIdle(std::unique_lock<std::mutex>& lock)
    {
        const auto idle = [this] { return !busy; };
        if (changed.wait_for(lock, options.starvedAfter, idle))
            return;
        changed.wait(lock, idle);
        recordsInline = true;
    }

    // Only the recording thread touches the builder while busy; the applying thread only
    // once it has seen busy false, under the mutex, or once it records inline (the recording
    // thread is then never busy again).
    HistoryBuilder builder;
    const Options options;
    Event event; // the recording thread's, read back from the stage (or the applying one's, inline)
    StageList lists[2];
    int filling = 0; // written by the applying thread only, under the mutex
    std::mutex mutex;
    std::condition_variable changed;
    bool busy = false; // lists[1 - filling] is being recorded
    bool quit = false;
    std::atomic<bool> recordsInline{false}; // written by the applying thread, under the mutex
    std::thread thread;
};

HistoryRecorder::HistoryRecorder(std::shared_ptr<HistoryNames> names, Options options)
    : d(std::make_unique<Shared>(std::move(names), std::move(options)))
{
    d->thread = std::thread([shared = d.get()] {
        pthread_setname_np(pthread_self(), "shopstream-rows"); // as `top -H` and the bench see it
        runOnlyWhenIdle();
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
    if (!d->recordsInline) {
        std::unique_lock lock(d->mutex);
        d->waitIdle(lock);
        if (!d->recordsInline) {
            d->filling = 1 - d->filling;
            d->busy = true;
            lock.unlock();
            d->changed.notify_all();
            return;
        }
    }
    d->record(d->lists[d->filling]); // the thread was found starved: here, now
}

HistoryChunk HistoryRecorder::take()
{
    handOver();
    std::unique_lock lock(d->mutex);
    d->waitIdle(lock);
    return d->builder.take();
}

bool HistoryRecorder::recordsInline() const
{
    return d->recordsInline;
}

} // namespace shop::engine
