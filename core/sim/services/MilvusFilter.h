#pragma once

#include "core/common/Result.h"

#include <QJsonObject>
#include <QString>

#include <memory>

namespace meridian::sim {

// A parsed Milvus boolean filter expression: the part of Milvus's filter language a
// replication heartbeat uses.
//
//   field OP literal          OP: == != > >= < <=   literal: integer, float, "string", 'string', true, false
//   field [not] in [lit, ...]
//   field like "prefix%"      % matches any run of characters
//   a and b, a && b, a or b, a || b, not a, !a, ( ... )    (and binds tighter than or)
//   ""                        matches every row
//
// Integers compare exactly as int64 (heartbeat ids and millisecond timestamps). A row without
// the field, or with a value of another type, does not match. Immutable once parsed; cheap to
// copy; safe to share between threads.
class MilvusFilter final {
public:
    MilvusFilter(); // the empty filter

    // Error::code is "invalid_filter"; the message says what was expected where, the way
    // Milvus reports "cannot parse expression".
    static Result<MilvusFilter> parse(const QString &expression);

    bool matches(const QJsonObject &row) const;
    bool isEmpty() const { return !m_root; }

    struct Node; // defined in the .cpp

private:
    explicit MilvusFilter(std::shared_ptr<const Node> root);

    std::shared_ptr<const Node> m_root;
};

} // namespace meridian::sim
