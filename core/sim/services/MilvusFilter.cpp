#include "core/sim/services/MilvusFilter.h"

#include "core/sim/services/JsonInteger.h"

#include <QJsonValue>
#include <QRegularExpression>

#include <vector>

namespace meridian::sim {

struct MilvusFilter::Node final {
    enum class Kind { And, Or, Not, Compare, In, Like };
    enum class Op { Eq, Ne, Gt, Ge, Lt, Le };

    Kind kind = Kind::Compare;
    Op op = Op::Eq;
    bool negated = false; // In: "not in"
    QString field;
    QJsonValue literal;            // Compare
    std::vector<QJsonValue> list;  // In
    QRegularExpression pattern;    // Like
    std::vector<std::shared_ptr<const Node>> children; // And, Or, Not
};

namespace {

using Node = MilvusFilter::Node;
using NodePtr = std::shared_ptr<const Node>;

// Untrusted input: bound the work and the recursion depth of the parser.
constexpr qsizetype kMaxExpressionChars = 64 * 1024;
constexpr int kMaxDepth = 64;
// Also bounds the and/or chains, whose trees are as deep as they are long.
constexpr size_t kMaxTokens = 1024;

enum class TokenKind { End, Identifier, Integer, Float, String, Operator, LParen, RParen, LBracket, RBracket, Comma };

struct Token final {
    TokenKind kind = TokenKind::End;
    QString text; // identifier, operator or decoded string
    qint64 integer = 0;
    double number = 0;
    qsizetype position = 0;
};

bool isIdentStart(QChar c)
{
    return c.isLetter() || c == QLatin1Char('_') || c == QLatin1Char('$');
}

bool isIdentPart(QChar c)
{
    return isIdentStart(c) || c.isDigit();
}

// Splits the expression into tokens; false with a message on a character that starts none.
bool tokenize(const QString &s, std::vector<Token> *out, QString *error)
{
    qsizetype i = 0;
    const qsizetype n = s.size();
    while (i < n) {
        const QChar c = s.at(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        Token t;
        t.position = i;
        if (isIdentStart(c)) {
            qsizetype j = i + 1;
            while (j < n && isIdentPart(s.at(j)))
                ++j;
            t.kind = TokenKind::Identifier;
            t.text = s.mid(i, j - i);
            i = j;
        } else if (c.isDigit() || (c == QLatin1Char('-') && i + 1 < n && (s.at(i + 1).isDigit() || s.at(i + 1) == QLatin1Char('.')))
                   || (c == QLatin1Char('.') && i + 1 < n && s.at(i + 1).isDigit())) {
            qsizetype j = i + 1;
            bool isFloat = c == QLatin1Char('.');
            while (j < n) {
                const QChar d = s.at(j);
                if (d.isDigit()) {
                    ++j;
                } else if (d == QLatin1Char('.') && !isFloat) {
                    isFloat = true;
                    ++j;
                } else if ((d == QLatin1Char('e') || d == QLatin1Char('E')) && j + 1 < n) {
                    isFloat = true;
                    ++j;
                    if (s.at(j) == QLatin1Char('+') || s.at(j) == QLatin1Char('-'))
                        ++j;
                } else {
                    break;
                }
            }
            const QString text = s.mid(i, j - i);
            bool ok = false;
            if (!isFloat) {
                t.kind = TokenKind::Integer;
                t.integer = text.toLongLong(&ok);
            }
            if (isFloat || !ok) { // an integer beyond int64 compares as a double
                t.kind = TokenKind::Float;
                t.number = text.toDouble(&ok);
            }
            if (!ok) {
                *error = QStringLiteral("invalid number \"%1\" at position %2").arg(text).arg(i);
                return false;
            }
            i = j;
        } else if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            qsizetype j = i + 1;
            QString text;
            bool closed = false;
            while (j < n) {
                const QChar d = s.at(j);
                if (d == QLatin1Char('\\') && j + 1 < n) {
                    text.append(s.at(j + 1));
                    j += 2;
                    continue;
                }
                if (d == c) {
                    closed = true;
                    ++j;
                    break;
                }
                text.append(d);
                ++j;
            }
            if (!closed) {
                *error = QStringLiteral("unterminated string starting at position %1").arg(i);
                return false;
            }
            t.kind = TokenKind::String;
            t.text = text;
            i = j;
        } else {
            static const QLatin1String twoChar[] = {QLatin1String("=="), QLatin1String("!="), QLatin1String(">="),
                                                    QLatin1String("<="), QLatin1String("&&"), QLatin1String("||")};
            bool matched = false;
            for (const QLatin1String op : twoChar) {
                if (QStringView(s).mid(i, 2) == op) {
                    t.kind = TokenKind::Operator;
                    t.text = QString(op);
                    i += 2;
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                switch (c.unicode()) {
                case '>':
                case '<':
                case '!':
                    t.kind = TokenKind::Operator;
                    t.text = QString(c);
                    break;
                case '(':
                    t.kind = TokenKind::LParen;
                    break;
                case ')':
                    t.kind = TokenKind::RParen;
                    break;
                case '[':
                    t.kind = TokenKind::LBracket;
                    break;
                case ']':
                    t.kind = TokenKind::RBracket;
                    break;
                case ',':
                    t.kind = TokenKind::Comma;
                    break;
                default:
                    *error = QStringLiteral("unexpected character '%1' at position %2").arg(c).arg(i);
                    return false;
                }
                ++i;
            }
        }
        out->push_back(std::move(t));
        if (out->size() > kMaxTokens) {
            *error = QStringLiteral("expression has more than %1 tokens").arg(kMaxTokens);
            return false;
        }
    }
    Token end;
    end.position = n;
    out->push_back(end);
    return true;
}

// Recursive descent over the tokens:
//   or      := and (("or" | "||") and)*
//   and     := unary (("and" | "&&") unary)*
//   unary   := ("not" | "!") unary | primary
//   primary := "(" or ")" | IDENT cmp literal | IDENT ["not"] "in" "[" literal ("," literal)* "]"
//            | IDENT "like" STRING
class Parser final {
public:
    explicit Parser(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}

    NodePtr parseAll(QString *error)
    {
        NodePtr root = parseOr(0);
        if (root && peek().kind != TokenKind::End)
            fail(QStringLiteral("unexpected %1").arg(describe(peek())));
        if (!m_error.isEmpty()) {
            *error = m_error;
            return nullptr;
        }
        return root;
    }

private:
    const Token &peek() const { return m_tokens[m_pos]; }
    const Token &take() { return m_tokens[m_pos < m_tokens.size() - 1 ? m_pos++ : m_pos]; }

    bool isKeyword(const Token &t, QLatin1String word) const
    {
        return t.kind == TokenKind::Identifier && t.text.compare(word, Qt::CaseInsensitive) == 0;
    }
    bool isOperator(const Token &t, QLatin1String op) const { return t.kind == TokenKind::Operator && t.text == op; }

    static QString describe(const Token &t)
    {
        switch (t.kind) {
        case TokenKind::End:
            return QStringLiteral("end of expression");
        case TokenKind::Identifier:
        case TokenKind::Operator:
            return QStringLiteral("'%1' at position %2").arg(t.text).arg(t.position);
        case TokenKind::String:
            return QStringLiteral("string at position %1").arg(t.position);
        case TokenKind::Integer:
        case TokenKind::Float:
            return QStringLiteral("number at position %1").arg(t.position);
        default:
            return QStringLiteral("punctuation at position %1").arg(t.position);
        }
    }

    NodePtr fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
        return nullptr;
    }

    NodePtr parseOr(int depth)
    {
        if (depth > kMaxDepth)
            return fail(QStringLiteral("expression nested too deeply"));
        NodePtr left = parseAnd(depth);
        if (!left)
            return nullptr;
        while (isKeyword(peek(), QLatin1String("or")) || isOperator(peek(), QLatin1String("||"))) {
            take();
            NodePtr right = parseAnd(depth);
            if (!right)
                return nullptr;
            left = combine(Node::Kind::Or, std::move(left), std::move(right));
        }
        return left;
    }

    NodePtr parseAnd(int depth)
    {
        NodePtr left = parseUnary(depth);
        if (!left)
            return nullptr;
        while (isKeyword(peek(), QLatin1String("and")) || isOperator(peek(), QLatin1String("&&"))) {
            take();
            NodePtr right = parseUnary(depth);
            if (!right)
                return nullptr;
            left = combine(Node::Kind::And, std::move(left), std::move(right));
        }
        return left;
    }

    static NodePtr combine(Node::Kind kind, NodePtr left, NodePtr right)
    {
        auto node = std::make_shared<Node>();
        node->kind = kind;
        node->children = {std::move(left), std::move(right)};
        return node;
    }

    NodePtr parseUnary(int depth)
    {
        if (depth > kMaxDepth)
            return fail(QStringLiteral("expression nested too deeply"));
        if (isKeyword(peek(), QLatin1String("not")) || isOperator(peek(), QLatin1String("!"))) {
            take();
            NodePtr inner = parseUnary(depth + 1);
            if (!inner)
                return nullptr;
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::Not;
            node->children = {std::move(inner)};
            return node;
        }
        return parsePrimary(depth);
    }

    NodePtr parsePrimary(int depth)
    {
        const Token &t = peek();
        if (t.kind == TokenKind::LParen) {
            take();
            NodePtr inner = parseOr(depth + 1);
            if (!inner)
                return nullptr;
            if (peek().kind != TokenKind::RParen)
                return fail(QStringLiteral("expected ')' but found %1").arg(describe(peek())));
            take();
            return inner;
        }
        if (t.kind != TokenKind::Identifier || isReserved(t))
            return fail(QStringLiteral("expected a field name but found %1").arg(describe(t)));
        const QString field = take().text;

        auto node = std::make_shared<Node>();
        node->field = field;
        const Token &op = peek();
        if (isKeyword(op, QLatin1String("not")) || isKeyword(op, QLatin1String("in"))) {
            if (isKeyword(op, QLatin1String("not"))) {
                take();
                if (!isKeyword(peek(), QLatin1String("in")))
                    return fail(QStringLiteral("expected 'in' after 'not' but found %1").arg(describe(peek())));
                node->negated = true;
            }
            take(); // in
            node->kind = Node::Kind::In;
            if (peek().kind != TokenKind::LBracket)
                return fail(QStringLiteral("expected '[' after 'in' but found %1").arg(describe(peek())));
            take();
            if (peek().kind == TokenKind::RBracket) {
                take();
                return node; // "in []" matches nothing, as in Milvus
            }
            for (;;) {
                QJsonValue value;
                if (!parseLiteral(&value))
                    return nullptr;
                node->list.push_back(value);
                if (peek().kind == TokenKind::Comma) {
                    take();
                    continue;
                }
                if (peek().kind == TokenKind::RBracket) {
                    take();
                    return node;
                }
                return fail(QStringLiteral("expected ',' or ']' but found %1").arg(describe(peek())));
            }
        }
        if (isKeyword(op, QLatin1String("like"))) {
            take();
            if (peek().kind != TokenKind::String)
                return fail(QStringLiteral("expected a string pattern after 'like' but found %1").arg(describe(peek())));
            const QString pattern = take().text;
            node->kind = Node::Kind::Like;
            // Milvus's % matches any run of characters; everything else is literal.
            const QStringList parts = pattern.split(QLatin1Char('%'));
            QString regex;
            for (qsizetype i = 0; i < parts.size(); ++i) {
                if (i > 0)
                    regex += QLatin1String(".*");
                regex += QRegularExpression::escape(parts.at(i));
            }
            node->pattern = QRegularExpression(QRegularExpression::anchoredPattern(regex),
                                               QRegularExpression::DotMatchesEverythingOption);
            return node;
        }
        if (op.kind != TokenKind::Operator || op.text == QLatin1String("!") || op.text == QLatin1String("&&")
            || op.text == QLatin1String("||"))
            return fail(QStringLiteral("expected a comparison after '%1' but found %2").arg(field, describe(op)));
        node->kind = Node::Kind::Compare;
        node->op = opFromText(take().text);
        if (!parseLiteral(&node->literal))
            return nullptr;
        return node;
    }

    static Node::Op opFromText(const QString &text)
    {
        if (text == QLatin1String("=="))
            return Node::Op::Eq;
        if (text == QLatin1String("!="))
            return Node::Op::Ne;
        if (text == QLatin1String(">"))
            return Node::Op::Gt;
        if (text == QLatin1String(">="))
            return Node::Op::Ge;
        if (text == QLatin1String("<"))
            return Node::Op::Lt;
        return Node::Op::Le;
    }

    bool isReserved(const Token &t) const
    {
        for (const QLatin1String word : {QLatin1String("and"), QLatin1String("or"), QLatin1String("not"),
                                         QLatin1String("in"), QLatin1String("like"), QLatin1String("true"),
                                         QLatin1String("false")}) {
            if (isKeyword(t, word))
                return true;
        }
        return false;
    }

    bool parseLiteral(QJsonValue *out)
    {
        const Token &t = peek();
        switch (t.kind) {
        case TokenKind::Integer:
            *out = QJsonValue(t.integer);
            break;
        case TokenKind::Float:
            *out = QJsonValue(t.number);
            break;
        case TokenKind::String:
            *out = QJsonValue(t.text);
            break;
        case TokenKind::Identifier:
            if (isKeyword(t, QLatin1String("true"))) {
                *out = QJsonValue(true);
                break;
            }
            if (isKeyword(t, QLatin1String("false"))) {
                *out = QJsonValue(false);
                break;
            }
            fail(QStringLiteral("expected a literal value but found %1").arg(describe(t)));
            return false;
        default:
            fail(QStringLiteral("expected a literal value but found %1").arg(describe(t)));
            return false;
        }
        take();
        return true;
    }

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    QString m_error;
};

// <0, 0, >0, or nullopt when the two values cannot be ordered (different types).
std::optional<int> compareValues(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble()) {
        const std::optional<qint64> ia = exactJsonInteger(a);
        const std::optional<qint64> ib = exactJsonInteger(b);
        if (ia && ib)
            return *ia < *ib ? -1 : (*ia > *ib ? 1 : 0);
        const double da = a.toDouble();
        const double db = b.toDouble();
        return da < db ? -1 : (da > db ? 1 : 0);
    }
    if (a.isString() && b.isString())
        return a.toString().compare(b.toString());
    if (a.isBool() && b.isBool())
        return static_cast<int>(a.toBool()) - static_cast<int>(b.toBool());
    return std::nullopt;
}

bool evaluate(const Node &node, const QJsonObject &row)
{
    switch (node.kind) {
    case Node::Kind::And:
        return evaluate(*node.children[0], row) && evaluate(*node.children[1], row);
    case Node::Kind::Or:
        return evaluate(*node.children[0], row) || evaluate(*node.children[1], row);
    case Node::Kind::Not:
        return !evaluate(*node.children[0], row);
    case Node::Kind::Compare: {
        const std::optional<int> c = compareValues(row.value(node.field), node.literal);
        if (!c)
            return false;
        switch (node.op) {
        case Node::Op::Eq:
            return *c == 0;
        case Node::Op::Ne:
            return *c != 0;
        case Node::Op::Gt:
            return *c > 0;
        case Node::Op::Ge:
            return *c >= 0;
        case Node::Op::Lt:
            return *c < 0;
        case Node::Op::Le:
            return *c <= 0;
        }
        return false;
    }
    case Node::Kind::In: {
        const QJsonValue value = row.value(node.field);
        if (value.isUndefined() || value.isNull())
            return false;
        bool found = false;
        for (const QJsonValue &candidate : node.list) {
            const std::optional<int> c = compareValues(value, candidate);
            if (c && *c == 0) {
                found = true;
                break;
            }
        }
        return found != node.negated;
    }
    case Node::Kind::Like: {
        const QJsonValue value = row.value(node.field);
        return value.isString() && node.pattern.match(value.toString()).hasMatch();
    }
    }
    return false;
}

} // namespace

MilvusFilter::MilvusFilter() = default;

MilvusFilter::MilvusFilter(std::shared_ptr<const Node> root) : m_root(std::move(root)) {}

Result<MilvusFilter> MilvusFilter::parse(const QString &expression)
{
    if (expression.size() > kMaxExpressionChars)
        return Error{QStringLiteral("invalid_filter"), QStringLiteral("expression longer than %1 characters").arg(kMaxExpressionChars)};
    if (expression.trimmed().isEmpty())
        return MilvusFilter();
    std::vector<Token> tokens;
    QString error;
    if (!tokenize(expression, &tokens, &error))
        return Error{QStringLiteral("invalid_filter"), error};
    Parser parser(std::move(tokens));
    NodePtr root = parser.parseAll(&error);
    if (!root)
        return Error{QStringLiteral("invalid_filter"), error};
    return MilvusFilter(std::move(root));
}

bool MilvusFilter::matches(const QJsonObject &row) const
{
    return !m_root || evaluate(*m_root, row);
}

} // namespace meridian::sim
