// bench_upstream: a tiny, fast OpenAI-compatible upstream for bench/run. No Qt: one thread,
// epoll (level-triggered), non-blocking sockets, HTTP/1.1 keep-alive (pipelining honoured in
// order), requests parsed with http_parser. It must never be the bottleneck of a benchmark.
//
//   POST /v1/chat/completions   a fixed small chat.completion (Content-Length), or with
//                               "stream": true in the body an SSE stream (chunked) of --chunks
//                               events --interval-ms apart, then "data: [DONE]". The first
//                               event goes out with the response head at once.
//   GET  /health                200
//   GET  /metrics               minimal vLLM metrics (idle, not saturated)
//   GET  /v1/models             the one model
//
//   bench_upstream [--host 127.0.0.1] [--port 0] [--chunks 20] [--interval-ms 5] [--model NAME]
//
// Prints "bench_upstream listening on 127.0.0.1:PORT" on stdout once it listens.

#include <http_parser.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    int chunks = 20;
    int intervalMs = 5;
    std::string model = "bench-model";
};

Options g_opt;
std::string g_completionBody;
std::string g_completionHead;
std::string g_modelsResponse;
std::string g_healthResponse;
std::string g_notFoundResponse;
std::string g_chunkEvent; // one SSE event, already framed as an HTTP chunk
std::string g_streamHead;
std::string g_streamTail; // [DONE] event chunk plus the terminating zero chunk
long g_activeStreams = 0;

enum class Route { None, Chat, Health, Metrics, Models, NotFound };

struct Conn {
    int fd = -1;
    int timerFd = -1;
    http_parser parser{};
    std::string in;      // bytes read but not yet parsed (only while a stream pauses parsing)
    std::string out;     // bytes waiting for the socket
    size_t outOff = 0;
    std::string url;
    std::string body;
    bool isGet = false;
    bool keepAlive = true;
    bool closeAfterWrite = false;
    bool wantOut = false;
    bool streaming = false;
    int chunksLeft = 0;
    bool paused = false;
};

int g_epoll = -1;
std::vector<std::unique_ptr<Conn>> g_byFd;       // client fd -> connection
std::vector<Conn *> g_byTimer;                   // timer fd -> connection
http_parser_settings g_settings{};

Conn *connOfFd(int fd)
{
    return fd >= 0 && static_cast<size_t>(fd) < g_byFd.size() ? g_byFd[static_cast<size_t>(fd)].get() : nullptr;
}

void setEvents(Conn *c, bool out)
{
    if (c->wantOut == out)
        return;
    epoll_event ev{};
    ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
    ev.data.fd = c->fd;
    epoll_ctl(g_epoll, EPOLL_CTL_MOD, c->fd, &ev);
    c->wantOut = out;
}

void closeConn(Conn *c)
{
    if (c->timerFd >= 0) {
        g_byTimer[static_cast<size_t>(c->timerFd)] = nullptr;
        close(c->timerFd);
        c->timerFd = -1;
    }
    if (c->streaming)
        --g_activeStreams;
    const int fd = c->fd;
    close(fd);
    g_byFd[static_cast<size_t>(fd)].reset();
}

// Writes as much of c->out as the socket takes. Returns false when the connection was closed.
bool flush(Conn *c)
{
    while (c->outOff < c->out.size()) {
        const ssize_t n = send(c->fd, c->out.data() + c->outOff, c->out.size() - c->outOff, MSG_NOSIGNAL);
        if (n > 0) {
            c->outOff += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            setEvents(c, true);
            return true;
        }
        closeConn(c);
        return false;
    }
    c->out.clear();
    c->outOff = 0;
    setEvents(c, false);
    if (c->closeAfterWrite && !c->streaming) {
        closeConn(c);
        return false;
    }
    return true;
}

bool bodyAsksStream(const std::string &body)
{
    const size_t key = body.find("\"stream\"");
    if (key == std::string::npos)
        return false;
    size_t i = key + 8;
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
        ++i;
    if (i >= body.size() || body[i] != ':')
        return false;
    ++i;
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
        ++i;
    return body.compare(i, 4, "true") == 0;
}

std::string metricsResponse()
{
    const std::string labels = "{model_name=\"" + g_opt.model + "\"}";
    std::string body;
    body += "# HELP vllm:num_requests_running Number of requests in model execution batches.\n";
    body += "# TYPE vllm:num_requests_running gauge\n";
    body += "vllm:num_requests_running" + labels + " " + std::to_string(g_activeStreams) + ".0\n";
    body += "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n";
    body += "# TYPE vllm:num_requests_waiting gauge\n";
    body += "vllm:num_requests_waiting" + labels + " 0.0\n";
    body += "# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.\n";
    body += "# TYPE vllm:kv_cache_usage_perc gauge\n";
    body += "vllm:kv_cache_usage_perc" + labels + " 0.01\n";
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

void startStream(Conn *c)
{
    c->streaming = true;
    ++g_activeStreams;
    c->chunksLeft = g_opt.chunks;
    c->out += g_streamHead;
    if (c->chunksLeft > 0) {
        c->out += g_chunkEvent;
        --c->chunksLeft;
    }
    if (c->chunksLeft == 0) {
        c->out += g_streamTail;
        c->streaming = false;
        --g_activeStreams;
        return;
    }
    if (c->timerFd < 0) {
        c->timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (c->timerFd < 0) {
            std::perror("timerfd_create");
            std::exit(1);
        }
        if (static_cast<size_t>(c->timerFd) >= g_byTimer.size())
            g_byTimer.resize(static_cast<size_t>(c->timerFd) + 1024, nullptr);
        g_byTimer[static_cast<size_t>(c->timerFd)] = c;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = c->timerFd;
        epoll_ctl(g_epoll, EPOLL_CTL_ADD, c->timerFd, &ev);
    }
    itimerspec its{};
    its.it_value.tv_sec = g_opt.intervalMs / 1000;
    its.it_value.tv_nsec = static_cast<long>(g_opt.intervalMs % 1000) * 1000000L;
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1;
    its.it_interval = its.it_value;
    timerfd_settime(c->timerFd, 0, &its, nullptr);
}

int onMessageBegin(http_parser *p)
{
    auto *c = static_cast<Conn *>(p->data);
    c->url.clear();
    c->body.clear();
    return 0;
}

int onUrl(http_parser *p, const char *at, size_t len)
{
    static_cast<Conn *>(p->data)->url.append(at, len);
    return 0;
}

int onBody(http_parser *p, const char *at, size_t len)
{
    static_cast<Conn *>(p->data)->body.append(at, len);
    return 0;
}

int onMessageComplete(http_parser *p)
{
    auto *c = static_cast<Conn *>(p->data);
    c->keepAlive = http_should_keep_alive(p) != 0;
    if (!c->keepAlive)
        c->closeAfterWrite = true;
    std::string_view path(c->url);
    if (const size_t q = path.find('?'); q != std::string_view::npos)
        path = path.substr(0, q);
    const auto method = static_cast<http_method>(p->method);
    if (method == HTTP_POST && (path == "/v1/chat/completions" || path == "/chat/completions")) {
        if (bodyAsksStream(c->body)) {
            startStream(c);
            if (c->streaming) {
                // Later pipelined requests wait until this stream is over.
                c->paused = true;
                http_parser_pause(p, 1);
            }
        } else {
            c->out += g_completionHead;
            c->out += g_completionBody;
        }
    } else if (method == HTTP_GET && path == "/health") {
        c->out += g_healthResponse;
    } else if (method == HTTP_GET && path == "/metrics") {
        c->out += metricsResponse();
    } else if (method == HTTP_GET && (path == "/v1/models" || path == "/models")) {
        c->out += g_modelsResponse;
    } else {
        c->out += g_notFoundResponse;
    }
    return 0;
}

// Parses c->in from the start; keeps what a pause left unparsed. Returns false if closed.
bool parseInput(Conn *c)
{
    if (c->in.empty())
        return true;
    const size_t n = http_parser_execute(&c->parser, &g_settings, c->in.data(), c->in.size());
    const auto err = static_cast<http_errno>(c->parser.http_errno);
    if (err == HPE_PAUSED) {
        // http_parser stops on the byte after the message end in 2.9 when paused from
        // on_message_complete; what was not consumed waits for the stream's end.
        c->in.erase(0, n);
    } else if (err != HPE_OK) {
        c->out += "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        c->closeAfterWrite = true;
        c->in.clear();
    } else {
        c->in.clear();
    }
    return flush(c);
}

void onReadable(Conn *c)
{
    char buf[65536];
    for (int round = 0; round < 16; ++round) {
        const ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            c->in.append(buf, static_cast<size_t>(n));
            if (c->paused)
                return; // parsed once the stream is over; the kernel buffer applies back-pressure
            if (!parseInput(c))
                return;
            if (static_cast<size_t>(n) < sizeof buf)
                return;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        closeConn(c);
        return;
    }
}

void onTimer(Conn *c)
{
    uint64_t expirations = 0;
    if (read(c->timerFd, &expirations, sizeof expirations) != static_cast<ssize_t>(sizeof expirations))
        return;
    if (!c->streaming)
        return;
    c->out += g_chunkEvent;
    --c->chunksLeft;
    if (c->chunksLeft <= 0) {
        c->out += g_streamTail;
        c->streaming = false;
        --g_activeStreams;
        itimerspec off{};
        timerfd_settime(c->timerFd, 0, &off, nullptr);
        if (!flush(c))
            return;
        if (c->closeAfterWrite && c->outOff == 0 && c->out.empty()) {
            closeConn(c);
            return;
        }
        if (c->paused) {
            c->paused = false;
            http_parser_pause(&c->parser, 0);
            parseInput(c);
        }
        return;
    }
    flush(c);
}

void buildResponses()
{
    g_completionBody = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" +
                       g_opt.model +
                       "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello from the "
                       "bench upstream.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
                       "\"completion_tokens\":6,\"total_tokens\":18}}";
    g_completionHead = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(g_completionBody.size()) + "\r\n\r\n";
    const std::string models = "{\"object\":\"list\",\"data\":[{\"id\":\"" + g_opt.model +
                               "\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"}]}";
    g_modelsResponse = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(models.size()) + "\r\n\r\n" + models;
    g_healthResponse = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    g_notFoundResponse = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n";
    const std::string event = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                              "\"model\":\"" +
                              g_opt.model +
                              "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"},\"finish_reason\":null}]}\n\n";
    char hex[32];
    std::snprintf(hex, sizeof hex, "%zx\r\n", event.size());
    g_chunkEvent = std::string(hex) + event + "\r\n";
    const std::string done = "data: [DONE]\n\n";
    std::snprintf(hex, sizeof hex, "%zx\r\n", done.size());
    g_streamTail = std::string(hex) + done + "\r\n0\r\n\r\n";
    g_streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n";
}

[[noreturn]] void usage()
{
    std::fprintf(stderr, "usage: bench_upstream [--host 127.0.0.1] [--port 0] [--chunks 20] [--interval-ms 5] "
                         "[--model NAME]\n");
    std::exit(2);
}

} // namespace

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (a == "--host")
            g_opt.host = v;
        else if (a == "--port")
            g_opt.port = std::atoi(v);
        else if (a == "--chunks")
            g_opt.chunks = std::atoi(v);
        else if (a == "--interval-ms")
            g_opt.intervalMs = std::atoi(v);
        else if (a == "--model")
            g_opt.model = v;
        else
            usage();
    }
    signal(SIGPIPE, SIG_IGN);
    buildResponses();

    http_parser_settings_init(&g_settings);
    g_settings.on_message_begin = onMessageBegin;
    g_settings.on_url = onUrl;
    g_settings.on_body = onBody;
    g_settings.on_message_complete = onMessageComplete;

    const int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(g_opt.port));
    if (inet_pton(AF_INET, g_opt.host.c_str(), &addr.sin_addr) != 1) {
        std::fprintf(stderr, "bench_upstream: bad --host %s\n", g_opt.host.c_str());
        return 2;
    }
    if (bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || listen(lfd, 4096) != 0) {
        std::perror("bench_upstream: bind/listen");
        return 1;
    }
    socklen_t alen = sizeof addr;
    getsockname(lfd, reinterpret_cast<sockaddr *>(&addr), &alen);
    std::printf("bench_upstream listening on %s:%u\n", g_opt.host.c_str(), ntohs(addr.sin_port));
    std::fflush(stdout);

    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    epoll_event lev{};
    lev.events = EPOLLIN;
    lev.data.fd = lfd;
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, lfd, &lev);

    std::vector<epoll_event> events(1024);
    for (;;) {
        const int n = epoll_wait(g_epoll, events.data(), static_cast<int>(events.size()), -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            std::perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; ++i) {
            const int fd = events[static_cast<size_t>(i)].data.fd;
            const uint32_t ev = events[static_cast<size_t>(i)].events;
            if (fd == lfd) {
                for (int k = 0; k < 256; ++k) {
                    const int cfd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0)
                        break;
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (static_cast<size_t>(cfd) >= g_byFd.size())
                        g_byFd.resize(static_cast<size_t>(cfd) + 1024);
                    auto conn = std::make_unique<Conn>();
                    conn->fd = cfd;
                    http_parser_init(&conn->parser, HTTP_REQUEST);
                    conn->parser.data = conn.get();
                    g_byFd[static_cast<size_t>(cfd)] = std::move(conn);
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = cfd;
                    epoll_ctl(g_epoll, EPOLL_CTL_ADD, cfd, &cev);
                }
                continue;
            }
            if (static_cast<size_t>(fd) < g_byTimer.size() && g_byTimer[static_cast<size_t>(fd)] != nullptr) {
                onTimer(g_byTimer[static_cast<size_t>(fd)]);
                continue;
            }
            Conn *c = connOfFd(fd);
            if (c == nullptr)
                continue;
            if (ev & EPOLLOUT) {
                if (!flush(c))
                    continue;
            }
            if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
                onReadable(c);
        }
    }
}
