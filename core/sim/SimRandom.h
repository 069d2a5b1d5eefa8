#pragma once

#include "core/sim/WorldConfig.h"

#include <QStringView>

#include <random>

namespace meridian::sim {

// A seeded random stream. Every component of the world draws from its own stream, derived
// from the world's seed and the component's name, so one component's traffic never shifts
// another's draws and a run is reproducible under a seed.
class SimRandom final {
public:
    SimRandom(quint64 worldSeed, QStringView stream);

    double uniform();                 // [0, 1)
    bool chance(double probability);  // true with that probability
    int uniformInt(int lo, int hi);   // [lo, hi]
    // `ms` varied by ± jitter (a share, 0..1), never below 0.
    qint64 jittered(qint64 ms, double jitter);
    // A log-normal draw with the distribution's mean, clamped to [min, max].
    int length(const LengthDistribution &d);
    // Exponential inter-arrival time in ms for a Poisson process of `perSecond` events.
    qint64 interArrivalMs(double perSecond);

private:
    std::mt19937_64 m_engine;
};

// SplitMix64's finaliser: a stateless hash that spreads nearby seeds far apart, for derived
// seeds and for noise that must not consume a component's random stream.
quint64 splitMix64(quint64 x);

// Approximate token count of a text, the way a BPE tokenizer lands on English prose:
// about one token per four characters, at least one per word-like run.
int approxTokenCount(QStringView text);

// The text of generated token `index` of a completion: deterministic filler words, each with
// its leading space, so a stream of them reads as a sentence. Each is one generated token
// (usage counts them), even where approxTokenCount() would count a long word as two or three.
QString syntheticToken(quint64 seed, int index);

} // namespace meridian::sim
