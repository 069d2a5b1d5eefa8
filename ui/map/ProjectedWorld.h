#pragma once

#include "core/common/Result.h"
#include "ui/map/WorldMapData.h"

#include <QPainterPath>
#include <QString>

#include <memory>

namespace meridian::ui {

// The world's outlines projected once (Equal Earth, sphere radii, y north) into painter paths.
// A map only maps these through its view transform when the view changes, so no frame ever
// re-projects a coordinate. Immutable once built; shared by every map in the process.
class ProjectedWorld final {
public:
    // The built-in Natural Earth outlines, loaded and projected on first use (UI thread).
    static std::shared_ptr<const ProjectedWorld> builtIn();
    // From loaded (or failed) data: on failure the world has only its outline and error().
    static std::shared_ptr<const ProjectedWorld> fromData(const Result<WorldMapData> &data);

    const QPainterPath &land() const { return m_land; }
    const QPainterPath &eu() const { return m_eu; }
    const QPainterPath &outline() const { return m_outline; } // the globe's edge
    QString error() const { return m_error; }                 // empty when the data loaded

private:
    QPainterPath m_land;
    QPainterPath m_eu;
    QPainterPath m_outline;
    QString m_error;
};

} // namespace meridian::ui
