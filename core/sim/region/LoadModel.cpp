#include "core/sim/region/LoadModel.h"

#include <algorithm>
#include <cmath>

namespace meridian::sim {

LoadModel::LoadModel(const SimRegion &region, quint64 worldSeed)
    : m_gpus(std::max(1, region.gpus)),
      m_maxSeqsPerGpu(std::max(1, region.maxSeqsPerGpu)),
      m_nominalCapacity(m_gpus * m_maxSeqsPerGpu),
      m_maxWaiting(std::max(0, region.maxWaiting)),
      m_rttMs(std::max<qint64>(0, region.rttMs)),
      m_jitter(std::clamp(region.jitter, 0.0, 1.0)),
      m_noiseSeed(splitMix64(worldSeed ^ qHash(region.name))),
      m_random(worldSeed, QString(QStringLiteral("region/") + region.name + QStringLiteral("/load"))),
      m_gpuLoad(static_cast<std::size_t>(m_gpus), 0)
{
}

int LoadModel::capacity() const
{
    return std::max(0, static_cast<int>(std::floor(m_nominalCapacity * m_capacityFactor + 1e-9)));
}

LoadModel::Admission LoadModel::submit(quint64 id, const LoadJob &job, qint64 nowMs)
{
    const bool slotFree = m_queue.empty() && m_running < capacity();
    if (!slotFree && waiting() >= m_maxWaiting)
        return Admission::Rejected;
    Seq seq;
    seq.job = job;
    seq.job.promptTokens = std::max(0, job.promptTokens);
    seq.job.outputTokens = std::max(1, job.outputTokens);
    seq.submittedMs = nowMs;
    Seq &stored = m_seqs[id] = seq;
    if (slotFree) {
        admit(id, stored, nowMs);
        return Admission::Running;
    }
    m_queue.push_back(id);
    return Admission::Queued;
}

void LoadModel::admit(quint64 id, Seq &seq, qint64 atMs)
{
    // Prefill shares the GPUs with every sequence already decoding.
    const double busy = static_cast<double>(m_running) / m_nominalCapacity;
    const auto prefill = std::llround(static_cast<double>(seq.job.ttftMs) * (1.0 + kPrefillContention * busy));
    const qint64 delay = m_random.jittered(prefill, m_jitter) + m_random.jittered(m_rttMs, m_jitter);
    seq.admittedMs = atMs;
    seq.dueMs = atMs + std::max<qint64>(1, delay);
    const auto least = std::min_element(m_gpuLoad.begin(), m_gpuLoad.end());
    seq.gpu = static_cast<int>(least - m_gpuLoad.begin());
    ++*least;
    ++m_running;
    m_kvTokens += seq.job.promptTokens;
    m_due.emplace(seq.dueMs, id);
}

void LoadModel::admitWaiting(qint64 atMs)
{
    while (!m_queue.empty() && m_running < capacity()) {
        const quint64 id = m_queue.front();
        m_queue.pop_front();
        Seq &seq = m_seqs.at(id);
        admit(id, seq, std::max(atMs, seq.submittedMs));
    }
}

void LoadModel::removeRunning(quint64 id, Seq &seq)
{
    m_due.erase({seq.dueMs, id});
    --m_gpuLoad[static_cast<std::size_t>(seq.gpu)];
    --m_running;
    m_kvTokens -= seq.job.promptTokens + seq.generated;
}

void LoadModel::cancel(quint64 id, qint64 nowMs)
{
    const auto it = m_seqs.find(id);
    if (it == m_seqs.end())
        return;
    if (it->second.admittedMs >= 0) {
        removeRunning(id, it->second);
        m_seqs.erase(it);
        admitWaiting(nowMs);
        return;
    }
    std::erase(m_queue, id);
    m_seqs.erase(it);
}

void LoadModel::setFaults(double capacityFactor, double tokenSlowdown, qint64 nowMs)
{
    m_capacityFactor = std::isfinite(capacityFactor) ? std::clamp(capacityFactor, 0.0, 1.0) : 1.0;
    m_tokenSlowdown = std::isfinite(tokenSlowdown) ? std::max(1.0, tokenSlowdown) : 1.0;
    admitWaiting(nowMs);
}

qint64 LoadModel::interTokenDelay(const Seq &seq)
{
    const double batch = static_cast<double>(m_running) / m_nominalCapacity;
    const double ms = static_cast<double>(seq.job.interTokenMs) * m_tokenSlowdown * (1.0 + kBatchSlowdown * batch);
    return std::max<qint64>(1, m_random.jittered(std::llround(ms), m_jitter));
}

std::vector<LoadEvent> LoadModel::advance(qint64 nowMs)
{
    std::vector<LoadEvent> events;
    while (!m_due.empty() && m_due.begin()->first <= nowMs) {
        const auto [at, id] = *m_due.begin();
        m_due.erase(m_due.begin());
        Seq &seq = m_seqs.at(id);
        LoadEvent e;
        e.id = id;
        e.atMs = at;
        e.tag = seq.job.tag;
        if (seq.generated == 0) {
            e.kind = LoadEvent::Kind::FirstToken;
            e.queueMs = seq.admittedMs - seq.submittedMs;
            e.ttftMs = at - seq.submittedMs;
        } else {
            e.kind = LoadEvent::Kind::Token;
            e.gapMs = at - seq.lastTokenMs;
        }
        ++seq.generated;
        ++m_kvTokens;
        seq.lastTokenMs = at;
        e.generated = seq.generated;
        events.push_back(e);
        if (seq.generated < seq.job.outputTokens) {
            seq.dueMs = at + interTokenDelay(seq);
            m_due.emplace(seq.dueMs, id);
            continue;
        }
        LoadEvent done = e;
        done.kind = LoadEvent::Kind::Finished;
        done.e2eMs = at - seq.submittedMs;
        done.queueMs = 0;
        done.ttftMs = 0;
        done.gapMs = 0;
        events.push_back(done);
        removeRunning(id, seq); // its due entry is already gone
        m_seqs.erase(id);
        admitWaiting(at);
    }
    return events;
}

qint64 LoadModel::nextEventMs() const
{
    return m_due.empty() ? -1 : m_due.begin()->first;
}

int LoadModel::running(int tag) const
{
    int n = 0;
    for (const auto &[id, seq] : m_seqs)
        n += (seq.admittedMs >= 0 && seq.job.tag == tag) ? 1 : 0;
    return n;
}

int LoadModel::waiting(int tag) const
{
    int n = 0;
    for (const auto &[id, seq] : m_seqs)
        n += (seq.admittedMs < 0 && seq.job.tag == tag) ? 1 : 0;
    return n;
}

bool LoadModel::isRunning(quint64 id) const
{
    const auto it = m_seqs.find(id);
    return it != m_seqs.end() && it->second.admittedMs >= 0;
}

double LoadModel::kvCacheUsage() const
{
    const qint64 budget = static_cast<qint64>(capacity()) * kKvTokensPerSlot;
    if (budget <= 0)
        return m_running > 0 ? 1.0 : 0.0;
    return std::clamp(static_cast<double>(m_kvTokens) / static_cast<double>(budget), 0.0, 1.0);
}

std::vector<double> LoadModel::gpuUtilisation(qint64 nowMs) const
{
    std::vector<double> out;
    out.reserve(m_gpuLoad.size());
    const auto second = static_cast<quint64>(std::max<qint64>(0, nowMs) / 1000);
    for (std::size_t g = 0; g < m_gpuLoad.size(); ++g) {
        if (m_gpuLoad[g] <= 0) {
            out.push_back(0.0);
            continue;
        }
        const double share = static_cast<double>(m_gpuLoad[g]) / m_maxSeqsPerGpu;
        const quint64 h = splitMix64(m_noiseSeed ^ splitMix64((second << 8U) | g));
        const double noise = (static_cast<double>(h % 1001) / 1000.0 - 0.5) * 6.0; // ±3 points
        out.push_back(std::clamp(std::round(100.0 * share + noise), 1.0, 100.0));
    }
    return out;
}

} // namespace meridian::sim
