// bench_sse_probe: streaming latency through a proxy (or straight to the upstream).
//
// Each round opens --streams connections, waits until all are connected, then sends a
// streaming chat request on each ("stream": true) and follows every response to its end:
//   ttfb         request written -> first response byte read
//   first event  request written -> first complete SSE event ("data: ..." + blank line) in
//                the de-chunked body
//   reads        read() calls that returned data (a proxy that buffers the stream shows few)
//   events       complete SSE events received (the upstream sends --chunks of them + [DONE])
//   total        request written -> end of the response
// Sequential probes: --streams 1 --rounds K. Concurrent streams: --streams 1000 --rounds 1.
//
//   bench_sse_probe --port P [--host 127.0.0.1] [--path /v1/chat/completions] [--model M]
//                   [--header "Name: value"]... [--streams 1] [--rounds 20] [--timeout-ms 20000]
//                   [--label NAME]
//
// Prints one line: SSE_RESULT label=... key=value ... (times in microseconds).
// Exit code 0 when every stream completed with status 200, 1 otherwise.

#include "bench/tools/bench_common.h"

#include <http_parser.h>

#include <signal.h>
#include <sys/epoll.h>

#include <memory>
#include <string_view>

namespace {

struct Stream {
    int fd = -1;
    bool connected = false;
    bool done = false;
    bool failed = false;
    http_parser parser{};
    std::string body;
    size_t scanFrom = 0;
    int status = 0;
    int reads = 0;
    int events = 0;
    bool firstEventIsData = false;
    int64_t tSend = 0;
    int64_t tFirstByte = 0;
    int64_t tFirstEvent = 0;
    int64_t tEnd = 0;
};

int onHeadersComplete(http_parser *p)
{
    static_cast<Stream *>(p->data)->status = static_cast<int>(p->status_code);
    return 0;
}

int onBody(http_parser *p, const char *at, size_t len)
{
    auto *s = static_cast<Stream *>(p->data);
    s->body.append(at, len);
    // Count event ends ("\n\n"; "\r\n\r\n" contains none, so check it too).
    size_t i = s->scanFrom;
    while (i + 1 < s->body.size()) {
        size_t sepLen = 0;
        if (s->body[i] == '\n' && s->body[i + 1] == '\n')
            sepLen = 2;
        else if (i + 3 < s->body.size() && s->body.compare(i, 4, "\r\n\r\n") == 0)
            sepLen = 4;
        if (sepLen == 0) {
            ++i;
            continue;
        }
        if (s->events == 0) {
            s->tFirstEvent = bench::nowNs();
            s->firstEventIsData = s->body.compare(0, 5, "data:") == 0;
        }
        ++s->events;
        i += sepLen;
    }
    s->scanFrom = i;
    return 0;
}

int onMessageComplete(http_parser *p)
{
    auto *s = static_cast<Stream *>(p->data);
    s->done = true;
    s->tEnd = bench::nowNs();
    return 0;
}

http_parser_settings g_settings{};

[[noreturn]] void usage()
{
    std::fprintf(stderr, "usage: bench_sse_probe --port P [--host H] [--path P] [--model M] [--header 'N: v']... "
                         "[--streams N] [--rounds K] [--timeout-ms MS] [--label NAME]\n");
    std::exit(2);
}

double median(const std::vector<double> &v)
{
    return bench::percentile(v, 50);
}

} // namespace

int main(int argc, char **argv)
{
    bench::Target target;
    int streams = 1;
    int rounds = 20;
    int timeoutMs = 20000;
    std::string label = "probe";
    bench::parseOptions(argc, argv, target, [&](const std::string &name, const char *v) {
        if (name == "--streams")
            streams = std::max(1, std::atoi(v));
        else if (name == "--rounds")
            rounds = std::max(1, std::atoi(v));
        else if (name == "--timeout-ms")
            timeoutMs = std::max(100, std::atoi(v));
        else if (name == "--label")
            label = v;
        else
            return false;
        return true;
    }, usage);
    if (target.port <= 0)
        usage();
    signal(SIGPIPE, SIG_IGN);
    bench::raiseFdLimit(static_cast<rlim_t>(streams) * 2 + 64);
    http_parser_settings_init(&g_settings);
    g_settings.on_headers_complete = onHeadersComplete;
    g_settings.on_body = onBody;
    g_settings.on_message_complete = onMessageComplete;

    const std::string request = bench::chatRequest(target, true);
    std::vector<double> ttfb, firstEvent, total, reads, events;
    int ok = 0, failed = 0, notData = 0;
    int lastBadStatus = 0;
    std::vector<epoll_event> evs(1024);

    for (int round = 0; round < rounds; ++round) {
        const int ep = epoll_create1(EPOLL_CLOEXEC);
        std::vector<std::unique_ptr<Stream>> all;
        all.reserve(static_cast<size_t>(streams));
        int pendingConnects = 0;
        for (int k = 0; k < streams; ++k) {
            auto s = std::make_unique<Stream>();
            s->fd = bench::startConnect(target);
            http_parser_init(&s->parser, HTTP_RESPONSE);
            s->parser.data = s.get();
            if (s->fd < 0) {
                s->failed = true;
            } else {
                epoll_event ev{};
                ev.events = EPOLLOUT;
                ev.data.ptr = s.get();
                epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
                ++pendingConnects;
            }
            all.push_back(std::move(s));
        }
        // Phase 1: every connection established (connect time is not measured).
        const int64_t deadline = bench::nowNs() + static_cast<int64_t>(timeoutMs) * 1000000LL;
        while (pendingConnects > 0 && bench::nowNs() < deadline) {
            const int n = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
            for (int i = 0; i < n; ++i) {
                auto *s = static_cast<Stream *>(evs[static_cast<size_t>(i)].data.ptr);
                if (s->connected || s->failed)
                    continue;
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                --pendingConnects;
                if (err != 0) {
                    s->failed = true;
                    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, nullptr);
                    continue;
                }
                s->connected = true;
                epoll_event ev{};
                ev.events = EPOLLIN;
                ev.data.ptr = s;
                epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
            }
        }
        // Phase 2: all requests out, then every response to its end.
        int live = 0;
        for (auto &s : all) {
            if (!s->connected)
                continue;
            s->tSend = bench::nowNs();
            const ssize_t w = send(s->fd, request.data(), request.size(), MSG_NOSIGNAL);
            if (w != static_cast<ssize_t>(request.size())) {
                s->failed = true;
                continue;
            }
            ++live;
        }
        char buf[65536];
        while (live > 0 && bench::nowNs() < deadline) {
            const int n = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
            for (int i = 0; i < n; ++i) {
                auto *s = static_cast<Stream *>(evs[static_cast<size_t>(i)].data.ptr);
                if (s->done || s->failed)
                    continue;
                const ssize_t r = recv(s->fd, buf, sizeof buf, 0);
                if (r < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                if (r > 0) {
                    if (s->reads == 0)
                        s->tFirstByte = bench::nowNs();
                    ++s->reads;
                }
                const size_t fed = r > 0 ? static_cast<size_t>(r) : 0;
                const size_t used = http_parser_execute(&s->parser, &g_settings, buf, fed);
                if (r <= 0 && !s->done) // EOF: ends a close-delimited body, else a failure
                    s->failed = true;
                if (r > 0 && used != fed && !s->done)
                    s->failed = true;
                if (s->done || s->failed) {
                    --live;
                    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, nullptr);
                }
            }
        }
        for (auto &s : all) {
            const bool good = s->done && !s->failed && s->status == 200 && s->events > 0;
            if (!good) {
                ++failed;
                if (s->status != 0 && s->status != 200)
                    lastBadStatus = s->status;
            } else {
                ++ok;
                if (!s->firstEventIsData)
                    ++notData;
                ttfb.push_back(static_cast<double>(s->tFirstByte - s->tSend) / 1000.0);
                firstEvent.push_back(static_cast<double>(s->tFirstEvent - s->tSend) / 1000.0);
                total.push_back(static_cast<double>(s->tEnd - s->tSend) / 1000.0);
                reads.push_back(s->reads);
                events.push_back(s->events);
            }
            if (s->fd >= 0)
                close(s->fd);
        }
        close(ep);
    }

    std::printf("SSE_RESULT label=%s streams=%d rounds=%d ok=%d failed=%d bad_status=%d "
                "ttfb_p50_us=%.1f ttfb_p99_us=%.1f event_p50_us=%.1f event_p99_us=%.1f event_max_us=%.1f "
                "reads_median=%.0f reads_min=%.0f events_median=%.0f total_p50_us=%.1f first_event_not_data=%d\n",
                label.c_str(), streams, rounds, ok, failed, lastBadStatus, bench::percentile(ttfb, 50),
                bench::percentile(ttfb, 99), bench::percentile(firstEvent, 50), bench::percentile(firstEvent, 99),
                bench::percentile(firstEvent, 100), median(reads), bench::percentile(reads, 0.0001),
                median(events), bench::percentile(total, 50), notData);
    return failed == 0 ? 0 : 1;
}
