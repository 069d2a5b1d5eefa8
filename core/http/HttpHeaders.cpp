#include "core/http/HttpHeaders.h"

#include <QList>

#include <algorithm>
#include <array>

namespace meridian::http {

namespace {

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
}

} // namespace

// Field names are tokens (RFC 9110 §5.1), compared ASCII case-insensitively; by hand, since
// every request compares dozens of them. The length first: most names differ in it.
bool HttpHeaders::sameName(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    const char *x = a.data();
    const char *y = b.data();
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (x[i] != y[i] && asciiLower(x[i]) != asciiLower(y[i]))
            return false;
    }
    return true;
}

void HttpHeaders::add(QByteArray name, QByteArray value)
{
    m_headers.push_back({std::move(name), std::move(value)});
}

void HttpHeaders::set(QByteArray name, QByteArray value)
{
    remove(name);
    m_headers.push_back({std::move(name), std::move(value)});
}

void HttpHeaders::remove(QByteArrayView name)
{
    std::erase_if(m_headers, [&](const HttpHeader &h) { return sameName(h.name, name); });
}

bool HttpHeaders::contains(QByteArrayView name) const
{
    return std::any_of(m_headers.begin(), m_headers.end(),
                       [&](const HttpHeader &h) { return sameName(h.name, name); });
}

QByteArray HttpHeaders::value(QByteArrayView name) const
{
    for (const auto &h : m_headers) {
        if (sameName(h.name, name))
            return h.value;
    }
    return {};
}

int HttpHeaders::count(QByteArrayView name) const
{
    return static_cast<int>(std::count_if(m_headers.begin(), m_headers.end(),
                                          [&](const HttpHeader &h) { return sameName(h.name, name); }));
}

bool HttpHeaders::hasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const auto &h : m_headers) {
        if (!sameName(h.name, name))
            continue;
        for (const QByteArray &part : h.value.split(',')) {
            if (sameName(part.trimmed(), token))
                return true;
        }
    }
    return false;
}

bool HttpHeaders::isHopByHop(QByteArrayView name)
{
    static constexpr std::array<QByteArrayView, 10> kHopByHop{
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
        "upgrade", "proxy-authenticate", "proxy-authorization", "content-length"};
    return std::any_of(kHopByHop.begin(), kHopByHop.end(),
                       [&](QByteArrayView h) { return sameName(h, name); });
}

} // namespace meridian::http
