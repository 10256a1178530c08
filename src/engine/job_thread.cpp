#include "job_thread.hpp"

#include "redis/transport.hpp"

namespace shop::engine {

void deleteAsThreadEnds(QThread& thread, QObject* object)
{
    // Direct: this runs on the thread itself, after its event loop and before wait() returns,
    // so a process that exits right after the wait leaves nothing behind. OpenSSL's per-thread
    // state would otherwise go only with a thread_local, which process exit can outrun (the
    // sanitizer build's consume over TLS leaked its error queue now and then).
    QObject::connect(
        &thread, &QThread::finished, object,
        [object] {
            delete object;
            redis::releaseThreadTls();
        },
        Qt::DirectConnection);
}

} // namespace shop::engine
