#include "ui/gatewaypanel/ClientSnippets.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace meridian::ui {
namespace {

// A POSIX shell single-quoted word: a quote inside becomes '\''.
QString shellQuote(const QString &text)
{
    QString out = text;
    out.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

// A double-quoted string literal valid in both Python and JavaScript.
QString codeString(const QString &text)
{
    QString out = text;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    out.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    out.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

QString chatBody(const QString &model)
{
    const QJsonObject message{{QStringLiteral("role"), QStringLiteral("user")},
                              {QStringLiteral("content"), QStringLiteral("Say hello in one word.")}};
    const QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("messages"), QJsonArray{message}}};
    return QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact));
}

QString curl(const QString &base, const QString &model, const QString &country)
{
    // -i shows the x-meridian-region header: which region answered and why.
    QString text = QStringLiteral("curl -i ") + shellQuote(base + QStringLiteral("/chat/completions")) +
                   QStringLiteral(" \\\n  -H 'Content-Type: application/json'");
    if (!country.isEmpty())
        text += QStringLiteral(" \\\n  -H 'CF-IPCountry: ") + country + QLatin1Char('\'');
    text += QStringLiteral(" \\\n  -d ") + shellQuote(chatBody(model));
    return text;
}

} // namespace

std::vector<ClientSnippet> clientSnippets(const QString &baseUrl, const QString &model)
{
    QString base = baseUrl.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    if (base.isEmpty())
        base = QStringLiteral("http://127.0.0.1:8000/v1");
    const QString m = model.isEmpty() ? QStringLiteral("MODEL") : model;

    std::vector<ClientSnippet> out;
    out.push_back({QStringLiteral("curl"), QStringLiteral("curl"), curl(base, m, {})});
    out.push_back({QStringLiteral("curl-eu"), QStringLiteral("curl (from Germany: EU routing)"),
                   QStringLiteral("# CF-IPCountry says where the client is, as Cloudflare would.\n") +
                       curl(base, m, QStringLiteral("DE"))});
    out.push_back({QStringLiteral("python"), QStringLiteral("Python (OpenAI SDK)"),
                   QStringLiteral("from openai import OpenAI\n\n"
                                  "# The gateway needs no API key of its own; the SDK insists on one.\n"
                                  "client = OpenAI(base_url=") +
                       codeString(base) +
                       QStringLiteral(", api_key=\"unused\")\n"
                                      "reply = client.chat.completions.create(\n"
                                      "    model=") +
                       codeString(m) +
                       QStringLiteral(",\n"
                                      "    messages=[{\"role\": \"user\", \"content\": \"Say hello in one word.\"}],\n"
                                      ")\n"
                                      "print(reply.choices[0].message.content)\n")});
    out.push_back({QStringLiteral("node"), QStringLiteral("Node (OpenAI SDK)"),
                   QStringLiteral("import OpenAI from \"openai\";\n\n"
                                  "const client = new OpenAI({ baseURL: ") +
                       codeString(base) +
                       QStringLiteral(", apiKey: \"unused\" });\n"
                                      "const reply = await client.chat.completions.create({\n"
                                      "  model: ") +
                       codeString(m) +
                       QStringLiteral(",\n"
                                      "  messages: [{ role: \"user\", content: \"Say hello in one word.\" }],\n"
                                      "});\n"
                                      "console.log(reply.choices[0].message.content);\n")});
    return out;
}

} // namespace meridian::ui
