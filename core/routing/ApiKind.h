#pragma once

namespace meridian::routing {

// Which client API a request uses: routing cares because not every target carries every API
// (the seed tutorial's servers take no embeddings; the Claude fallback serves chat only).
enum class ApiKind { ChatCompletions, Completions, Embeddings, TutorialInference };

} // namespace meridian::routing
