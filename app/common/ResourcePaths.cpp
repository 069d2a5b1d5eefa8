#include "app/common/ResourcePaths.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStringList>

namespace meridian::app {

QString findResource(const QString &name)
{
    const QString app = QCoreApplication::applicationDirPath();
    // Installed (<prefix>/bin next to <prefix>/share/meridian), else a build tree's sources.
    // Not /etc/meridian: that is the service's configuration (installer/service), with its
    // paths, not a default for whoever runs the binary.
    for (const QString &candidate : QStringList{app + QStringLiteral("/../share/meridian/") + name,
                                                QStringLiteral(MERIDIAN_SOURCE_DIR "/resources/") + name}) {
        if (QFileInfo::exists(candidate))
            return QFileInfo(candidate).canonicalFilePath();
    }
    return name;
}

} // namespace meridian::app
