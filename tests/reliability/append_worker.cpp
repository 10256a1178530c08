// A child process for test_concurrent_appends: appends COUNT events to STREAM with
// StreamWriter::append, eids derived from WORKER (so the test knows them), appending every
// 10th eid a second time (a retry that must add nothing). Prints "eid id duplicate" per
// append on stdout; exit 1 on any failure.
//   append_worker URL STREAM WORKER COUNT
#include "redis/connection.hpp"
#include "redis/redis_url.hpp"
#include "redis/stream_writer.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    if (argc != 5) {
        std::fprintf(stderr, "usage: append_worker URL STREAM WORKER COUNT\n");
        return 2;
    }
    shop::redis::RedisUrl url;
    std::string error;
    if (!shop::redis::RedisUrl::parse(argv[1], url, error)) {
        std::fprintf(stderr, "append_worker: %s\n", error.c_str());
        return 2;
    }
    const int worker = std::atoi(argv[3]);
    const int count = std::atoi(argv[4]);
    shop::redis::Connection c;
    if (!c.connect(url)) {
        std::fprintf(stderr, "append_worker: %s\n", c.error().c_str());
        return 1;
    }
    shop::redis::StreamWriter writer(c, argv[2]);
    for (int seq = 0; seq < count; ++seq) {
        char eid[40];
        std::snprintf(eid, sizeof eid, "%08x-1111-4000-8000-%012x", worker, seq);
        shop::redis::AppendRequest request;
        request.type = "TopUp";
        request.data = "{\"userId\":" + std::to_string(worker * 100000 + seq + 1) + ",\"amount\":" + std::to_string(seq + 1) + "}";
        request.eid = eid;
        request.actor = "worker-" + std::to_string(worker);
        for (int attempt = 0; attempt < (seq % 10 == 0 ? 2 : 1); ++attempt) {
            const shop::redis::AppendResult result = writer.append(request);
            if (!result.ok) {
                std::fprintf(stderr, "append_worker %d: %s\n", worker, result.error.c_str());
                return 1;
            }
            std::printf("%s %s %d\n", eid, result.id.c_str(), result.duplicate ? 1 : 0);
        }
    }
    return 0;
}
