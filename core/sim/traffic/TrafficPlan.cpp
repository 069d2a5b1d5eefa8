#include "core/sim/traffic/TrafficPlan.h"

#include "core/common/Countries.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStringBuilder>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meridian::sim {
namespace {

Error planError(const QString &message)
{
    return Error{QStringLiteral("invalid_traffic"), message};
}

bool allEu(const QStringList &countries)
{
    if (countries.isEmpty())
        return false;
    return std::all_of(countries.begin(), countries.end(), [](const QString &c) { return isEuCountry(c); });
}

} // namespace

Result<TrafficPlan> TrafficPlan::create(const SimClients &clients, const QStringList &worldModels, quint64 seed,
                                        double rateScale, double maxRequestsPerSecond)
{
    if (clients.geographies.empty())
        return planError(QStringLiteral("the world has no client geographies"));
    TrafficPlan plan;
    plan.m_models = clients.models.isEmpty() ? worldModels : clients.models;
    plan.m_models.removeAll(QString());
    if (plan.m_models.isEmpty())
        return planError(QStringLiteral("no model to ask for: neither the clients nor the world list one"));
    plan.m_prompt = clients.promptTokens;
    plan.m_output = clients.outputTokens;
    plan.m_streamShare = std::isfinite(clients.streamShare) ? std::clamp(clients.streamShare, 0.0, 1.0) : 0.0;
    const double scale = std::isfinite(rateScale) && rateScale > 0 ? rateScale : 1.0;

    QSet<QString> names;
    double euSum = 0;
    double otherSum = 0;
    for (const ClientGeography &g : clients.geographies) {
        if (g.name.isEmpty())
            return planError(QStringLiteral("a client geography has no name"));
        if (names.contains(g.name))
            return planError(QStringLiteral("client geography \"%1\" is listed twice").arg(g.name));
        names.insert(g.name);
        if (g.countries.isEmpty())
            return planError(QStringLiteral("client geography \"%1\" has no countries").arg(g.name));
        if (!g.subdivision.isEmpty() && (g.subdivision.size() < 4 || g.subdivision[2] != QLatin1Char('-') ||
                                         !g.countries.contains(g.subdivision.left(2))))
            return planError(QStringLiteral("client geography \"%1\": subdivision \"%2\" is not in one of its countries")
                                 .arg(g.name, g.subdivision));
        const double rate =
            std::isfinite(g.requestsPerSecond) && g.requestsPerSecond > 0 ? g.requestsPerSecond * scale : 0;
        const bool eu = allEu(g.countries);
        (eu ? euSum : otherSum) += rate;
        plan.m_geos.push_back(
            Geo{g, rate, eu, 0, SimRandom(seed, QString(QStringLiteral("traffic/") + g.name)),
                SimRandom(seed, QString(QStringLiteral("traffic/") + g.name + QStringLiteral("/arrivals")))});
    }

    // The world's comment on euShare: only the EU geographies are rescaled. When one side has
    // no traffic at all, no factor can reach the share and the rates stay as configured.
    if (clients.euShare && euSum > 0 && otherSum > 0) {
        const double share = std::clamp(*clients.euShare, 0.0, 1.0);
        const double factor = share < 1.0 ? share * otherSum / ((1.0 - share) * euSum) : 1.0;
        for (Geo &g : plan.m_geos) {
            if (g.eu)
                g.rate *= factor;
            else if (share >= 1.0)
                g.rate = 0; // every request from the EU
        }
    }

    double total = plan.totalRatePerSecond();
    if (maxRequestsPerSecond > 0 && total > maxRequestsPerSecond) {
        // Proportionally, so the geographic mix (and the EU share) survives the cap.
        const double factor = maxRequestsPerSecond / total;
        for (Geo &g : plan.m_geos)
            g.rate *= factor;
        total = plan.totalRatePerSecond();
    }
    if (!(total > 0))
        return planError(QStringLiteral("the clients' total request rate is 0"));
    return plan;
}

double TrafficPlan::totalRatePerSecond() const
{
    double total = 0;
    for (const Geo &g : m_geos)
        total += g.rate;
    return total;
}

PlannedRequest TrafficPlan::nextRequest(int g)
{
    Geo &geo = m_geos[static_cast<size_t>(g)];
    SimRandom &r = geo.contents;
    PlannedRequest p;
    p.geography = g;
    p.geographyName = geo.config.name;
    p.sequence = geo.sequence++;
    // Always the same draws in the same order, so one field never shifts another's.
    p.country = geo.config.countries.at(r.uniformInt(0, static_cast<int>(geo.config.countries.size()) - 1));
    // No draw of its own: a world with subdivisions makes the same requests as one without.
    if (!geo.config.subdivision.isEmpty() && QStringView(geo.config.subdivision).left(2) == p.country)
        p.subdivision = geo.config.subdivision;
    p.model = m_models.at(r.uniformInt(0, static_cast<int>(m_models.size()) - 1));
    p.promptTokens = std::min(r.length(m_prompt), kMaxPromptTokens);
    p.maxTokens = r.length(m_output);
    p.stream = r.uniform() < m_streamShare;
    p.promptSeed = static_cast<quint64>(r.uniformInt(0, std::numeric_limits<int>::max()));
    return p;
}

double TrafficPlan::nextGapMs(int g)
{
    Geo &geo = m_geos[static_cast<size_t>(g)];
    if (!(geo.rate > 0))
        return -1;
    // Inverse-CDF of the exponential; 1 - u is in (0, 1], so the log is finite.
    const double u = geo.arrivals.uniform();
    return -std::log(1.0 - u) * 1000.0 / geo.rate;
}

QString syntheticPrompt(quint64 seed, int tokens)
{
    QString text;
    text.reserve(tokens * 6);
    int words = 0;
    int chars = 0;
    // Stops where approxTokenCount() reaches the target: long words count for more than one.
    for (int i = 0; std::max(words, (chars + 3) / 4) < tokens; ++i) {
        const QString word = syntheticToken(seed, i);
        text += word;
        ++words;
        chars += static_cast<int>(word.trimmed().size());
    }
    return text;
}

QByteArray chatCompletionBody(const PlannedRequest &request)
{
    QJsonObject message;
    message.insert(QStringLiteral("role"), QStringLiteral("user"));
    message.insert(QStringLiteral("content"), syntheticPrompt(request.promptSeed, request.promptTokens));
    QJsonObject body;
    body.insert(QStringLiteral("model"), request.model);
    body.insert(QStringLiteral("messages"), QJsonArray{message});
    body.insert(QStringLiteral("max_tokens"), request.maxTokens);
    body.insert(QStringLiteral("stream"), request.stream);
    if (request.stream)
        body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace meridian::sim
