#include "ui/history/HistoryCsvExport.h"

#include "core/store/HistoryExport.h"

#include <QCoreApplication>
#include <QSaveFile>

namespace meridian::ui {

HistoryExportOutcome exportRoutingEventsCsv(store::HistoryQueries *queries, const QString &openError,
                                            const store::HistoryFilter &filter, const QString &path)
{
    HistoryExportOutcome outcome;
    if (!queries) {
        outcome.message = QCoreApplication::translate("HistoryPanel", "Export failed: %1").arg(openError);
        return outcome;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        outcome.message =
            QCoreApplication::translate("HistoryPanel", "Export failed: cannot write %1: %2").arg(path, file.errorString());
        return outcome;
    }
    const Result<qint64> written =
        store::exportHistory(*queries, store::HistoryKind::RoutingEvents, store::ExportFormat::Csv, filter, file);
    if (!written) {
        file.cancelWriting();
        outcome.message = QCoreApplication::translate("HistoryPanel", "Export failed: %1").arg(written.error().message);
        return outcome;
    }
    if (!file.commit()) {
        outcome.message =
            QCoreApplication::translate("HistoryPanel", "Export failed: cannot write %1: %2").arg(path, file.errorString());
        return outcome;
    }
    outcome.ok = true;
    outcome.rows = written.value();
    outcome.message = QCoreApplication::translate("HistoryPanel", "Exported %1 %2 to %3")
                          .arg(outcome.rows)
                          .arg(outcome.rows == 1 ? QCoreApplication::translate("HistoryPanel", "event")
                                                 : QCoreApplication::translate("HistoryPanel", "events"),
                               path);
    return outcome;
}

} // namespace meridian::ui
