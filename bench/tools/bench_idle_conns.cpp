// bench_idle_conns: memory of a server holding many idle keep-alive connections.
//
// Opens --conns connections (at most --inflight of them connecting or waiting for their
// answer at a time), sends one non-streaming chat request on each and reads the whole
// answer, then leaves every connection open and idle. After --settle-ms it counts the
// connections the server has not closed and reads VmRSS and VmHWM of --pids (summed; pass
// every process of a multi-process server).
//
//   bench_idle_conns --port P --pids 123[,456] [--conns 10000] [--inflight 128]
//                    [--settle-ms 2000] [--timeout-ms 120000] [--header "N: v"]... [--label NAME]
//                    [--hold-ms 0]
// --hold-ms keeps the connections open that long after printing (for a load run beside them).
//
// Prints: IDLE_RESULT label=... conns=N ok=N failed=N unanswered=N still_open=N rss_before_kb=N
//         rss_idle_kb=N hwm_kb=N kb_per_conn=F seconds=F

#include "bench/tools/bench_common.h"

#include <http_parser.h>

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>

#include <memory>

namespace {

enum class State { Connecting, Waiting, Idle, Failed };

struct Conn {
    int fd = -1;
    State state = State::Connecting;
    http_parser parser{};
    int status = 0;
    bool complete = false;
};

int onHeadersComplete(http_parser *p)
{
    static_cast<Conn *>(p->data)->status = static_cast<int>(p->status_code);
    return 0;
}

int onMessageComplete(http_parser *p)
{
    static_cast<Conn *>(p->data)->complete = true;
    return 0;
}

[[noreturn]] void usage()
{
    std::fprintf(stderr, "usage: bench_idle_conns --port P --pids PID[,PID] [--conns N] [--inflight N] "
                         "[--settle-ms MS] [--timeout-ms MS] [--header 'N: v']... [--label NAME] [--hold-ms MS]\n");
    std::exit(2);
}

long sumKb(const std::vector<int> &pids, const char *key)
{
    long sum = 0;
    for (int pid : pids)
        sum += bench::procStatusKb(pid, key);
    return sum;
}

} // namespace

int main(int argc, char **argv)
{
    bench::Target target;
    int conns = 10000;
    int inflight = 128;
    int settleMs = 2000;
    int timeoutMs = 120000;
    int holdMs = 0;
    std::string label = "idle";
    std::vector<int> pids;
    bench::parseOptions(argc, argv, target, [&](const std::string &name, const char *v) {
        if (name == "--conns")
            conns = std::max(1, std::atoi(v));
        else if (name == "--inflight")
            inflight = std::max(1, std::atoi(v));
        else if (name == "--settle-ms")
            settleMs = std::max(0, std::atoi(v));
        else if (name == "--timeout-ms")
            timeoutMs = std::max(1000, std::atoi(v));
        else if (name == "--pids")
            pids = bench::parsePids(v);
        else if (name == "--label")
            label = v;
        else if (name == "--hold-ms")
            holdMs = std::clamp(std::atoi(v), 0, 3'600'000);
        else
            return false;
        return true;
    }, usage);
    if (target.port <= 0 || pids.empty())
        usage();
    signal(SIGPIPE, SIG_IGN);
    bench::raiseFdLimit(static_cast<rlim_t>(conns) + 256);

    http_parser_settings settings{};
    http_parser_settings_init(&settings);
    settings.on_headers_complete = onHeadersComplete;
    settings.on_message_complete = onMessageComplete;

    const std::string request = bench::chatRequest(target, false);
    const long rssBefore = sumKb(pids, "VmRSS");
    const int64_t start = bench::nowNs();
    const int64_t deadline = start + static_cast<int64_t>(timeoutMs) * 1000000LL;
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    std::vector<std::unique_ptr<Conn>> all;
    all.reserve(static_cast<size_t>(conns));
    std::vector<epoll_event> evs(1024);
    int opened = 0, active = 0, ok = 0, failed = 0;
    char buf[65536];

    auto finish = [&](Conn *c, bool good) {
        --active;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, nullptr);
        if (good) {
            c->state = State::Idle;
            ++ok;
        } else {
            c->state = State::Failed;
            ++failed;
            close(c->fd);
            c->fd = -1;
        }
    };

    while ((opened < conns || active > 0) && bench::nowNs() < deadline) {
        while (opened < conns && active < inflight) {
            auto c = std::make_unique<Conn>();
            c->fd = bench::startConnect(target);
            ++opened;
            if (c->fd < 0) {
                c->state = State::Failed;
                ++failed;
                all.push_back(std::move(c));
                continue;
            }
            http_parser_init(&c->parser, HTTP_RESPONSE);
            c->parser.data = c.get();
            epoll_event ev{};
            ev.events = EPOLLOUT;
            ev.data.ptr = c.get();
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            ++active;
            all.push_back(std::move(c));
        }
        const int n = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
        for (int i = 0; i < n; ++i) {
            auto *c = static_cast<Conn *>(evs[static_cast<size_t>(i)].data.ptr);
            if (c->state == State::Connecting) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0 || send(c->fd, request.data(), request.size(), MSG_NOSIGNAL) !=
                                    static_cast<ssize_t>(request.size())) {
                    finish(c, false);
                    continue;
                }
                c->state = State::Waiting;
                epoll_event ev{};
                ev.events = EPOLLIN;
                ev.data.ptr = c;
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            } else if (c->state == State::Waiting) {
                const ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                if (r < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                if (r <= 0) {
                    finish(c, false);
                    continue;
                }
                http_parser_execute(&c->parser, &settings, buf, static_cast<size_t>(r));
                if (c->parser.http_errno != HPE_OK) {
                    finish(c, false);
                } else if (c->complete) {
                    finish(c, c->status == 200 && http_should_keep_alive(&c->parser) != 0);
                }
            }
        }
    }
    const double seconds = static_cast<double>(bench::nowNs() - start) / 1e9;
    // Still connecting or waiting at the deadline (e.g. beyond the server's connection cap).
    const int unanswered = active + (conns - opened);
    failed += unanswered;
    // Let the server settle (free request buffers, run its timers), then look.
    usleep(static_cast<useconds_t>(settleMs) * 1000);
    int stillOpen = 0;
    for (auto &c : all) {
        if (c->state != State::Idle)
            continue;
        pollfd pfd{c->fd, POLLIN | POLLRDHUP, 0};
        if (poll(&pfd, 1, 0) == 0)
            ++stillOpen; // nothing to read and no hang-up: the server still holds it
    }
    const long rssIdle = sumKb(pids, "VmRSS");
    const long hwm = sumKb(pids, "VmHWM");
    const double perConn = stillOpen > 0 ? static_cast<double>(rssIdle - rssBefore) / stillOpen : 0.0;
    std::printf("IDLE_RESULT label=%s conns=%d ok=%d failed=%d unanswered=%d still_open=%d rss_before_kb=%ld rss_idle_kb=%ld "
                "hwm_kb=%ld kb_per_conn=%.2f seconds=%.2f\n",
                label.c_str(), conns, ok, failed, unanswered, stillOpen, rssBefore, rssIdle, hwm, perConn, seconds);
    std::fflush(stdout);
    if (holdMs > 0)
        usleep(static_cast<useconds_t>(holdMs) * 1000); // bounded: at most an hour
    for (auto &c : all)
        if (c->fd >= 0)
            close(c->fd);
    close(ep);
    return failed == 0 && stillOpen == ok ? 0 : 1;
}
