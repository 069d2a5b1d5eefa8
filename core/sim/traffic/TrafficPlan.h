#pragma once

#include "core/common/Result.h"
#include "core/sim/SimRandom.h"
#include "core/sim/WorldConfig.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace meridian::sim {

// One synthetic request, before it is put on the wire.
struct PlannedRequest final {
    int geography = -1; // index into SimClients::geographies
    QString geographyName;
    qint64 sequence = 0; // 0, 1, 2 … within its geography
    QString country;     // sent as CF-IPCountry
    QString subdivision; // sent as X-Meridian-Client-Geo when set: the geography's, for its country
    QString model;
    int promptTokens = 0; // approximate length of the synthetic prompt
    int maxTokens = 0;
    bool stream = false;
    quint64 promptSeed = 0; // picks the prompt's words

    bool operator==(const PlannedRequest &) const = default;
};

// The pure part of the traffic generator: effective rates, arrival gaps and request contents,
// no sockets and no timers, so determinism can be tested directly.
//
// Every geography draws from two SimRandom streams of its own, named after it:
// "traffic/<name>" for request contents and "traffic/<name>/arrivals" for arrival gaps. So
// under one seed a geography's sequence of requests is the same run to run, whatever the
// timing, the other geographies or the requests dropped client-side.
// Not thread-safe; owned by one TrafficGenerator.
class TrafficPlan final {
public:
    // Fails for a world without geographies, models or countries, duplicate geography names,
    // a subdivision outside its geography's countries, or a total rate of 0 after scaling.
    static Result<TrafficPlan> create(const SimClients &clients, const QStringList &worldModels, quint64 seed,
                                      double rateScale = 1.0, double maxRequestsPerSecond = 0);

    int geographyCount() const { return static_cast<int>(m_geos.size()); }
    const ClientGeography &geography(int g) const { return m_geos[static_cast<size_t>(g)].config; }
    // Simulated requests per second after rateScale, the EU share and the total cap.
    double ratePerSecond(int g) const { return m_geos[static_cast<size_t>(g)].rate; }
    double totalRatePerSecond() const;
    // All of the geography's countries are EU member states (what SimClients::euShare scales).
    bool isEuGeography(int g) const { return m_geos[static_cast<size_t>(g)].eu; }
    const QStringList &models() const { return m_models; }

    PlannedRequest nextRequest(int g);
    // Simulated milliseconds to the geography's next arrival (exponential, fractional: a
    // whole-millisecond gap would bias rates above a few hundred per second). < 0 if its
    // rate is 0.
    double nextGapMs(int g);

    // Bodies of synthetic prompts are capped, whatever the world's length distribution says.
    static constexpr int kMaxPromptTokens = 131'072;

private:
    struct Geo {
        ClientGeography config;
        double rate = 0;
        bool eu = false;
        qint64 sequence = 0;
        SimRandom contents;
        SimRandom arrivals;
    };

    TrafficPlan() = default;

    std::vector<Geo> m_geos;
    QStringList m_models;
    LengthDistribution m_prompt;
    LengthDistribution m_output;
    double m_streamShare = 0;
};

// The OpenAI chat-completion body for a planned request: {"model","messages":[{"role":"user",
// "content":<about promptTokens synthetic words>}],"max_tokens","stream"} plus
// "stream_options":{"include_usage":true} when streaming.
QByteArray chatCompletionBody(const PlannedRequest &request);

// The prompt text alone: promptTokens words from syntheticToken(), so approxTokenCount()
// of it equals promptTokens.
QString syntheticPrompt(quint64 seed, int tokens);

} // namespace meridian::sim
