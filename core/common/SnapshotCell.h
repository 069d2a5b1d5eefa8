#pragma once

#include <memory>
#include <mutex>

namespace meridian {

// An immutable value published by one thread and read by many: readers copy a shared_ptr
// (a mutex held only for the pointer copy), the publisher swaps in a new one. Readers keep
// the value they got alive for as long as they hold it, so nobody waits on a rebuild.
template <typename T>
class SnapshotCell final {
public:
    explicit SnapshotCell(std::shared_ptr<const T> initial = std::make_shared<const T>()) : m_value(std::move(initial)) {}

    std::shared_ptr<const T> load() const
    {
        std::lock_guard lock(m_mutex);
        return m_value;
    }

    void store(std::shared_ptr<const T> value)
    {
        std::lock_guard lock(m_mutex);
        m_value.swap(value);
        // The old value (now in `value`) is released after the lock, outside the critical section.
    }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const T> m_value;
};

} // namespace meridian
