#include "core/gateway/RequestInspection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <simdjson.h>

#include <climits>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

namespace meridian::gateway {

namespace {

using routing::ApiKind;

enum class JsonKind : quint8 { Absent, Null, Bool, Number, String, Array, Object };

// One top-level field as the checks see it, whichever parser read it.
struct Field final {
    JsonKind kind = JsonKind::Absent;
    bool boolean = false;
    double number = 0;
    bool empty = true; // an empty string or array
};

// The top-level fields the checks look at.
struct Fields final {
    Field stream, model, messages, prompt, input, maxTokens, temperature;
    QString modelText;
    bool messagesWellFormed = true; // every message an object with a string 'role'
    bool includeUsage = false;
};

// Checks the fields each API needs before anything is sent upstream. Empty: fine.
QByteArray check(ApiKind kind, const Fields &f)
{
    auto isNonEmptyString = [](const Field &field) { return field.kind == JsonKind::String && !field.empty; };
    if (f.stream.kind != JsonKind::Absent && f.stream.kind != JsonKind::Bool && f.stream.kind != JsonKind::Null)
        return "'stream' must be a boolean";
    switch (kind) {
    case ApiKind::ChatCompletions:
        if (!isNonEmptyString(f.model))
            return "you must provide a model parameter";
        if (f.messages.kind != JsonKind::Array || f.messages.empty)
            return "'messages' must be a non-empty array";
        if (!f.messagesWellFormed)
            return "each message must be an object with a 'role'";
        return {};
    case ApiKind::Completions:
        if (!isNonEmptyString(f.model))
            return "you must provide a model parameter";
        if (f.prompt.kind != JsonKind::String && f.prompt.kind != JsonKind::Array)
            return "'prompt' must be a string or an array";
        return {};
    case ApiKind::Embeddings:
        if (!isNonEmptyString(f.model))
            return "you must provide a model parameter";
        if (f.input.kind == JsonKind::Absent)
            return "'input' is required";
        return {};
    case ApiKind::TutorialInference: {
        if (f.prompt.kind != JsonKind::String)
            return "'prompt' is required and must be a string";
        const Field &m = f.maxTokens;
        if (m.kind != JsonKind::Absent
            && (m.kind != JsonKind::Number || m.number < 1 || m.number > INT_MAX || std::floor(m.number) != m.number))
            return "'max_tokens' must be a positive integer";
        const Field &t = f.temperature;
        if (t.kind != JsonKind::Absent && (t.kind != JsonKind::Number || t.number < 0))
            return "'temperature' must be a non-negative number";
        return {};
    }
    }
    return {};
}

Field *slotFor(Fields &f, std::string_view key)
{
    if (key == "model")
        return &f.model;
    if (key == "messages")
        return &f.messages;
    if (key == "stream")
        return &f.stream;
    if (key == "prompt")
        return &f.prompt;
    if (key == "input")
        return &f.input;
    if (key == "max_tokens")
        return &f.maxTokens;
    if (key == "temperature")
        return &f.temperature;
    return nullptr;
}

// --- simdjson: the fast path, no document built ---

JsonKind kindOf(simdjson::dom::element_type type)
{
    using T = simdjson::dom::element_type;
    switch (type) {
    case T::OBJECT:
        return JsonKind::Object;
    case T::ARRAY:
        return JsonKind::Array;
    case T::STRING:
        return JsonKind::String;
    case T::BOOL:
        return JsonKind::Bool;
    case T::NULL_VALUE:
        return JsonKind::Null;
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
        return JsonKind::Number;
    }
    return JsonKind::Null;
}

// The value of the last `key` in `object`, or a null element when it has none.
bool lastMember(simdjson::dom::object object, std::string_view key, simdjson::dom::element &out)
{
    bool found = false;
    for (const simdjson::dom::key_value_pair member : object) {
        if (member.key == key) {
            out = member.value;
            found = true;
        }
    }
    return found;
}

bool wellFormedMessages(simdjson::dom::array messages)
{
    for (const simdjson::dom::element message : messages) {
        simdjson::dom::object object;
        simdjson::dom::element role;
        if (message.get_object().get(object) != simdjson::SUCCESS || !lastMember(object, "role", role)
            || role.type() != simdjson::dom::element_type::STRING)
            return false;
    }
    return true;
}

void readField(Fields &f, Field &field, simdjson::dom::element value)
{
    field = Field{};
    field.kind = kindOf(value.type());
    switch (field.kind) {
    case JsonKind::Bool:
        field.boolean = value.get_bool().value_unsafe();
        break;
    case JsonKind::Number:
        field.number = value.get_double().value_unsafe();
        break;
    case JsonKind::String: {
        const std::string_view text = value.get_string().value_unsafe();
        field.empty = text.empty();
        if (&field == &f.model)
            f.modelText = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
        break;
    }
    case JsonKind::Array: {
        const simdjson::dom::array array = value.get_array().value_unsafe();
        field.empty = array.begin() == array.end();
        if (&field == &f.messages)
            f.messagesWellFormed = wellFormedMessages(array);
        break;
    }
    default:
        break;
    }
}

enum class Parsed { Object, NotObject, Refused };

// Qt refuses a number that underflows (not zero, yet below the smallest double); simdjson
// reads it as 0. Only a negative exponent or a long run of zeros can underflow, so only a
// body with one of those is searched for a floating-point zero, and Qt judges a body with one.
bool mayHoldUnderflow(const QByteArray &body)
{
    for (qsizetype i = body.indexOf('-'); i > 0 && i + 1 < body.size(); i = body.indexOf('-', i + 1)) {
        const char before = body.at(i - 1);
        const char after = body.at(i + 1);
        if ((before == 'e' || before == 'E') && after >= '0' && after <= '9')
            return true;
    }
    return body.contains(QByteArrayView("00000000000000000000000000000000"));
}

bool holdsFloatingZero(simdjson::dom::element value)
{
    switch (value.type()) {
    case simdjson::dom::element_type::DOUBLE:
        return value.get_double().value_unsafe() == 0.0;
    case simdjson::dom::element_type::ARRAY: {
        // Copied out: value_unsafe() refers into the temporary result, which a range-for's
        // initializer would outlive.
        const simdjson::dom::array array = value.get_array().value_unsafe();
        for (const simdjson::dom::element item : array) {
            if (holdsFloatingZero(item))
                return true;
        }
        return false;
    }
    case simdjson::dom::element_type::OBJECT: {
        const simdjson::dom::object object = value.get_object().value_unsafe();
        for (const simdjson::dom::key_value_pair member : object) {
            if (holdsFloatingZero(member.value))
                return true;
        }
        return false;
    }
    default:
        return false;
    }
}

Parsed readRoot(const QByteArray &body, simdjson::dom::element root, Fields &f)
{
    // Qt takes only an object or an array as a document: a bare value is its syntax error.
    if (root.type() != simdjson::dom::element_type::OBJECT && root.type() != simdjson::dom::element_type::ARRAY)
        return Parsed::Refused;
    if (mayHoldUnderflow(body) && holdsFloatingZero(root))
        return Parsed::Refused;
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS)
        return Parsed::NotObject;
    for (const simdjson::dom::key_value_pair member : object) {
        if (Field *field = slotFor(f, member.key)) {
            readField(f, *field, member.value);
        } else if (member.key == "stream_options") {
            simdjson::dom::object options;
            simdjson::dom::element includeUsage;
            f.includeUsage = member.value.get_object().get(options) == simdjson::SUCCESS
                             && lastMember(options, "include_usage", includeUsage)
                             && includeUsage.type() == simdjson::dom::element_type::BOOL
                             && includeUsage.get_bool().value_unsafe();
        }
    }
    if (f.model.kind != JsonKind::String)
        f.modelText.clear();
    return Parsed::Object;
}

// Bodies up to this size are parsed by the worker's own parser, whose buffers stay allocated
// for the next request; a larger body gets a parser of its own that is freed afterwards.
constexpr size_t kKeptParserCapacity = 256 * 1024;

Parsed readWithSimdjson(const QByteArray &body, Fields &f)
{
    const auto length = static_cast<size_t>(body.size());
    simdjson::dom::element root;
    if (length > kKeptParserCapacity) {
        simdjson::dom::parser parser;
        if (parser.parse(body.constData(), length, true).get(root) != simdjson::SUCCESS)
            return Parsed::Refused;
        return readRoot(body, root, f);
    }
    thread_local simdjson::dom::parser parser;
    thread_local std::vector<char> padded; // simdjson reads up to SIMDJSON_PADDING bytes past the end
    if (padded.size() < length + simdjson::SIMDJSON_PADDING)
        padded.resize(length + simdjson::SIMDJSON_PADDING);
    std::memcpy(padded.data(), body.constData(), length);
    if (parser.parse(padded.data(), length, false).get(root) != simdjson::SUCCESS)
        return Parsed::Refused;
    return readRoot(body, root, f);
}

// --- Qt: the slow path, for what simdjson refused ---

void readField(Fields &f, Field &field, const QJsonValue &value)
{
    field = Field{};
    switch (value.type()) {
    case QJsonValue::Undefined:
        return;
    case QJsonValue::Null:
        field.kind = JsonKind::Null;
        return;
    case QJsonValue::Bool:
        field.kind = JsonKind::Bool;
        field.boolean = value.toBool();
        return;
    case QJsonValue::Double:
        field.kind = JsonKind::Number;
        field.number = value.toDouble();
        return;
    case QJsonValue::String:
        field.kind = JsonKind::String;
        field.empty = value.toString().isEmpty();
        if (&field == &f.model)
            f.modelText = value.toString();
        return;
    case QJsonValue::Array: {
        field.kind = JsonKind::Array;
        const QJsonArray array = value.toArray();
        field.empty = array.isEmpty();
        if (&field == &f.messages) {
            for (const QJsonValue &m : array) {
                if (!m.isObject() || !m.toObject().value(QStringLiteral("role")).isString())
                    f.messagesWellFormed = false;
            }
        }
        return;
    }
    case QJsonValue::Object:
        field.kind = JsonKind::Object;
        return;
    }
}

void readObject(const QJsonObject &object, Fields &f)
{
    for (const char *key : {"model", "messages", "stream", "prompt", "input", "max_tokens", "temperature"})
        readField(f, *slotFor(f, key), object.value(QLatin1String(key)));
    f.includeUsage = object.value(QStringLiteral("stream_options"))
                         .toObject()
                         .value(QStringLiteral("include_usage"))
                         .toBool();
}

} // namespace

RequestInspection inspectRequest(ApiKind kind, const QByteArray &body)
{
    RequestInspection out;
    Fields f;
    Parsed parsed = readWithSimdjson(body, f);
    if (parsed == Parsed::Refused) {
        f = Fields{};
        QJsonParseError parseError{};
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            out.problem = "We could not parse the JSON body of your request: " + parseError.errorString().toUtf8()
                          + " at offset " + QByteArray::number(parseError.offset);
            out.problemCode = "invalid_json";
            return out;
        }
        parsed = doc.isObject() ? Parsed::Object : Parsed::NotObject;
        if (parsed == Parsed::Object)
            readObject(doc.object(), f);
    }
    if (parsed == Parsed::NotObject) {
        out.problem = "the request body must be a JSON object";
        out.problemCode = "invalid_json";
        return out;
    }
    if (QByteArray problem = check(kind, f); !problem.isEmpty()) {
        out.problem = std::move(problem);
        out.problemCode = "invalid_request";
        return out;
    }
    out.model = std::move(f.modelText);
    out.stream = f.stream.kind == JsonKind::Bool && f.stream.boolean;
    out.includeUsage = f.includeUsage;
    return out;
}

} // namespace meridian::gateway
