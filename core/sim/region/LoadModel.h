#pragma once

#include "core/sim/SimRandom.h"
#include "core/sim/WorldConfig.h"

#include <QtGlobal>

#include <deque>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace meridian::sim {

// One request as the load model sees it: how much it reads and writes, and how fast the model
// it asks for runs on this pool.
struct LoadJob final {
    int promptTokens = 1;
    int outputTokens = 1;  // tokens it will generate (already capped by max_tokens)
    qint64 ttftMs = 200;   // the model's prefill time on an idle pool
    qint64 interTokenMs = 30;
    int tag = 0;           // the caller's label (the model's index), kept for per-model figures
};

// What happened to a request while the model advanced. Times are sim milliseconds.
struct LoadEvent final {
    enum class Kind { FirstToken, Token, Finished };
    Kind kind = Kind::Token;
    quint64 id = 0;
    qint64 atMs = 0;
    int tag = 0;
    qint64 queueMs = 0; // FirstToken: time spent waiting for a slot
    qint64 ttftMs = 0;  // FirstToken: submission to first token
    qint64 gapMs = 0;   // Token: time since the previous token
    qint64 e2eMs = 0;   // Finished: submission to last token
    int generated = 0;  // tokens generated so far (Finished: all of them)
};

// The queueing and pacing of a vLLM pool, as a pure discrete-event model: no sockets, no
// timers; the caller passes the simulated time in and turns the events into bytes. That keeps
// every load behaviour (queueing, contention, capacity cuts, KV and GPU figures) testable
// without a network or a clock.
//
// Capacity is gpus × maxSeqsPerGpu sequences scaled by the capacity factor of a fault;
// requests beyond it wait in FIFO order, and beyond maxWaiting they are rejected. A request's
// first token comes after its queue wait plus the model's prefill time, stretched by the number
// of sequences already running (prefill contends with decode), plus the network round trip;
// later tokens come every interTokenMs, stretched by the token slow-down of a fault and mildly
// by the batch size. Every duration is jittered from the seeded stream.
//
// Not thread-safe; owned by one RegionServer on the simulator thread.
class LoadModel final {
public:
    enum class Admission { Running, Queued, Rejected };

    // Tokens of KV cache one sequence slot is budgeted (prompt + output of a typical request
    // fit with room to spare, so a fully busy pool with typical requests sits near 50–70 %).
    static constexpr int kKvTokensPerSlot = 1024;
    // Prefill time grows by this share for a pool whose every slot is decoding.
    static constexpr double kPrefillContention = 1.5;
    // Decode time per token grows by this share at full batch.
    static constexpr double kBatchSlowdown = 0.3;

    LoadModel(const SimRegion &region, quint64 worldSeed);

    // `id` must be unique among live requests. Rejected requests are not kept.
    Admission submit(quint64 id, const LoadJob &job, qint64 nowMs);
    // The request ended early (client left, error): frees its slot or queue place. Unknown ids
    // (finished or never admitted) are ignored.
    void cancel(quint64 id, qint64 nowMs);
    // Faults: share of capacity left (clamped to 0..1) and the factor on decode time (>= 1).
    // Growing capacity admits waiting requests at once.
    void setFaults(double capacityFactor, double tokenSlowdown, qint64 nowMs);

    // Every event due at or before `nowMs`, in time order. Finishing requests free their slots
    // at the time of their last token, so waiting ones are admitted in the past when the caller
    // advances late, and their events follow in the same call.
    std::vector<LoadEvent> advance(qint64 nowMs);
    // When the next event is due; -1 when nothing is running.
    qint64 nextEventMs() const;

    int nominalCapacity() const { return m_nominalCapacity; }
    int capacity() const; // after the capacity factor, >= 0
    int running() const { return m_running; }
    int waiting() const { return static_cast<int>(m_queue.size()); }
    int running(int tag) const;
    int waiting(int tag) const;
    bool contains(quint64 id) const { return m_seqs.contains(id); }
    bool isRunning(quint64 id) const;
    // Sum of (prompt + generated) tokens of running requests over the KV budget, 0..1.
    double kvCacheUsage() const;
    // Percent busy per GPU (0..100): its share of running sequences, with a little noise that
    // depends only on the GPU and the simulated second, so reads are repeatable.
    std::vector<double> gpuUtilisation(qint64 nowMs) const;
    int gpus() const { return m_gpus; }

private:
    struct Seq final {
        LoadJob job;
        qint64 submittedMs = 0;
        qint64 admittedMs = -1;
        qint64 lastTokenMs = -1;
        qint64 dueMs = -1;
        int generated = 0;
        int gpu = -1;
    };

    void admit(quint64 id, Seq &seq, qint64 atMs);
    void admitWaiting(qint64 atMs);
    void removeRunning(quint64 id, Seq &seq);
    qint64 interTokenDelay(const Seq &seq);

    int m_gpus;
    int m_maxSeqsPerGpu;
    int m_nominalCapacity;
    int m_maxWaiting;
    qint64 m_rttMs;
    double m_jitter;
    quint64 m_noiseSeed;
    double m_capacityFactor = 1.0;
    double m_tokenSlowdown = 1.0;
    SimRandom m_random;

    std::unordered_map<quint64, Seq> m_seqs;
    std::deque<quint64> m_queue;
    std::set<std::pair<qint64, quint64>> m_due; // (due time, id) of running requests
    std::vector<int> m_gpuLoad;
    int m_running = 0;
    qint64 m_kvTokens = 0; // prompt + generated of running requests
};

} // namespace meridian::sim
