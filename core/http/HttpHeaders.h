#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <vector>

namespace meridian::http {

struct HttpHeader final {
    QByteArray name;
    QByteArray value;
};

// An ordered header list with case-insensitive lookup. Small (a dozen entries), so a vector.
class HttpHeaders final {
public:
    void add(QByteArray name, QByteArray value);
    void set(QByteArray name, QByteArray value); // replaces every header of that name
    void reserve(size_t n) { m_headers.reserve(n); }
    void remove(QByteArrayView name);
    bool contains(QByteArrayView name) const;
    QByteArray value(QByteArrayView name) const; // first match, or empty
    int count(QByteArrayView name) const;
    // True when a comma-separated header (Connection, Expect …) lists `token`.
    bool hasToken(QByteArrayView name, QByteArrayView token) const;

    const std::vector<HttpHeader> &all() const { return m_headers; }
    std::vector<HttpHeader> &all() { return m_headers; }
    bool empty() const { return m_headers.empty(); }

    // Field names compare ASCII case-insensitively (RFC 9110 §5.1).
    static bool sameName(QByteArrayView a, QByteArrayView b);
    // Hop-by-hop headers (RFC 9110 §7.6.1) and those a proxy recomputes; never forwarded.
    static bool isHopByHop(QByteArrayView name);

private:
    std::vector<HttpHeader> m_headers;
};

} // namespace meridian::http
