// A second shopstream-like process for test_local_server: starts a LocalServer on the data
// directory given as argument, reports "socket <path>", "started" or "joined", and "ready"
// (or "error <text>"), then holds its share of the server until stdin closes or a signal
// ends it.
#include "redis/local_server.hpp"

#include <cerrno>
#include <cstdio>

#include <unistd.h>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    shop::redis::LocalServer server(argv[1]);
    if (!server.start()) {
        std::printf("error %s\n", server.error().c_str());
        return 1;
    }
    std::printf("socket %s\n%s\nready\n", server.socketPath().c_str(), server.startedByUs() ? "started" : "joined");
    std::fflush(stdout);

    char buffer[256];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
    }
    return 0;
}
