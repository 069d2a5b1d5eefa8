#pragma once

#include "ui/facade/AdminResult.h"
#include "ui/facade/ConsoleSnapshot.h"

#include <QByteArray>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace meridian::ui {

class ConsoleBackend;

// "Where would a request from DE for model M go, and why?": asks the gateway
// (GET /admin/explain) and shows its ranked candidates and notes. The gateway's answer is the
// truth; the console does not rank regions itself.
//
// Threads: the UI thread. The backend (may be null in tests) must outlive the widget.
class RouteExplainer final : public QWidget {
    Q_OBJECT
public:
    enum Column { Position, Target, Kind, Standing, Reason, DistanceKm, Utilisation, ColumnCount };

    explicit RouteExplainer(ConsoleBackend *backend, QWidget *parent = nullptr);

    // "de" → "DE", "us-ca" → "US-CA", "eu" → "EU"; empty for anything that is not a two-letter
    // code or an ISO 3166-2 subdivision (the gateway checks that the country exists).
    static std::optional<QString> normalizedGeo(const QString &text);
    // The percent-encoded query of /admin/explain.
    static QByteArray explainQuery(const QString &geo, const QString &model, bool euResidency);

    QComboBox *geoCombo() const { return m_geo; }
    QComboBox *modelCombo() const { return m_model; }
    QCheckBox *residencyCheck() const { return m_residency; }
    QTableWidget *candidatesTable() const { return m_candidates; }
    QString messageText() const;
    QString notesText() const;

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    void explain();

Q_SIGNALS:
    // An answer (or an error) is on screen.
    void explained();

private:
    void showAnswer(const AdminResult &result);

    ConsoleBackend *m_backend;
    QComboBox *m_geo = nullptr;
    QComboBox *m_model = nullptr;
    QCheckBox *m_residency = nullptr;
    QPushButton *m_explain = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_notes = nullptr;
    QTableWidget *m_candidates = nullptr;
    quint64 m_seq = 0; // answers to an older question are dropped
};

} // namespace meridian::ui
