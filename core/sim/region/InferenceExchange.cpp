#include "core/sim/region/InferenceExchange.h"

#include "core/sim/SimRandom.h"

#include <chrono>

namespace meridian::sim {
namespace {

http::HttpHeaders jsonHeaders()
{
    http::HttpHeaders h;
    h.add("Content-Type", "application/json");
    return h;
}

} // namespace

InferenceExchange::InferenceExchange(ExchangeHost &host, http::ResponseWriter &out, CompletionPlan plan)
    : m_host(host), m_out(out), m_plan(std::move(plan))
{
    m_figures.id = m_plan.id;
    m_figures.created = m_host.wallMs() / 1000;
    m_figures.model = m_plan.request.model;
    m_figures.promptTokens = m_plan.request.promptTokens;
    m_delay.setSingleShot(true);
    m_delay.setTimerType(Qt::PreciseTimer);
    connect(&m_delay, &QTimer::timeout, this, &InferenceExchange::enterModel);
}

InferenceExchange::~InferenceExchange()
{
    if (m_inModel)
        m_host.leave(m_id, !m_finished);
}

void InferenceExchange::start()
{
    if (m_plan.preDelayMs > 0) {
        m_delay.start(std::chrono::milliseconds(m_host.realDelayMs(m_plan.preDelayMs)));
        return;
    }
    enterModel();
}

void InferenceExchange::enterModel()
{
    quint64 id = 0;
    if (m_host.enter(*this, m_plan.job, &id) == LoadModel::Admission::Rejected) {
        m_finished = true;
        m_out.respond(503, jsonHeaders(), vllmErrorBody(ApiError::overloaded()));
        return;
    }
    m_id = id;
    m_inModel = true;
}

void InferenceExchange::onLoadEvent(const LoadEvent &event)
{
    if (m_finished)
        return;
    switch (event.kind) {
    case LoadEvent::Kind::FirstToken:
        if (m_plan.request.stream) {
            http::HttpHeaders h;
            h.add("Content-Type", "text/event-stream; charset=utf-8");
            h.add("Cache-Control", "no-cache");
            m_out.beginStream(200, std::move(h));
            // vLLM opens every chat stream with the role and an empty content.
            if (m_plan.request.api == InferenceApi::Chat)
                write(chatChunk(m_figures, QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                       {QStringLiteral("content"), QString()}}));
        }
        onToken(event.generated);
        break;
    case LoadEvent::Kind::Token:
        onToken(event.generated);
        break;
    case LoadEvent::Kind::Finished:
        finish();
        break;
    }
}

QString InferenceExchange::tokenText(int index) const
{
    const bool eos = m_plan.reason == FinishedReason::Stop && index == m_plan.job.outputTokens - 1;
    return eos ? QString() : syntheticToken(m_plan.textSeed, index);
}

void InferenceExchange::onToken(int generated)
{
    const int index = generated - 1;
    const QString text = tokenText(index);
    m_figures.completionTokens = generated;
    if (!m_plan.request.stream) {
        m_text += text;
        return;
    }
    // The last token's chunk carries the finish reason (an empty delta when it is the EOS).
    const bool last = generated >= m_plan.job.outputTokens;
    const QString reason = last ? (m_plan.reason == FinishedReason::Length ? QStringLiteral("length")
                                                                           : QStringLiteral("stop"))
                                : QString();
    if (m_plan.request.api == InferenceApi::Chat)
        write(chatChunk(m_figures, QJsonObject{{QStringLiteral("content"), text}}, reason));
    else
        write(completionChunk(m_figures, text, reason));
}

void InferenceExchange::finish()
{
    m_finished = true;
    const QString reason = m_plan.reason == FinishedReason::Length ? QStringLiteral("length") : QStringLiteral("stop");
    if (!m_plan.request.stream) {
        const QByteArray body = m_plan.request.api == InferenceApi::Chat ? chatCompletionBody(m_figures, m_text, reason)
                                                                         : completionBody(m_figures, m_text, reason);
        m_out.respond(200, jsonHeaders(), body);
        return;
    }
    if (m_plan.request.includeUsage) {
        const QString object = m_plan.request.api == InferenceApi::Chat ? QStringLiteral("chat.completion.chunk")
                                                                        : QStringLiteral("text_completion");
        write(usageChunk(m_figures, object));
    }
    m_out.writeBody(kSseDone);
    m_out.endStream();
}

void InferenceExchange::write(const QJsonObject &chunk)
{
    m_out.writeBody(sseEvent(chunk));
}

} // namespace meridian::sim
