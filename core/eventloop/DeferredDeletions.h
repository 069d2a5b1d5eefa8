#pragma once

#include <QObject>
#include <QPointer>

#include <algorithm>
#include <vector>

namespace meridian::eventloop {

// Objects their owner has handed to deleteLater() and deletes itself if they are still there
// when it goes, as it would QObject children. A per-request object made a child costs two
// child events and a list update in each direction; this costs a QPointer.
template <class T>
class DeferredDeletions final {
public:
    DeferredDeletions() = default;
    DeferredDeletions(const DeferredDeletions &) = delete;
    DeferredDeletions &operator=(const DeferredDeletions &) = delete;
    ~DeferredDeletions()
    {
        // Taken out first: a destructor that hands its owner another object cannot upset the loop.
        const std::vector<QPointer<T>> objects = std::move(m_objects);
        for (const QPointer<T> &object : objects)
            delete object.data();
    }

    void deleteLater(T *object)
    {
        std::erase_if(m_objects, [](const QPointer<T> &o) { return o.isNull(); });
        m_objects.emplace_back(object);
        object->deleteLater();
    }

private:
    std::vector<QPointer<T>> m_objects; // usually one, gone by the next request
};

} // namespace meridian::eventloop
