#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace meridian {

// An error that crosses a module boundary: a stable machine code and a message for people.
struct Error final {
    QString code;
    QString message;
};

// Value or Error. Functions that can fail return this instead of throwing (house rule 3).
template <typename T>
class Result final {
public:
    Result(T value) : m_v(std::move(value)) {}              // NOLINT(google-explicit-constructor)
    Result(Error error) : m_v(std::move(error)) {}          // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(m_v); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<T>(m_v); }
    T &value() & { return std::get<T>(m_v); }
    T &&value() && { return std::get<T>(std::move(m_v)); }
    const Error &error() const { return std::get<Error>(m_v); }

private:
    std::variant<T, Error> m_v;
};

} // namespace meridian
