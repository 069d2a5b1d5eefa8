#include "core/sim/services/AnthropicRequest.h"

#include "core/sim/SimRandom.h"
#include "core/sim/services/JsonInteger.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <limits>

namespace meridian::sim {
namespace {

Error invalid(const QString &message)
{
    return Error{QStringLiteral("invalid_request_error"), message};
}

// The block types a request may carry; only text counts toward the token estimate, the
// others (images, documents, tool traffic) count a flat amount.
bool isKnownBlockType(const QString &type)
{
    static const QLatin1String kTypes[] = {QLatin1String("text"), QLatin1String("image"), QLatin1String("document"),
                                           QLatin1String("tool_use"), QLatin1String("tool_result"),
                                           QLatin1String("thinking"), QLatin1String("redacted_thinking")};
    for (const QLatin1String t : kTypes) {
        if (type == t)
            return true;
    }
    return false;
}

// Checks `content` (a string or an array of blocks) at `path`; adds its token estimate.
std::optional<Error> checkContent(const QJsonValue &content, const QString &path, int *tokens, bool textOnly)
{
    if (content.isString()) {
        *tokens += approxTokenCount(content.toString());
        return std::nullopt;
    }
    if (!content.isArray())
        return invalid(path + QStringLiteral(": Input should be a valid string or a list of content blocks"));
    const QJsonArray blocks = content.toArray();
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        const QString at = path + QLatin1Char('.') + QString::number(i);
        if (!blocks.at(i).isObject())
            return invalid(at + QStringLiteral(": Input should be a valid dictionary or object"));
        const QJsonObject block = blocks.at(i).toObject();
        const QJsonValue type = block.value(QLatin1String("type"));
        if (!type.isString())
            return invalid(at + QStringLiteral(".type: Field required"));
        if (textOnly ? type.toString() != QLatin1String("text") : !isKnownBlockType(type.toString()))
            return invalid(at + QStringLiteral(".type: Input tag '%1' found using 'type' does not match any of the expected tags").arg(type.toString()));
        if (type.toString() == QLatin1String("text")) {
            const QJsonValue text = block.value(QLatin1String("text"));
            if (!text.isString())
                return invalid(at + QStringLiteral(".text: Field required"));
            *tokens += approxTokenCount(text.toString());
        } else {
            *tokens += 16; // a flat guess for non-text blocks
        }
    }
    return std::nullopt;
}

std::optional<Error> checkUnitRange(const QJsonObject &body, QLatin1String key)
{
    const QJsonValue v = body.value(key);
    if (v.isUndefined())
        return std::nullopt;
    if (!v.isDouble())
        return invalid(QString(key) + QStringLiteral(": Input should be a valid number"));
    if (v.toDouble() < 0 || v.toDouble() > 1)
        return invalid(QString(key) + QStringLiteral(": Input should be less than or equal to 1 and greater than or equal to 0"));
    return std::nullopt;
}

} // namespace

Result<AnthropicRequest> parseAnthropicRequest(const QByteArray &body)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalid(QStringLiteral("There was an error parsing the body: ") + parseError.errorString());
    if (!doc.isObject())
        return invalid(QStringLiteral("Input should be a valid dictionary or object"));
    const QJsonObject o = doc.object();

    AnthropicRequest r;
    const QJsonValue model = o.value(QLatin1String("model"));
    if (model.isUndefined())
        return invalid(QStringLiteral("model: Field required"));
    if (!model.isString() || model.toString().isEmpty())
        return invalid(QStringLiteral("model: Input should be a valid string"));
    r.model = model.toString();

    const QJsonValue maxTokens = o.value(QLatin1String("max_tokens"));
    if (maxTokens.isUndefined())
        return invalid(QStringLiteral("max_tokens: Field required"));
    const std::optional<qint64> max = exactJsonInteger(maxTokens);
    if (!max)
        return invalid(QStringLiteral("max_tokens: Input should be a valid integer"));
    if (*max < 1)
        return invalid(QStringLiteral("max_tokens: Input should be greater than or equal to 1"));
    if (*max > std::numeric_limits<int>::max())
        return invalid(QStringLiteral("max_tokens: Input should be less than or equal to %1").arg(std::numeric_limits<int>::max()));
    r.maxTokens = static_cast<int>(*max);

    const QJsonValue messages = o.value(QLatin1String("messages"));
    if (messages.isUndefined())
        return invalid(QStringLiteral("messages: Field required"));
    if (!messages.isArray())
        return invalid(QStringLiteral("messages: Input should be a valid list"));
    const QJsonArray list = messages.toArray();
    if (list.isEmpty())
        return invalid(QStringLiteral("messages: at least one message is required"));
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString at = QStringLiteral("messages.") + QString::number(i);
        if (!list.at(i).isObject())
            return invalid(at + QStringLiteral(": Input should be a valid dictionary or object"));
        const QJsonObject message = list.at(i).toObject();
        const QJsonValue role = message.value(QLatin1String("role"));
        if (role.isUndefined())
            return invalid(at + QStringLiteral(".role: Field required"));
        if (role.toString() != QLatin1String("user") && role.toString() != QLatin1String("assistant"))
            return invalid(at + QStringLiteral(".role: Input should be 'user' or 'assistant'"));
        const QJsonValue content = message.value(QLatin1String("content"));
        if (content.isUndefined())
            return invalid(at + QStringLiteral(".content: Field required"));
        if (std::optional<Error> e = checkContent(content, at + QStringLiteral(".content"), &r.inputTokens, false))
            return *e;
    }

    const QJsonValue system = o.value(QLatin1String("system"));
    if (!system.isUndefined()) {
        if (std::optional<Error> e = checkContent(system, QStringLiteral("system"), &r.inputTokens, true))
            return *e;
    }

    const QJsonValue stream = o.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isBool())
        return invalid(QStringLiteral("stream: Input should be a valid boolean"));
    r.stream = stream.toBool(false);

    for (const QLatin1String key : {QLatin1String("temperature"), QLatin1String("top_p")}) {
        if (std::optional<Error> e = checkUnitRange(o, key))
            return *e;
    }
    const QJsonValue topK = o.value(QLatin1String("top_k"));
    if (!topK.isUndefined() && (!exactJsonInteger(topK) || *exactJsonInteger(topK) < 0))
        return invalid(QStringLiteral("top_k: Input should be a valid integer greater than or equal to 0"));

    const QJsonValue stops = o.value(QLatin1String("stop_sequences"));
    if (!stops.isUndefined()) {
        if (!stops.isArray())
            return invalid(QStringLiteral("stop_sequences: Input should be a valid list"));
        const QJsonArray items = stops.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (!items.at(i).isString())
                return invalid(QStringLiteral("stop_sequences.%1: Input should be a valid string").arg(i));
            r.stopSequences.append(items.at(i).toString());
        }
    }
    const QJsonValue metadata = o.value(QLatin1String("metadata"));
    if (!metadata.isUndefined() && !metadata.isObject())
        return invalid(QStringLiteral("metadata: Input should be a valid dictionary"));

    // The API counts a few tokens of framing per request even for an empty prompt.
    r.inputTokens = std::max(1, r.inputTokens);
    return r;
}

} // namespace meridian::sim
