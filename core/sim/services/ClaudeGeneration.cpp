#include "core/sim/services/ClaudeGeneration.h"

#include "core/sim/SimClock.h"
#include "core/sim/SimRandom.h"
#include "core/sim/services/AnthropicWire.h"

#include <QJsonDocument>

#include <chrono>

namespace meridian::sim {
namespace {

// Above this many unsent bytes the stream waits for the client to read (a stalled reader
// must not make the simulator buffer without bound).
constexpr qint64 kHighWaterBytes = 64 * 1024;

} // namespace

ClaudeGeneration::ClaudeGeneration(GenerationPlan plan, http::ResponseWriter &out, const SimClock &clock,
                                   TokenDelay nextTokenDelay, std::function<void()> onFinished)
    : m_plan(std::move(plan)),
      m_out(out),
      m_clock(clock),
      m_nextTokenDelay(std::move(nextTokenDelay)),
      m_onFinished(std::move(onFinished))
{
    m_plan.outputTokens = std::max(1, m_plan.outputTokens);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ClaudeGeneration::onTimer);
    qint64 first = m_plan.firstTokenMs;
    if (!m_plan.stream) {
        // The whole answer is ready when its last token is.
        for (int i = 1; i < m_plan.outputTokens; ++i)
            first += m_nextTokenDelay();
    }
    arm(first);
}

ClaudeGeneration::~ClaudeGeneration()
{
    m_timer.stop();
    finish();
}

void ClaudeGeneration::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_onFinished)
        m_onFinished();
}

void ClaudeGeneration::arm(qint64 simMs)
{
    m_timer.start(std::chrono::milliseconds(m_clock.realDelayMs(std::max<qint64>(0, simMs))));
}

void ClaudeGeneration::onTimer()
{
    if (m_finished)
        return;
    if (!m_plan.stream) {
        QString text;
        for (int i = 0; i < m_plan.outputTokens; ++i)
            text += syntheticToken(m_plan.textSeed, i);
        http::HttpHeaders headers = m_plan.headers;
        headers.set("Content-Type", QByteArrayLiteral("application/json"));
        const QJsonObject body = anthropic::message(m_plan.messageId, m_plan.model, text, m_plan.stopReason,
                                                    m_plan.inputTokens, m_plan.outputTokens);
        finish(); // before respond(): the connection may delete this object on the spot
        m_out.respond(200, std::move(headers), QJsonDocument(body).toJson(QJsonDocument::Compact));
        return;
    }
    if (m_sent == 0) {
        http::HttpHeaders headers = m_plan.headers;
        headers.set("Content-Type", QByteArrayLiteral("text/event-stream; charset=utf-8"));
        headers.set("Cache-Control", QByteArrayLiteral("no-cache"));
        m_out.beginStream(200, std::move(headers));
        m_out.writeBody(QByteArray(anthropic::messageStartEvent(m_plan.messageId, m_plan.model, m_plan.inputTokens)
                                   + anthropic::contentBlockStartEvent() + anthropic::pingEvent()));
    }
    streamNext();
}

void ClaudeGeneration::streamNext()
{
    m_out.writeBody(anthropic::textDeltaEvent(syntheticToken(m_plan.textSeed, m_sent)));
    ++m_sent;
    if (m_sent >= m_plan.outputTokens) {
        m_out.writeBody(QByteArray(anthropic::contentBlockStopEvent()
                                   + anthropic::messageDeltaEvent(m_plan.stopReason, m_plan.outputTokens)
                                   + anthropic::messageStopEvent()));
        finish();
        m_out.endStream(); // may delete this object
        return;
    }
    if (m_out.pendingWriteBytes() > kHighWaterBytes) {
        m_waitingForDrain = true;
        return;
    }
    arm(m_nextTokenDelay());
}

void ClaudeGeneration::onClientDrained()
{
    if (!m_waitingForDrain || m_finished)
        return;
    m_waitingForDrain = false;
    arm(m_nextTokenDelay());
}

} // namespace meridian::sim
