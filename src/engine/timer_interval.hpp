// QTimer takes int milliseconds (at most ~24.8 days); a longer interval, such as a snapshot
// every year, runs as `ticks` equal periods of `periodMs` each, and fires on the last.
#pragma once

#include <QtGlobal>

#include <limits>

namespace shop::engine {

struct TimerSplit {
    int periodMs = 0; // what QTimer::setInterval gets
    qint64 ticks = 1; // timeouts per interval
};

// `intervalMs` > 0. periodMs * ticks is intervalMs, rounded up by less than `ticks` ms.
constexpr TimerSplit splitTimerInterval(qint64 intervalMs, qint64 maxPeriodMs = std::numeric_limits<int>::max())
{
    const qint64 ticks = (intervalMs + maxPeriodMs - 1) / maxPeriodMs;
    return {static_cast<int>((intervalMs + ticks - 1) / ticks), ticks};
}

} // namespace shop::engine
