#include "core/routing/OverrideBook.h"

#include "core/common/DurationText.h"

#include <QStringBuilder>

#include <algorithm>

// Decisions the issue left open, made here:
//
// - Re-draining a region that is already draining or drained is an extension, not a change of
//   admin state: the region stays out of rotation, so neither the settle rail nor the zone rail
//   has anything to say (the region already counts as unhealthy for the latter). The newest
//   action's expiry wins (now + duration, which may also shorten it), reason and actor are
//   replaced, and a Drained region stays Drained (its grace time is not restarted).
// - The settle rail stops flapping *into* a drain: it judges a new drain against the region's
//   last drain start or undrain. An undrain is never held back by it (UndrainAction has no
//   `force`, and undoing a mistaken drain at once must always be possible), but it does start
//   the settle time for the next drain. An expiry is the book's doing, not an operator's: it
//   does not restart the settle time.
// - Pins settle per key (scope, country, model, tenant). Re-pinning a live pin to the region
//   it already points at is an extension and skips the rail; a pin to another region, or a pin
//   right after an unpin of the same key, is a change. An unpin, like an undrain, is never held.
// - Every action first ends what has expired by `nowMs` (with its "expire" record), so the book
//   never judges an action against an override that is already over.
// - `forced` in the audit is what the operator asked for; the message says which rail, if
//   any, the force actually overrode.

namespace meridian::routing {

namespace {

// The start of an audit record: who did what to which target, why, and when.
AuditRecord auditRecord(qint64 wallMs, const QString &actor, const QString &action, const QString &target,
                        const QString &reason)
{
    AuditRecord rec;
    rec.atWallMs = wallMs;
    rec.actor = actor;
    rec.action = action;
    rec.target = target;
    rec.reason = reason;
    return rec;
}


constexpr size_t kAuditCap = 1000;

const QString kBookActor = QStringLiteral("meridian");

bool sameKey(const Pin &a, const Pin &b)
{
    return a.scope == b.scope && a.country == b.country && a.model == b.model && a.tenant == b.tenant;
}

// Fields that do not belong to the scope are cleared, so keys compare by what matters.
Pin normalizedKey(Pin pin)
{
    if (pin.scope != PinScope::Country)
        pin.country = 0;
    if (pin.scope != PinScope::Model)
        pin.model.clear();
    return pin;
}

// "90 ms", "45s", "30m", "2h 30m", "7d".
// Whole seconds still to wait, rounded up, at least 1.
qint64 secondsToWait(qint64 remainingMs)
{
    return std::max<qint64>(1, (remainingMs + 999) / 1000);
}

QString settleMessage(const QString &what, qint64 elapsedMs, qint64 settleMs)
{
    return what % QStringLiteral(" changed ") % QString::number(elapsedMs / 1000) % QStringLiteral(" s ago; wait ") %
           QString::number(secondsToWait(settleMs - elapsedMs)) % QStringLiteral(" s (settle time ") %
           QString::number(settleMs / 1000) % QStringLiteral(" s) or add force with a reason");
}

} // namespace

OverrideBook::OverrideBook(const GeoRouter &router, OverrideSettings settings)
    : m_router(router), m_settings(settings), m_lastChangeMs(static_cast<size_t>(router.regionCount()))
{
}

void OverrideBook::append(AuditRecord record)
{
    m_audit.push_back(std::move(record));
    ++m_auditTotal;
    while (m_audit.size() > kAuditCap)
        m_audit.pop_front();
}

ActionResult OverrideBook::finish(ActionResult result)
{
    result.audit.result = result.ok() ? QStringLiteral("ok") : QString(QStringLiteral("refused: ") + result.message);
    if (result.ok())
        result.code = QByteArrayLiteral("ok");
    append(result.audit);
    return result;
}

QString OverrideBook::regionAndReasonProblem(int region, const QString &reason) const
{
    if (region < 0 || region >= m_router.regionCount())
        return QStringLiteral("unknown region #") % QString::number(region) % QStringLiteral(" (there are ")
            % QString::number(m_router.regionCount()) % QStringLiteral(")");
    if (reason.isEmpty())
        return QStringLiteral("a reason is required");
    return {};
}

ActionResult OverrideBook::refuse(AuditRecord audit, int status, const char *code, const QString &message)
{
    ActionResult r;
    r.status = status;
    r.code = QByteArray(code);
    r.message = message;
    r.audit = std::move(audit);
    return finish(std::move(r));
}

int OverrideBook::findDrain(int region) const
{
    for (size_t i = 0; i < m_active.size(); ++i)
        if (m_active[i].kind == Override::Kind::Drain && m_active[i].region == region)
            return static_cast<int>(i);
    return -1;
}

int OverrideBook::findPin(const Pin &key) const
{
    for (size_t i = 0; i < m_active.size(); ++i)
        if (m_active[i].kind == Override::Kind::Pin && sameKey(m_active[i].pin, key))
            return static_cast<int>(i);
    return -1;
}

QString OverrideBook::regionText(int region) const
{
    return region >= 0 && region < m_router.regionCount() ? m_router.regionName(region)
                                                          : QStringLiteral("region #") + QString::number(region);
}

QString OverrideBook::pinScopeText(const Pin &pin)
{
    QString text;
    switch (pin.scope) {
    case PinScope::All:
        text = QStringLiteral("all traffic");
        break;
    case PinScope::Country:
        text = QStringLiteral("country ") + countryCodeText(pin.country);
        break;
    case PinScope::Eu:
        text = QStringLiteral("EU traffic");
        break;
    case PinScope::Model:
        text = QStringLiteral("model ") + pin.model;
        break;
    }
    if (!pin.tenant.isEmpty())
        text += QStringLiteral(" (tenant ") % pin.tenant % QLatin1Char(')');
    return text;
}

QString OverrideBook::pinTarget(const Pin &pin) const
{
    const QString region = pin.region >= 0 && pin.region < m_router.regionCount() ? m_router.regionName(pin.region)
                                                                                  : QStringLiteral("pin");
    return region % QStringLiteral(" for ") % pinScopeText(pin);
}

bool OverrideBook::expireDue(qint64 nowMs, qint64 wallMs)
{
    bool changed = false;
    for (auto it = m_active.begin(); it != m_active.end();) {
        if (nowMs < it->untilMs) {
            ++it;
            continue;
        }
        AuditRecord rec = auditRecord(wallMs, kBookActor, QStringLiteral("expire"),
                                      it->kind == Override::Kind::Drain ? regionText(it->region) : pinTarget(it->pin),
                                      it->reason);
        rec.result = QStringLiteral("ok");
        append(std::move(rec));
        it = m_active.erase(it);
        changed = true;
    }
    return changed;
}

// "Healthy" for the zone rail: not known unhealthy, not ejected, not drained by this book.
// Unknown counts as healthy, as it does for routing (a restart must not look like an outage).
QString OverrideBook::zoneRailViolation(int region, const RegionSnapshot &health, qint64 nowMs) const
{
    const int n = m_router.regionCount();
    auto healthy = [&](int r) {
        if (findDrain(r) >= 0)
            return false;
        if (r >= static_cast<int>(health.regions.size()))
            return true;
        const RegionState &st = health.regions[static_cast<size_t>(r)];
        return st.health != Health::Unhealthy && nowMs >= st.ejectedUntilMs;
    };
    // Everyone first: losing a model for every client is the bigger news, and it implies the EU.
    for (const bool euZone : {false, true}) {
        if (euZone && !m_router.isEuRegion(region))
            continue;
        QStringList lost;
        for (const QString &model : m_router.models()) {
            bool before = false;
            bool after = false;
            for (int r = 0; r < n; ++r) {
                if ((euZone && !m_router.isEuRegion(r)) || !m_router.servesModel(r, model) || !healthy(r))
                    continue;
                before = true;
                after = after || r != region;
            }
            if (before && !after)
                lost << model;
        }
        if (lost.isEmpty())
            continue;
        const bool fallbackUp = euZone ? health.fallback.claudeEu : health.fallback.claudeGlobal;
        const QString fallbackName =
            euZone ? QStringLiteral("the Claude EU fallback") : QStringLiteral("the Claude fallback");
        return QStringLiteral("draining ") % m_router.regionName(region) % QStringLiteral(" would leave ") %
               (euZone ? QStringLiteral("EU traffic") : QStringLiteral("all traffic")) % QStringLiteral(" for ") %
               lost.join(QStringLiteral(", ")) % QStringLiteral(" with no healthy self-hosted region (") %
               (fallbackUp ? QString(QStringLiteral("it would go to ") % fallbackName)
                           : QString(QStringLiteral("it would fail with 503: ") % fallbackName %
                                     QStringLiteral(" is unavailable"))) %
               QLatin1Char(')');
    }
    return QString();
}

ActionResult OverrideBook::drain(const DrainAction &action, const RegionSnapshot &health, qint64 nowMs, qint64 wallMs)
{
    expireDue(nowMs, wallMs);
    AuditRecord rec =
        auditRecord(wallMs, action.actor, QStringLiteral("drain"), regionText(action.region), action.reason.trimmed());
    rec.untilWallMs = action.durationMs > 0 ? wallMs + action.durationMs : 0;
    rec.forced = action.force;

    if (const QString problem = regionAndReasonProblem(action.region, rec.reason); !problem.isEmpty())
        return refuse(rec, 400, "invalid_request", problem);
    if (action.durationMs <= 0 || action.durationMs > m_settings.maxDurationMs)
        return refuse(rec, 400, "invalid_request",
                      QStringLiteral("the expiry must be between 1 ms and ") % durationText(m_settings.maxDurationMs));

    const QString name = m_router.regionName(action.region);
    const int existing = findDrain(action.region);
    if (existing >= 0) {
        ActiveOverride &d = m_active[static_cast<size_t>(existing)];
        d.reason = rec.reason;
        d.actor = action.actor;
        d.untilMs = nowMs + action.durationMs;
        d.untilWallMs = rec.untilWallMs;
        ActionResult r;
        r.message = name % QStringLiteral(" is already ") %
                    (d.admin == AdminState::Drained ? QStringLiteral("drained") : QStringLiteral("draining")) %
                    QStringLiteral("; the drain now ends in ") % durationText(action.durationMs);
        r.audit = rec;
        return finish(std::move(r));
    }

    QStringList overridden;
    const std::optional<qint64> last = m_lastChangeMs[static_cast<size_t>(action.region)];
    if (last && nowMs - *last < m_settings.settleMs) {
        const QString why = settleMessage(name % QStringLiteral("'s admin state"), nowMs - *last, m_settings.settleMs);
        if (!action.force)
            return refuse(rec, 409, "settling", why);
        overridden << QStringLiteral("the settle time");
    }
    const QString zone = zoneRailViolation(action.region, health, nowMs);
    if (!zone.isEmpty()) {
        if (!action.force)
            return refuse(rec, 409, "safety_rail", zone + QStringLiteral("; add force with a reason to do it anyway"));
        overridden << QStringLiteral("the zone rail: ") + zone;
    }

    ActiveOverride d;
    d.kind = Override::Kind::Drain;
    d.region = action.region;
    d.admin = AdminState::Draining;
    d.reason = rec.reason;
    d.actor = action.actor;
    d.sinceMs = nowMs;
    d.untilMs = nowMs + action.durationMs;
    d.untilWallMs = rec.untilWallMs;
    m_active.push_back(std::move(d));
    m_lastChangeMs[static_cast<size_t>(action.region)] = nowMs;

    ActionResult r;
    r.message = name % QStringLiteral(" is draining for ") % durationText(action.durationMs) %
                QStringLiteral(": no new requests; in-flight ones get up to ") % durationText(m_settings.drainGraceMs) %
                QStringLiteral(" to finish");
    if (!overridden.isEmpty())
        r.message += QStringLiteral(" (forced past ") % overridden.join(QStringLiteral(" and ")) % QLatin1Char(')');
    r.audit = rec;
    return finish(std::move(r));
}

ActionResult OverrideBook::undrain(const UndrainAction &action, qint64 nowMs, qint64 wallMs)
{
    expireDue(nowMs, wallMs);
    AuditRecord rec =
        auditRecord(wallMs, action.actor, QStringLiteral("undrain"), regionText(action.region), action.reason.trimmed());

    if (const QString problem = regionAndReasonProblem(action.region, rec.reason); !problem.isEmpty())
        return refuse(rec, 400, "invalid_request", problem);
    const int existing = findDrain(action.region);
    if (existing < 0)
        return refuse(rec, 404, "not_found", m_router.regionName(action.region) % QStringLiteral(" is not drained"));

    m_active.erase(m_active.begin() + existing);
    m_lastChangeMs[static_cast<size_t>(action.region)] = nowMs;
    ActionResult r;
    r.message = m_router.regionName(action.region) % QStringLiteral(" takes new requests again");
    r.audit = rec;
    return finish(std::move(r));
}

ActionResult OverrideBook::pin(const PinAction &action, const RegionSnapshot &health, qint64 nowMs, qint64 wallMs)
{
    expireDue(nowMs, wallMs);
    const Pin key = normalizedKey(action.pin);
    AuditRecord rec =
        auditRecord(wallMs, action.actor, QStringLiteral("pin"), pinTarget(key), action.reason.trimmed());
    rec.untilWallMs = action.durationMs > 0 ? wallMs + action.durationMs : 0;
    rec.forced = action.force;

    const int region = key.region;
    if (region < 0 || region >= m_router.regionCount())
        return refuse(rec, 400, "invalid_request",
                      QStringLiteral("unknown region #") % QString::number(region) % QStringLiteral(" (there are ") %
                          QString::number(m_router.regionCount()) % QStringLiteral(")"));
    if (key.scope == PinScope::Country && countryCodeSlot(key.country) < 0)
        return refuse(rec, 400, "invalid_request", QStringLiteral("a country pin needs a two-letter country code"));
    if (key.scope == PinScope::Model && key.model.trimmed().isEmpty())
        return refuse(rec, 400, "invalid_request", QStringLiteral("a model pin needs a model"));
    if (rec.reason.isEmpty())
        return refuse(rec, 400, "invalid_request", QStringLiteral("a reason is required"));
    if (action.durationMs <= 0 || action.durationMs > m_settings.maxDurationMs)
        return refuse(rec, 400, "invalid_request",
                      QStringLiteral("the expiry must be between 1 ms and ") % durationText(m_settings.maxDurationMs));

    const QString name = m_router.regionName(region);
    const bool euRegion = m_router.isEuRegion(region);
    const bool euTraffic =
        key.scope == PinScope::Eu || (key.scope == PinScope::Country && m_router.isEeaClient(key.country));
    if (euTraffic && !euRegion) {
        QStringList euRegions;
        for (int r = 0; r < m_router.regionCount(); ++r)
            if (m_router.isEuRegion(r))
                euRegions << m_router.regionName(r);
        return refuse(
            rec, 422, "residency",
            QStringLiteral("pinning ") % pinScopeText(key) % QStringLiteral(" to ") % name %
                QStringLiteral(" would send EU-resident traffic out of the EU; pin it to an EU region (") %
                (euRegions.isEmpty() ? QStringLiteral("none configured") : euRegions.join(QStringLiteral(", "))) %
                QStringLiteral("); force cannot override this"));
    }
    if (key.scope == PinScope::Model && !m_router.servesModel(region, key.model))
        return refuse(rec, 422, "no_model", name % QStringLiteral(" does not serve ") % key.model);

    const int existing = findPin(key);
    const bool extension = existing >= 0 && m_active[static_cast<size_t>(existing)].pin.region == region;
    std::erase_if(m_pinChanges, [&](const PinChange &c) { return nowMs - c.atMs >= m_settings.settleMs; });
    auto change =
        std::find_if(m_pinChanges.begin(), m_pinChanges.end(), [&](const PinChange &c) { return sameKey(c.key, key); });
    bool forcedPastSettle = false;
    if (!extension && change != m_pinChanges.end()) {
        const QString why = settleMessage(QStringLiteral("the pin for ") + pinScopeText(key), nowMs - change->atMs,
                                          m_settings.settleMs);
        if (!action.force)
            return refuse(rec, 409, "settling", why);
        forcedPastSettle = true;
    }

    ActiveOverride p;
    p.kind = Override::Kind::Pin;
    p.region = region;
    p.admin = AdminState::Active;
    p.pin = key;
    p.pin.untilMs = nowMs + action.durationMs;
    p.pin.reason = rec.reason;
    p.reason = rec.reason;
    p.actor = action.actor;
    p.sinceMs = nowMs;
    p.untilMs = p.pin.untilMs;
    p.untilWallMs = rec.untilWallMs;
    if (existing >= 0) {
        if (extension)
            p.sinceMs = m_active[static_cast<size_t>(existing)].sinceMs;
        m_active[static_cast<size_t>(existing)] = std::move(p);
    } else {
        m_active.push_back(std::move(p));
    }
    if (!extension) {
        if (change != m_pinChanges.end())
            change->atMs = nowMs;
        else
            m_pinChanges.push_back({key, nowMs});
    }

    ActionResult r;
    r.message = (extension ? QStringLiteral("extended the pin of ") : QStringLiteral("pinned ")) % pinScopeText(key) %
                QStringLiteral(" to ") % name % QStringLiteral(" for ") % durationText(action.durationMs);
    if (!euRegion && (key.scope == PinScope::All || key.scope == PinScope::Model))
        r.message += QStringLiteral("; EU-resident traffic stays in the EU");
    // No rail for a pin to a region that is out: the router lets such a pin yield. Say so.
    const RegionState *st =
        region < static_cast<int>(health.regions.size()) ? &health.regions[static_cast<size_t>(region)] : nullptr;
    if (findDrain(region) >= 0)
        r.message +=
            QStringLiteral("; ") % name % QStringLiteral(" is drained, so the pin yields until it is undrained");
    else if (st && (st->health == Health::Unhealthy || nowMs < st->ejectedUntilMs))
        r.message += QStringLiteral("; ") % name % QStringLiteral(" is unhealthy, so the pin yields until it recovers");
    if (forcedPastSettle)
        r.message += QStringLiteral(" (forced past the settle time)");
    r.audit = rec;
    return finish(std::move(r));
}

ActionResult OverrideBook::unpin(const UnpinAction &action, qint64 nowMs, qint64 wallMs)
{
    expireDue(nowMs, wallMs);
    Pin key = normalizedKey(action.pin);
    const int existing = findPin(key);
    key.region = existing >= 0 ? m_active[static_cast<size_t>(existing)].pin.region : -1;
    AuditRecord rec =
        auditRecord(wallMs, action.actor, QStringLiteral("unpin"), pinTarget(key), action.reason.trimmed());

    if (rec.reason.isEmpty())
        return refuse(rec, 400, "invalid_request", QStringLiteral("a reason is required"));
    if (existing < 0)
        return refuse(rec, 404, "not_found", QStringLiteral("no pin for ") + pinScopeText(key));

    m_active.erase(m_active.begin() + existing);
    std::erase_if(m_pinChanges, [&](const PinChange &c) { return sameKey(c.key, key); });
    m_pinChanges.push_back({key, nowMs});
    ActionResult r;
    r.message = pinScopeText(key) % QStringLiteral(" is no longer pinned to ") % m_router.regionName(key.region);
    r.audit = rec;
    return finish(std::move(r));
}

Override OverrideBook::proposedDrain(const DrainAction &action, qint64 nowMs) const
{
    Override o;
    o.kind = Override::Kind::Drain;
    o.region = action.region;
    o.untilMs = nowMs + action.durationMs;
    o.reason = action.reason.trimmed();
    return o;
}

Override OverrideBook::proposedPin(const PinAction &action, qint64 nowMs) const
{
    Override o;
    o.kind = Override::Kind::Pin;
    o.untilMs = nowMs + action.durationMs;
    o.reason = action.reason.trimmed();
    o.pin = normalizedKey(action.pin);
    o.pin.untilMs = o.untilMs;
    o.pin.reason = o.reason;
    return o;
}

bool OverrideBook::tick(qint64 nowMs, qint64 wallMs, const std::vector<qint64> &inFlight)
{
    bool changed = expireDue(nowMs, wallMs);
    for (ActiveOverride &d : m_active) {
        if (d.kind != Override::Kind::Drain || d.admin != AdminState::Draining)
            continue;
        const qint64 busy = d.region < static_cast<int>(inFlight.size()) ? inFlight[static_cast<size_t>(d.region)] : 0;
        if (busy <= 0 || nowMs >= d.sinceMs + m_settings.drainGraceMs) {
            d.admin = AdminState::Drained;
            changed = true;
        }
    }
    return changed;
}

RegionSnapshot OverrideBook::apply(const RegionSnapshot &health) const
{
    // Expired entries not yet ticked away are laid over as they are: the router ignores an
    // admin state or pin whose untilMs has passed, so the result is right either way.
    RegionSnapshot out = health;
    for (RegionState &st : out.regions) {
        st.admin = AdminState::Active;
        st.adminUntilMs = 0;
        st.adminReason.clear();
    }
    out.pins.clear();
    for (const ActiveOverride &o : m_active) {
        if (o.kind == Override::Kind::Pin) {
            out.pins.push_back(o.pin);
        } else if (o.region >= 0 && o.region < static_cast<int>(out.regions.size())) {
            RegionState &st = out.regions[static_cast<size_t>(o.region)];
            st.admin = o.admin;
            st.adminUntilMs = o.untilMs;
            st.adminReason = o.reason;
        }
    }
    return out;
}

std::vector<ActiveOverride> OverrideBook::active() const
{
    return m_active;
}

std::vector<AuditRecord> OverrideBook::audit(int limit) const
{
    const size_t n = std::min(m_audit.size(), static_cast<size_t>(std::max(0, limit)));
    return std::vector<AuditRecord>(m_audit.end() - static_cast<std::ptrdiff_t>(n), m_audit.end());
}

} // namespace meridian::routing
