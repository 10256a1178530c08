// An object that works on a thread of its own (EntrySearch, HistoryLoader), owned here: made
// from its arguments, moved to the thread, and deleted there as the thread ends.
// Destruction cancels the job in progress (cancel() with a generation no job has), then quits
// and waits: at most the page being read and the one already asked for.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <limits>
#include <utility>

namespace shop::engine {

// Deletes `object` on `thread` as the thread finishes, with what the thread's TLS connections
// left in OpenSSL: before the thread's wait() returns. For every object that owns a thread's
// connections.
void deleteAsThreadEnds(QThread& thread, QObject* object);

template <typename Job>
class JobThread {
public:
    template <typename... Args>
    explicit JobThread(const QString& name, Args&&... args) : job_(new Job(std::forward<Args>(args)...))
    {
        thread_.setObjectName(name);
        job_->moveToThread(&thread_);
        deleteAsThreadEnds(thread_, job_);
        thread_.start();
    }
    ~JobThread()
    {
        job_->cancel(std::numeric_limits<int>::min());
        thread_.quit();
        thread_.wait();
    }
    JobThread(const JobThread&) = delete;
    JobThread& operator=(const JobThread&) = delete;

    Job* job() const { return job_; }

private:
    QThread thread_;
    Job* job_;
};

} // namespace shop::engine
