#include "core/upstream/AnthropicTranslation.h"

#include "core/http/ErrorBody.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringBuilder>

#include <algorithm>

namespace meridian::upstream {
namespace {

Error unsupported(const QString &message)
{
    return Error{QStringLiteral("unsupported"), message};
}

// The text of an OpenAI message's content: a string, or an array of {"type":"text"} parts.
Result<QString> contentText(const QJsonValue &content, const QString &where)
{
    if (content.isString())
        return content.toString();
    if (content.isNull() || content.isUndefined())
        return QString();
    if (!content.isArray())
        return unsupported(where + QStringLiteral(".content must be a string or an array of text parts"));
    QStringList parts;
    for (const QJsonValue &part : content.toArray()) {
        const QJsonObject p = part.toObject();
        if (p.value(QStringLiteral("type")).toString() != QLatin1String("text"))
            return unsupported(where + QStringLiteral(": only text content can go to the Claude fallback, not \"%1\"")
                                           .arg(p.value(QStringLiteral("type")).toString()));
        parts << p.value(QStringLiteral("text")).toString();
    }
    return parts.join(QLatin1Char('\n'));
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray sseData(const QByteArray &json)
{
    return QByteArray(QByteArrayLiteral("data: ") % json % QByteArrayLiteral("\n\n"));
}

} // namespace

Result<QByteArray> chatRequestToAnthropic(const QJsonObject &chat, const AnthropicRequestOptions &options)
{
    if (chat.value(QStringLiteral("n")).toInt(1) != 1)
        return unsupported(QStringLiteral("n other than 1 is not supported by the Claude fallback"));
    if (chat.contains(QStringLiteral("tools")) || chat.contains(QStringLiteral("functions")))
        return unsupported(QStringLiteral("tools are not supported by the Claude fallback"));
    const QJsonArray messages = chat.value(QStringLiteral("messages")).toArray();
    QStringList system;
    QJsonArray out;
    QString lastRole;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonObject m = messages.at(i).toObject();
        const QString where = QStringLiteral("messages[%1]").arg(i);
        const QString role = m.value(QStringLiteral("role")).toString();
        if (m.contains(QStringLiteral("tool_calls")) || role == QLatin1String("tool") || role == QLatin1String("function"))
            return unsupported(where + QStringLiteral(": tool messages are not supported by the Claude fallback"));
        Result<QString> text = contentText(m.value(QStringLiteral("content")), where);
        if (!text)
            return text.error();
        if (role == QLatin1String("system") || role == QLatin1String("developer")) {
            system << text.value();
            continue;
        }
        if (role != QLatin1String("user") && role != QLatin1String("assistant"))
            return unsupported(where + QStringLiteral(": unknown role \"%1\"").arg(role));
        // The Messages API wants user and assistant turns to alternate.
        if (role == lastRole) {
            QJsonObject prev = out.last().toObject();
            prev.insert(QStringLiteral("content"), QString(prev.value(QStringLiteral("content")).toString() + QStringLiteral("\n\n") + text.value()));
            out.replace(out.size() - 1, prev);
            continue;
        }
        out.append(QJsonObject{{QStringLiteral("role"), role}, {QStringLiteral("content"), text.value()}});
        lastRole = role;
    }
    if (out.isEmpty())
        return unsupported(QStringLiteral("messages: at least one user or assistant message is required"));

    QJsonObject body{{QStringLiteral("model"), options.model}, {QStringLiteral("messages"), out}};
    int maxTokens = options.defaultMaxTokens;
    for (const QLatin1String key : {QLatin1String("max_completion_tokens"), QLatin1String("max_tokens")}) {
        if (chat.value(key).isDouble()) {
            maxTokens = chat.value(key).toInt();
            break;
        }
    }
    body.insert(QStringLiteral("max_tokens"), std::max(1, maxTokens));
    if (!system.isEmpty())
        body.insert(QStringLiteral("system"), system.join(QStringLiteral("\n\n")));
    if (chat.value(QStringLiteral("temperature")).isDouble())
        body.insert(QStringLiteral("temperature"), std::clamp(chat.value(QStringLiteral("temperature")).toDouble(), 0.0, 1.0));
    if (chat.value(QStringLiteral("top_p")).isDouble())
        body.insert(QStringLiteral("top_p"), chat.value(QStringLiteral("top_p")).toDouble());
    const QJsonValue stop = chat.value(QStringLiteral("stop"));
    if (stop.isString())
        body.insert(QStringLiteral("stop_sequences"), QJsonArray{stop.toString()});
    else if (stop.isArray() && !stop.toArray().isEmpty())
        body.insert(QStringLiteral("stop_sequences"), stop.toArray());
    if (chat.value(QStringLiteral("stream")).toBool())
        body.insert(QStringLiteral("stream"), true);
    if (chat.value(QStringLiteral("user")).isString())
        body.insert(QStringLiteral("metadata"), QJsonObject{{QStringLiteral("user_id"), chat.value(QStringLiteral("user")).toString()}});
    return compact(body);
}

QByteArray finishReasonFor(QByteArrayView stopReason)
{
    if (stopReason == "max_tokens" || stopReason == "model_context_window_exceeded")
        return QByteArrayLiteral("length");
    if (stopReason == "tool_use")
        return QByteArrayLiteral("tool_calls");
    if (stopReason == "refusal")
        return QByteArrayLiteral("content_filter");
    return QByteArrayLiteral("stop"); // end_turn, stop_sequence, pause_turn
}

Result<QByteArray> anthropicMessageToChat(const QByteArray &message, const QString &clientModel, const QByteArray &id,
                                          qint64 created)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(message, &error);
    const QJsonObject m = doc.object();
    if (error.error != QJsonParseError::NoError || m.value(QStringLiteral("type")).toString() != QLatin1String("message"))
        return Error{QStringLiteral("bad_upstream"), QStringLiteral("the Claude API sent something other than a message")};
    QString text;
    for (const QJsonValue &block : m.value(QStringLiteral("content")).toArray()) {
        if (block.toObject().value(QStringLiteral("type")).toString() == QLatin1String("text"))
            text += block.toObject().value(QStringLiteral("text")).toString();
    }
    const QJsonObject usage = m.value(QStringLiteral("usage")).toObject();
    const qint64 in = usage.value(QStringLiteral("input_tokens")).toInteger();
    const qint64 outTokens = usage.value(QStringLiteral("output_tokens")).toInteger();
    const QJsonObject choice{
        {QStringLiteral("index"), 0},
        {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), text}}},
        {QStringLiteral("logprobs"), QJsonValue::Null},
        {QStringLiteral("finish_reason"),
         QString::fromLatin1(finishReasonFor(m.value(QStringLiteral("stop_reason")).toString().toLatin1()))}};
    const QJsonObject out{
        {QStringLiteral("id"), QString::fromLatin1(id)},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("created"), created},
        {QStringLiteral("model"), clientModel},
        {QStringLiteral("choices"), QJsonArray{choice}},
        {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), in},
                                             {QStringLiteral("completion_tokens"), outTokens},
                                             {QStringLiteral("total_tokens"), in + outTokens}}}};
    return compact(out);
}

MappedError anthropicErrorToOpenAi(int status, const QByteArray &body)
{
    const QJsonObject error = QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject();
    const QString type = error.value(QStringLiteral("type")).toString();
    QString message = error.value(QStringLiteral("message")).toString();
    if (message.isEmpty())
        message = QStringLiteral("the Claude API answered HTTP %1").arg(status);
    message = QStringLiteral("Claude fallback: ") + message;
    MappedError mapped;
    mapped.retryable = status == 429 || status == 500 || status == 529 || type == QLatin1String("overloaded_error");
    // The client's request was fine when the fallback failed on our side (our key, our quota):
    // those are gateway problems (502/503), not the client's 401/403.
    if (status == 400 || status == 404 || status == 413) {
        mapped.status = status;
        mapped.body = http::openAiErrorBody(message.toUtf8(), "invalid_request_error", status == 404 ? "model_not_found" : "invalid_request");
    } else if (status == 429) {
        mapped.status = 429;
        mapped.body = http::openAiErrorBody(message.toUtf8(), "rate_limit_error", "rate_limit_exceeded");
    } else if (status == 529 || status == 503) {
        mapped.status = 503;
        mapped.body = http::openAiErrorBody(message.toUtf8(), "server_error", "upstream_overloaded");
    } else {
        mapped.status = 502;
        mapped.body = http::openAiErrorBody(message.toUtf8(), "server_error", "upstream_error");
    }
    return mapped;
}

AnthropicStreamTranslator::AnthropicStreamTranslator(QString clientModel, QByteArray id, qint64 created, bool includeUsage)
    : m_model(std::move(clientModel)),
      m_id(std::move(id)),
      m_created(created),
      m_includeUsage(includeUsage),
      m_parser([this](const SseEvent &event) { onEvent(event); })
{
}

bool AnthropicStreamTranslator::feed(QByteArrayView bytes, QByteArray &out)
{
    if (!m_ok || m_done)
        return m_ok;
    m_out = &out;
    if (!m_parser.feed(bytes))
        m_ok = false;
    m_out = nullptr;
    return m_ok;
}

QByteArray AnthropicStreamTranslator::chunk(const QJsonObject &delta, const QJsonValue &finishReason) const
{
    const QJsonObject choice{{QStringLiteral("index"), 0},
                             {QStringLiteral("delta"), delta},
                             {QStringLiteral("logprobs"), QJsonValue::Null},
                             {QStringLiteral("finish_reason"), finishReason}};
    const QJsonObject o{{QStringLiteral("id"), QString::fromLatin1(m_id)},
                        {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                        {QStringLiteral("created"), m_created},
                        {QStringLiteral("model"), m_model},
                        {QStringLiteral("choices"), QJsonArray{choice}}};
    return sseData(compact(o));
}

void AnthropicStreamTranslator::onEvent(const SseEvent &event)
{
    if (!m_ok || m_done)
        return;
    QJsonParseError error{};
    const QJsonObject data = QJsonDocument::fromJson(event.data, &error).object();
    if (error.error != QJsonParseError::NoError) {
        m_ok = false;
        return;
    }
    const QString type = data.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("message_start")) {
        const QJsonObject usage = data.value(QStringLiteral("message")).toObject().value(QStringLiteral("usage")).toObject();
        m_inputTokens = usage.value(QStringLiteral("input_tokens")).toInteger();
        m_started = true;
        m_out->append(chunk({{QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), QString()}}, QJsonValue::Null));
    } else if (type == QLatin1String("content_block_delta")) {
        const QJsonObject delta = data.value(QStringLiteral("delta")).toObject();
        if (delta.value(QStringLiteral("type")).toString() == QLatin1String("text_delta"))
            m_out->append(chunk({{QStringLiteral("content"), delta.value(QStringLiteral("text")).toString()}}, QJsonValue::Null));
    } else if (type == QLatin1String("message_delta")) {
        m_stopReason = data.value(QStringLiteral("delta")).toObject().value(QStringLiteral("stop_reason")).toString().toLatin1();
        // Anthropic's output_tokens here are cumulative.
        m_outputTokens = data.value(QStringLiteral("usage")).toObject().value(QStringLiteral("output_tokens")).toInteger();
    } else if (type == QLatin1String("message_stop")) {
        m_out->append(chunk({}, QString::fromLatin1(finishReasonFor(m_stopReason))));
        if (m_includeUsage) {
            const QJsonObject usage{{QStringLiteral("prompt_tokens"), m_inputTokens},
                                    {QStringLiteral("completion_tokens"), m_outputTokens},
                                    {QStringLiteral("total_tokens"), m_inputTokens + m_outputTokens}};
            const QJsonObject o{{QStringLiteral("id"), QString::fromLatin1(m_id)},
                                {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                                {QStringLiteral("created"), m_created},
                                {QStringLiteral("model"), m_model},
                                {QStringLiteral("choices"), QJsonArray{}},
                                {QStringLiteral("usage"), usage}};
            m_out->append(sseData(compact(o)));
        }
        m_out->append(QByteArrayLiteral("data: [DONE]\n\n"));
        m_done = true;
    } else if (type == QLatin1String("error")) {
        const QString message = data.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        m_out->append(abortBytes(QByteArray(QByteArrayLiteral("Claude fallback: ") % message.toUtf8())));
        m_done = true;
    }
    // ping, content_block_start and content_block_stop carry nothing an OpenAI client needs.
}

QByteArray AnthropicStreamTranslator::abortBytes(QByteArrayView message)
{
    const QJsonObject error{{QStringLiteral("message"), QString::fromUtf8(message)},
                            {QStringLiteral("type"), QStringLiteral("server_error")},
                            {QStringLiteral("param"), QJsonValue::Null},
                            {QStringLiteral("code"), QStringLiteral("upstream_stream_error")}};
    return QByteArray(sseData(compact(QJsonObject{{QStringLiteral("error"), error}})) % QByteArrayLiteral("data: [DONE]\n\n"));
}

} // namespace meridian::upstream
