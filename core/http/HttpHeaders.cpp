#include "core/http/HttpHeaders.h"

#include <QList>

#include <algorithm>
#include <array>

namespace meridian::http {

namespace {

bool sameName(QByteArrayView a, QByteArrayView b)
{
    // The length first: most names differ in it, and a case-insensitive compare is not free.
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

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
