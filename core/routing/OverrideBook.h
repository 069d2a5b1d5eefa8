#pragma once

#include "core/routing/GeoRouter.h"
#include "core/routing/RegionState.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <deque>
#include <optional>
#include <vector>

namespace meridian::routing {

// Operator overrides — drain and pin — kept apart from health (HAProxy keeps admin and health
// state apart), with the safety rails of issue 4: every action needs a reason and an expiry;
// a drain that would leave a zone (everyone, or the EU) without a healthy self-hosted region
// for some model is refused unless forced with a reason; a pin that breaks residency is
// refused outright; a region's admin state changes at most once per settle time unless forced.
//
// Pure: no I/O, time passed in (monotonic ms for expiry, wall ms for the audit trail).
// Not thread-safe; the gateway's control thread owns it.

struct OverrideSettings final {
    qint64 drainGraceMs = 30'000;
    qint64 settleMs = 10'000;
    qint64 maxDurationMs = 7LL * 24 * 3600 * 1000;
};

// One entry of the audit trail: who did what, why, until when, and how it ended.
struct AuditRecord final {
    qint64 atWallMs = 0;
    QString actor;
    QString action;      // "drain", "undrain", "pin", "unpin", "expire"
    QString target;      // "eu-west-1", or a pin: "eu-west-1 for country DE (tenant acme)"
    QString reason;
    qint64 untilWallMs = 0; // 0: none (undrain, unpin)
    bool forced = false;
    QString result;      // "ok", or "refused: <why>"
};

struct DrainAction final {
    int region = -1;
    QString reason;
    qint64 durationMs = 0; // expiry from now; required, 1 ms .. maxDurationMs
    bool force = false;    // overrides the zone and settle rails (a reason is still required)
    QString actor;
};

struct UndrainAction final {
    int region = -1;
    QString reason;
    QString actor;
};

struct PinAction final {
    Pin pin;               // scope, country/model/tenant, region; untilMs and reason are set by the book
    QString reason;
    qint64 durationMs = 0;
    bool force = false;    // overrides the settle rail only; residency is never forceable
    QString actor;
};

struct UnpinAction final {
    Pin pin;               // matched on scope, country, model, tenant (region ignored)
    QString reason;
    QString actor;
};

// The answer to an action. `status` follows HTTP: 200 done, 400 malformed (no reason, bad
// duration, unknown region), 409 refused by a rail that `force` can override, 422 refused for
// good (residency, a region that does not serve the pinned model), 404 nothing to undo.
struct ActionResult final {
    int status = 200;
    QByteArray code;     // "ok", "invalid_request", "safety_rail", "settling", "residency", "no_model", "not_found"
    QString message;     // a sentence for the operator
    AuditRecord audit;   // also appended to the book's trail (refusals included)
    bool ok() const { return status == 200; }
};

// An active drain or pin, for status views (with the countdown).
struct ActiveOverride final {
    Override::Kind kind = Override::Kind::Drain; // Drain or Pin
    int region = -1;
    AdminState admin = AdminState::Draining;      // drains: Draining until in-flight is 0 or the grace ends
    Pin pin;                                       // pins
    QString reason;
    QString actor;
    qint64 sinceMs = 0;    // monotonic
    qint64 untilMs = 0;    // monotonic
    qint64 untilWallMs = 0;
};

class OverrideBook final {
public:
    // `router` must outlive the book (it names regions and knows EU and models).
    OverrideBook(const GeoRouter &router, OverrideSettings settings);

    // `health` is the health monitor's latest snapshot (admin fields ignored): the rails judge
    // what is healthy from it.
    ActionResult drain(const DrainAction &action, const RegionSnapshot &health, qint64 nowMs, qint64 wallMs);
    ActionResult undrain(const UndrainAction &action, qint64 nowMs, qint64 wallMs);
    ActionResult pin(const PinAction &action, const RegionSnapshot &health, qint64 nowMs, qint64 wallMs);
    ActionResult unpin(const UnpinAction &action, qint64 nowMs, qint64 wallMs);

    // The Override previewImpact() needs for a proposed drain or pin (no rails applied).
    Override proposedDrain(const DrainAction &action, qint64 nowMs) const;
    Override proposedPin(const PinAction &action, qint64 nowMs) const;

    // Ends expired drains and pins (each with an "expire" audit record, actor "meridian") and
    // moves a draining region to Drained once `inFlight[region]` is 0 or its grace time is
    // over. `inFlight` has one entry per region (missing entries count as 0). True when
    // anything changed.
    bool tick(qint64 nowMs, qint64 wallMs, const std::vector<qint64> &inFlight);

    // `health` with the operator state laid over it: admin, adminUntilMs, adminReason and pins.
    RegionSnapshot apply(const RegionSnapshot &health) const;

    std::vector<ActiveOverride> active() const;
    // The newest `limit` records, oldest first. The trail keeps the last 1,000.
    std::vector<AuditRecord> audit(int limit = 1000) const;
    // Records appended since the book was made (the trail keeps only the last 1,000): a
    // reader that remembers it knows how many are new.
    quint64 auditTotal() const { return m_auditTotal; }

private:
    // When a pin key (scope, country, model, tenant) last changed, for the settle rail. It
    // outlives the pin itself (an unpin is a change too); entries older than settleMs are pruned.
    struct PinChange final {
        Pin key;
        qint64 atMs = 0;
    };

    ActionResult finish(ActionResult result); // sets code and audit result, appends the record
    ActionResult refuse(AuditRecord audit, int status, const char *code, const QString &message);
    // Empty when the region exists and the reason is given; else the 400's message.
    QString regionAndReasonProblem(int region, const QString &reason) const;
    void append(AuditRecord record);
    bool expireDue(qint64 nowMs, qint64 wallMs);
    int findDrain(int region) const;   // index into m_active, -1 when the region is not drained
    int findPin(const Pin &key) const; // index into m_active, -1 when no pin has this key
    // Empty when draining `region` keeps every zone's models; else why not (without the hint).
    QString zoneRailViolation(int region, const RegionSnapshot &health, qint64 nowMs) const;
    QString regionText(int region) const;
    QString pinTarget(const Pin &pin) const;
    static QString pinScopeText(const Pin &pin);

    const GeoRouter &m_router;
    OverrideSettings m_settings;
    std::vector<ActiveOverride> m_active; // drains and pins; expired ones stay until the next tick or action
    std::vector<std::optional<qint64>> m_lastChangeMs; // per region: last drain start or undrain
    std::vector<PinChange> m_pinChanges;
    std::deque<AuditRecord> m_audit;
    quint64 m_auditTotal = 0;
};

} // namespace meridian::routing
