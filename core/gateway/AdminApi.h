#pragma once

#include "core/gateway/ControlPlane.h"

namespace meridian::gateway {

// The /admin/ API's semantics (docs/admin-api.md), run on the control thread after the worker
// checked the bearer token: state, explain, events, audit, drain, undrain, pin, unpin,
// preview, alerts and alerts/ack. Stateless itself; it reads and changes the ControlPlane it is given.
class AdminApi final {
public:
    explicit AdminApi(ControlPlane &control) : m_control(control) {}

    AdminReply handle(const AdminCommand &command);

private:
    AdminReply state() const;
    AdminReply explain(const QByteArray &query) const;
    AdminReply events(const QByteArray &query) const;
    AdminReply audit(const QByteArray &query) const;
    AdminReply change(const QByteArray &path, const QJsonObject &body, const QString &actor);
    AdminReply preview(const QJsonObject &body, const QString &actor);
    AdminReply alerts() const;
    AdminReply acknowledge(const QJsonObject &body, const QString &actor);

    ControlPlane &m_control;
};

} // namespace meridian::gateway
