#pragma once

#include <QString>

#include <vector>

// Ready-to-paste client snippets for the gateway panel, built from the real base URL and a
// model the gateway serves, so an operator can try the gateway in a terminal in one paste.
namespace meridian::ui {

struct ClientSnippet final {
    QString key;   // "curl", "curl-eu", "python", "node"
    QString title; // "curl", "curl (from Germany)", "Python (OpenAI SDK)", "Node (OpenAI SDK)"
    QString text;
};

// baseUrl as the gateway announces it ("http://127.0.0.1:8000/v1"; a trailing slash is
// ignored); an empty model becomes a placeholder. Pure: no Qt GUI, tested on its own.
std::vector<ClientSnippet> clientSnippets(const QString &baseUrl, const QString &model);

} // namespace meridian::ui
