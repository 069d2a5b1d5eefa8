// Shared bits of bench/run's C++ clients: option parsing, a monotonic clock, a non-blocking
// loopback connect, the chat request, percentiles and /proc readings. Header-only, no Qt.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <time.h>
#include <vector>

namespace bench {

inline int64_t nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

struct Target {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string path = "/v1/chat/completions";
    std::string model = "bench-model";
    std::vector<std::string> headers; // "Name: value"
};

// Starts a non-blocking connect to the target; -1 on an immediate failure.
inline int startConnect(const Target &t)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(t.port));
    inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

inline std::string chatRequest(const Target &t, bool stream)
{
    const std::string body = "{\"model\":\"" + t.model +
                             "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":16" +
                             (stream ? ",\"stream\":true}" : "}");
    std::string req = "POST " + t.path + " HTTP/1.1\r\nHost: " + t.host + ":" + std::to_string(t.port) +
                      "\r\nContent-Type: application/json\r\nAuthorization: Bearer bench\r\n";
    if (stream)
        req += "Accept: text/event-stream\r\n";
    for (const std::string &h : t.headers)
        req += h + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return req;
}

// Sorted-copy percentile (nearest rank); NaN-free: 0 for an empty set.
inline double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
    rank = std::clamp<size_t>(rank, 1, v.size());
    return v[rank - 1];
}

inline void raiseFdLimit(rlim_t want)
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur >= want)
        return;
    rl.rlim_cur = want;
    if (rl.rlim_max < want)
        rl.rlim_max = want; // only root may raise the hard limit; ignore a refusal
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// VmRSS / VmHWM of one process in KiB (0 when it is gone).
inline long procStatusKb(int pid, const char *key)
{
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    const size_t klen = std::strlen(key);
    while (std::getline(f, line)) {
        if (line.compare(0, klen, key) == 0 && line.size() > klen && line[klen] == ':')
            return std::atol(line.c_str() + klen + 1);
    }
    return 0;
}

inline std::vector<int> parsePids(const std::string &csv)
{
    std::vector<int> pids;
    std::stringstream ss(csv);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            pids.push_back(std::atoi(item.c_str()));
    return pids;
}

// Parses "--name value" style options shared by the tools; returns false for an unknown one.
inline bool parseTargetOption(Target &t, const std::string &name, const char *value)
{
    if (name == "--host")
        t.host = value;
    else if (name == "--port")
        t.port = std::atoi(value);
    else if (name == "--path")
        t.path = value;
    else if (name == "--model")
        t.model = value;
    else if (name == "--header")
        t.headers.emplace_back(value);
    else
        return false;
    return true;
}

// Walks the command line's "--name value" pairs: the target options first, then `other(name,
// value)`, which returns false for a name it does not know. A missing value or an unknown
// name calls `usage` (which does not return).
template <typename Other>
void parseOptions(int argc, char **argv, Target &target, Other &&other, void (*usage)())
{
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (i + 1 >= argc)
            usage();
        const char *value = argv[++i];
        if (!parseTargetOption(target, name, value) && !other(name, value))
            usage();
    }
}

} // namespace bench
