#include "core/upstream/ApiTranslation.h"

#include "core/http/ErrorBody.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringBuilder>

namespace meridian::upstream {

namespace {

using routing::ApiKind;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<QJsonObject> parseObject(const QByteArray &body)
{
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

TranslatedResponse badUpstream(const QByteArray &why)
{
    return {502, "application/json",
            http::openAiErrorBody(QByteArray("the region answered with something Meridian cannot translate: " + why),
                                  "upstream_error", "bad_gateway")};
}

// A chat transcript flattened into one prompt for servers that take a single string.
QString flattenMessages(const QJsonArray &messages)
{
    QStringList lines;
    for (const auto &m : messages) {
        const QJsonObject msg = m.toObject();
        QString content;
        const QJsonValue c = msg.value(QStringLiteral("content"));
        if (c.isString()) {
            content = c.toString();
        } else if (c.isArray()) { // content parts: keep the text ones
            for (const auto &part : c.toArray()) {
                if (part.toObject().value(QStringLiteral("type")).toString() == QLatin1String("text"))
                    content += part.toObject().value(QStringLiteral("text")).toString();
            }
        }
        const QString role = msg.value(QStringLiteral("role")).toString();
        lines << (messages.size() == 1 && role == QLatin1String("user") ? content : role + QStringLiteral(": ") + content);
    }
    return lines.join(u'\n');
}

int roughTokens(const QString &text)
{
    return static_cast<int>(text.size() + 3) / 4; // the usual ~4 characters per token
}

QJsonObject usage(int prompt, int completion)
{
    return {{QStringLiteral("prompt_tokens"), prompt},
            {QStringLiteral("completion_tokens"), completion},
            {QStringLiteral("total_tokens"), prompt + completion}};
}

QByteArray sse(const QJsonObject &o)
{
    return "data: " + compact(o) + "\n\n";
}

// The tutorial mock answers {output, tokens_used}; render it as OpenAI would.
TranslatedResponse tutorialToOpenAi(const ClientCall &call, const QString &model, const QString &prompt,
                                    int status, const QByteArray &body)
{
    if (status >= 400)
        return normaliseUpstreamError(status, body);
    const auto parsed = parseObject(body);
    if (!parsed || !parsed->value(QStringLiteral("output")).isString())
        return badUpstream("no 'output' string in the tutorial server's answer");
    const QString output = parsed->value(QStringLiteral("output")).toString();
    const int completion = parsed->value(QStringLiteral("tokens_used")).toInt(roughTokens(output));
    const int promptTokens = roughTokens(prompt);
    const bool chat = call.kind == ApiKind::ChatCompletions;
    const QString id = (chat ? QStringLiteral("chatcmpl-") : QStringLiteral("cmpl-")) + QString::fromLatin1(call.requestId);
    const qint64 created = QDateTime::currentSecsSinceEpoch();
    const QString object = chat ? QStringLiteral("chat.completion") : QStringLiteral("text_completion");

    if (!call.stream) {
        QJsonObject choice{{QStringLiteral("index"), 0}, {QStringLiteral("finish_reason"), QStringLiteral("stop")}};
        if (chat)
            choice.insert(QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                 {QStringLiteral("content"), output}});
        else {
            choice.insert(QStringLiteral("text"), output);
            choice.insert(QStringLiteral("logprobs"), QJsonValue::Null);
        }
        const QJsonObject out{{QStringLiteral("id"), id},           {QStringLiteral("object"), object},
                              {QStringLiteral("created"), created}, {QStringLiteral("model"), model},
                              {QStringLiteral("choices"), QJsonArray{choice}},
                              {QStringLiteral("usage"), usage(promptTokens, completion)}};
        return {200, "application/json", compact(out)};
    }

    // Streaming requested: the tutorial server answers at once, so the stream is the whole
    // answer in one content chunk, then the finish chunk, the optional usage chunk, [DONE].
    const QString chunkObject = chat ? QStringLiteral("chat.completion.chunk") : QStringLiteral("text_completion");
    auto chunk = [&](const QJsonObject &choice) {
        return QJsonObject{{QStringLiteral("id"), id},           {QStringLiteral("object"), chunkObject},
                           {QStringLiteral("created"), created}, {QStringLiteral("model"), model},
                           {QStringLiteral("choices"), QJsonArray{choice}}};
    };
    QByteArray out;
    if (chat) {
        out += sse(chunk({{QStringLiteral("index"), 0},
                          {QStringLiteral("delta"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                {QStringLiteral("content"), output}}},
                          {QStringLiteral("finish_reason"), QJsonValue::Null}}));
        out += sse(chunk({{QStringLiteral("index"), 0},
                          {QStringLiteral("delta"), QJsonObject{}},
                          {QStringLiteral("finish_reason"), QStringLiteral("stop")}}));
    } else {
        out += sse(chunk({{QStringLiteral("index"), 0},
                          {QStringLiteral("text"), output},
                          {QStringLiteral("finish_reason"), QStringLiteral("stop")}}));
    }
    if (call.includeUsage) {
        QJsonObject last = chunk({});
        last.insert(QStringLiteral("choices"), QJsonArray{});
        last.insert(QStringLiteral("usage"), usage(promptTokens, completion));
        out += sse(last);
    }
    out += "data: [DONE]\n\n";
    return {200, "text/event-stream", out};
}

QJsonObject inferenceMetadata(const config::RegionConfig &region)
{
    return {{QStringLiteral("region"), region.name},
            {QStringLiteral("provider"), region.provider},
            {QStringLiteral("cost_per_1k"), region.costPer1kTokens}};
}

} // namespace

TranslatedResponse normaliseUpstreamError(int status, const QByteArray &body)
{
    const auto parsed = parseObject(body);
    if (parsed && parsed->value(QStringLiteral("error")).isObject())
        return {status, "application/json", body};
    QByteArray text = body.left(200).trimmed();
    if (text.isEmpty())
        text = http::reasonPhrase(status).toByteArray();
    return {status, "application/json",
            http::openAiErrorBody(QByteArray("the region answered " + QByteArray::number(status) + ": " + text),
                                  http::errorTypeForStatus(status),
                                  QByteArray("upstream_" + QByteArray::number(status)))};
}

QJsonObject ClientCall::json() const
{
    return parseObject(rawBody).value_or(QJsonObject{});
}

Translation translate(const ClientCall &call, const config::RegionConfig &region, const QString &upstreamModel)
{
    Translation t;
    t.request.method = "POST";
    t.request.headers.add(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    t.request.headers.add(QByteArrayLiteral("Accept"), call.stream ? QByteArrayLiteral("text/event-stream") : QByteArrayLiteral("application/json"));
    t.request.headers.add(QByteArrayLiteral("X-Request-Id"), call.requestId);

    const bool tutorialRegion = region.api == config::UpstreamApi::Tutorial;
    if (call.kind != ApiKind::TutorialInference && !tutorialRegion) {
        t.request.path = call.path;
        t.request.body = call.rawBody; // unchanged, byte for byte
        t.passthrough = true;
        return t;
    }

    const QJsonObject in = call.json();
    if (call.kind == ApiKind::TutorialInference) {
        const QString prompt = in.value(QStringLiteral("prompt")).toString();
        const int maxTokens = in.value(QStringLiteral("max_tokens")).toInt(100);
        const double temperature = in.value(QStringLiteral("temperature")).toDouble(0.7);
        t.passthrough = false;
        if (tutorialRegion) {
            t.request.path = "/v1/inference";
            t.request.body = compact({{QStringLiteral("prompt"), prompt},
                                      {QStringLiteral("max_tokens"), maxTokens},
                                      {QStringLiteral("temperature"), temperature}});
        } else {
            t.request.path = "/v1/chat/completions";
            t.request.body = compact(
                {{QStringLiteral("model"), upstreamModel},
                 {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                     {QStringLiteral("content"), prompt}}}},
                 {QStringLiteral("max_tokens"), maxTokens},
                 {QStringLiteral("temperature"), temperature}});
        }
        t.finish = [tutorialRegion, region](int status, const QByteArray &body) -> TranslatedResponse {
            if (status >= 400)
                return normaliseUpstreamError(status, body);
            const auto parsed = parseObject(body);
            if (!parsed)
                return badUpstream("the answer is not a JSON object");
            QString result;
            if (tutorialRegion) {
                if (!parsed->value(QStringLiteral("output")).isString())
                    return badUpstream("no 'output' string in the tutorial server's answer");
                result = parsed->value(QStringLiteral("output")).toString();
            } else {
                const QJsonValue content = parsed->value(QStringLiteral("choices"))
                                               .toArray()
                                               .at(0)
                                               .toObject()
                                               .value(QStringLiteral("message"))
                                               .toObject()
                                               .value(QStringLiteral("content"));
                if (!content.isString())
                    return badUpstream("no choices[0].message.content in the chat completion");
                result = content.toString();
            }
            return {200, "application/json",
                    compact({{QStringLiteral("result"), result}, {QStringLiteral("metadata"), inferenceMetadata(region)}})};
        };
        return t;
    }

    // Chat or text completion to a tutorial-API region.
    QString prompt;
    if (call.kind == ApiKind::ChatCompletions) {
        prompt = flattenMessages(in.value(QStringLiteral("messages")).toArray());
    } else {
        const QJsonValue p = in.value(QStringLiteral("prompt"));
        prompt = p.isArray() ? p.toArray().at(0).toString() : p.toString();
    }
    const QJsonValue maxTokens = in.contains(QStringLiteral("max_completion_tokens"))
                                     ? in.value(QStringLiteral("max_completion_tokens"))
                                     : in.value(QStringLiteral("max_tokens"));
    t.request.path = "/v1/inference";
    t.request.body = compact({{QStringLiteral("prompt"), prompt},
                              {QStringLiteral("max_tokens"), maxTokens.toInt(100)},
                              {QStringLiteral("temperature"), in.value(QStringLiteral("temperature")).toDouble(0.7)}});
    t.request.headers.set(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    t.passthrough = false;
    t.finish = [call, model = call.model, prompt](int status, const QByteArray &body) {
        return tutorialToOpenAi(call, model, prompt, status, body);
    };
    return t;
}

} // namespace meridian::upstream
