#pragma once

#include <QByteArray>

// OpenAI-style bodies the gateway tests send and their fake upstreams answer with.
namespace meridian::test {

inline const QByteArray kChat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
inline const QByteArray kChatStream =
    "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
inline const QByteArray kCompletion = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                                      "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}";
// The same answer with its usage: 5 completion tokens.
inline const QByteArray kCompletionWithUsage =
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
    "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,\"total_tokens\":8}}";
inline const QByteArray kOverloaded =
    "{\"error\":{\"message\":\"engine overloaded\",\"type\":\"server_error\",\"code\":503}}";

} // namespace meridian::test
