package dev.lmlab.interp.vectors;

import dev.lmlab.interp.vectors.ExpressionLexer.Kind;
import dev.lmlab.interp.vectors.ExpressionLexer.Token;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recursive-descent parser for steering-vector expressions. Each rule returns the {@link LinearForm} of what it
 * read, so types are checked, and errors reported at the operator, while parsing.
 *
 * <pre>
 * expr    := term (('+' | '-') term)*
 * term    := unary (('*' | '/') unary)*
 * unary   := ('-' | '+')* primary
 * primary := number | name | '(' expr ')'
 * </pre>
 *
 * Only parentheses recurse; a run of signs is read in a loop, so the depth limit on parentheses alone keeps the
 * stack bounded.
 */
final class ExpressionParser {

    static final int MAX_LENGTH = 2000;
    static final int MAX_NAMES = 64;
    static final int MAX_DEPTH = 64;

    private final String text;
    private final ExpressionLexer lexer;
    private final Map<String, Integer> firstUse = new LinkedHashMap<>();
    private int depth;

    private ExpressionParser(String text) {
        this.text = text;
        this.lexer = new ExpressionLexer(text);
    }

    static VectorExpression parse(String text) {
        if (text == null) {
            throw new ExpressionException("empty expression", "", 0);
        }
        if (text.length() > MAX_LENGTH) {
            throw new ExpressionException(
                    "expression has " + text.length() + " characters; the limit is " + MAX_LENGTH, text, MAX_LENGTH);
        }
        if (text.isBlank()) {
            throw new ExpressionException("empty expression", text, 0);
        }
        return new ExpressionParser(text).whole();
    }

    private VectorExpression whole() {
        LinearForm form = expression();

        Token trailing = lexer.next();
        if (trailing.kind() != Kind.END) {
            throw unexpected(trailing);
        }
        if (!form.isVector()) {
            throw lexer.error("the expression is a scalar; it must contain at least one vector name", 0);
        }
        return new VectorExpression(text, form.weights(), firstUse);
    }

    private LinearForm expression() {
        LinearForm left = term();
        while (lexer.peek().kind() == Kind.PLUS || lexer.peek().kind() == Kind.MINUS) {
            Token operator = lexer.next();
            LinearForm right = term();
            if (left.isVector() != right.isVector()) {
                String problem = operator.kind() == Kind.PLUS
                        ? "cannot add a " + type(left) + " and a " + type(right)
                        : "cannot subtract a " + type(right) + " from a " + type(left);
                throw lexer.error(problem, operator.position());
            }
            left = checked(left.plus(right, operator.kind() == Kind.PLUS ? 1 : -1), operator);
        }
        return left;
    }

    private LinearForm term() {
        LinearForm left = unary();
        while (lexer.peek().kind() == Kind.STAR || lexer.peek().kind() == Kind.SLASH) {
            Token operator = lexer.next();
            LinearForm right = unary();
            left = checked(
                    operator.kind() == Kind.STAR ? multiply(left, right, operator) : divide(left, right, operator),
                    operator);
        }
        return left;
    }

    private LinearForm multiply(LinearForm left, LinearForm right, Token operator) {
        if (left.isVector() && right.isVector()) {
            throw lexer.error("cannot multiply two vectors; one side of '*' must be a number", operator.position());
        }
        return left.isVector() ? left.times(right.scalar()) : right.times(left.scalar());
    }

    private LinearForm divide(LinearForm left, LinearForm right, Token operator) {
        if (right.isVector()) {
            throw lexer.error("cannot divide by a vector", operator.position());
        }
        if (right.scalar() == 0) {
            throw lexer.error("division by zero", operator.position());
        }
        return left.dividedBy(right.scalar());
    }

    private LinearForm unary() {
        boolean negative = false;
        while (lexer.peek().kind() == Kind.PLUS || lexer.peek().kind() == Kind.MINUS) {
            negative ^= lexer.next().kind() == Kind.MINUS;
        }
        LinearForm operand = primary();
        return negative ? operand.times(-1) : operand;
    }

    private LinearForm primary() {
        Token token = lexer.next();
        return switch (token.kind()) {
            case NUMBER -> LinearForm.scalar(token.number());
            case NAME -> {
                use(token);
                yield LinearForm.vector(token.text());
            }
            case LEFT_PAREN -> parenthesised(token);
            default -> throw unexpected(token);
        };
    }

    private LinearForm parenthesised(Token open) {
        if (++depth > MAX_DEPTH) {
            throw lexer.error("parentheses nest deeper than " + MAX_DEPTH, open.position());
        }
        LinearForm inner = expression();
        Token close = lexer.next();
        if (close.kind() == Kind.END) {
            throw lexer.error("'(' is never closed", open.position());
        }
        if (close.kind() != Kind.RIGHT_PAREN) {
            throw unexpected(close);
        }
        depth--;
        return inner;
    }

    private void use(Token name) {
        if (!firstUse.containsKey(name.text()) && firstUse.size() == MAX_NAMES) {
            throw lexer.error("more than " + MAX_NAMES + " distinct vector names", name.position());
        }
        firstUse.putIfAbsent(name.text(), name.position());
    }

    /** Large but finite numbers can still overflow when combined, e.g. {@code 1e300 * 1e300 * a}. */
    private LinearForm checked(LinearForm result, Token operator) {
        if (!result.isFinite()) {
            throw lexer.error("the result of '" + operator.text() + "' is not a finite number", operator.position());
        }
        return result;
    }

    private static String type(LinearForm form) {
        return form.isVector() ? "vector" : "scalar";
    }

    private ExpressionException unexpected(Token token) {
        return lexer.error("unexpected " + token.describe(), token.position());
    }
}
