#include "app/common/ResourcePaths.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStringList>

namespace meridian::app {

QString findResource(const QString &name)
{
    const QString app = QCoreApplication::applicationDirPath();
    for (const QString &candidate : QStringList{app + QStringLiteral("/../share/meridian/") + name,
                                                QStringLiteral("/etc/meridian/") + name,
                                                QStringLiteral(MERIDIAN_SOURCE_DIR "/resources/") + name}) {
        if (QFileInfo::exists(candidate))
            return QFileInfo(candidate).canonicalFilePath();
    }
    return name;
}

} // namespace meridian::app
