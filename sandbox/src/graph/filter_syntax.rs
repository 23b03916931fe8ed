//! The `$filter` syntax every list shares: tokens, literals quoted OData's way, and `or` /
//! `and` / `not` / parentheses by precedence climbing. What a clause between them may be is
//! each grammar's own ([`Grammar::leaf`]): `graph::odata` reads comparisons and `contains`,
//! `graph::audit` lambdas, function calls and bare literals too.

/// A token of a `$filter`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Token {
    Open,
    Close,
    Word(String),
    Str(String),
}

fn tokenize(s: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            ',' => {
                chars.next();
                out.push(Token::Word(",".into()));
            }
            '\'' => {
                chars.next();
                let mut lit = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            lit.push('\'');
                        }
                        Some('\'') => break,
                        Some(ch) => lit.push(ch),
                    }
                }
                out.push(Token::Str(lit));
            }
            _ => {
                let mut w = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_whitespace() || matches!(ch, '(' | ')' | '\'' | ',') {
                        break;
                    }
                    w.push(ch);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
        }
    }
    Ok(out)
}

/// An expression tree: the boolean nodes the shared syntax builds, and the clauses between
/// them, which the tree's grammar reads itself.
pub(crate) trait Grammar: Sized {
    fn and(a: Self, b: Self) -> Self;
    fn or(a: Self, b: Self) -> Self;
    fn not(a: Self) -> Self;
    /// A clause at `p.pos` (not `not`, not parenthesised). A clause that nests an
    /// expression reads it with [`Parser::expr`].
    fn leaf(p: &mut Parser) -> Result<Self, String>;
}

pub(crate) struct Parser {
    pub tokens: Vec<Token>,
    pub pos: usize,
}

impl Parser {
    pub fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    /// The token after the next one.
    pub fn peek2(&self) -> Option<&Token> {
        self.tokens.get(self.pos + 1)
    }

    pub fn peek_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    /// Steps over `t`, or fails with `err`.
    pub fn expect(&mut self, t: &Token, err: &str) -> Result<(), String> {
        if self.peek() == Some(t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(err.into())
        }
    }

    /// An `or` of `and`s of unary clauses.
    pub fn expr<G: Grammar>(&mut self) -> Result<G, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = G::or(left, self.and()?);
        }
        Ok(left)
    }

    fn and<G: Grammar>(&mut self) -> Result<G, String> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = G::and(left, self.unary()?);
        }
        Ok(left)
    }

    fn unary<G: Grammar>(&mut self) -> Result<G, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(G::not(self.unary()?));
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.expr()?;
            self.expect(&Token::Close, "')' expected")?;
            return Ok(inner);
        }
        G::leaf(self)
    }

    /// The word a clause starts with, not stepped over.
    pub fn word(&self) -> Result<String, String> {
        match self.peek() {
            Some(Token::Word(w)) => Ok(w.clone()),
            Some(other) => Err(format!("a property name expected, found {other:?}")),
            None => Err("unexpected end of the expression".into()),
        }
    }

    /// The start of `path op value`: the path and the operator as written, stepped over.
    pub fn path_and_operator(&mut self) -> Result<(String, String), String> {
        let path = self.word()?;
        if !is_path(&path) {
            return Err(format!("'{path}' is not a property path"));
        }
        self.pos += 1;
        let Some(Token::Word(op)) = self.peek().cloned() else {
            return Err(format!("an operator expected after '{path}'"));
        };
        self.pos += 1;
        Ok((path, op))
    }

    /// The property a function call `func(…)` names first, stepped over.
    pub fn argument_path(&mut self, func: &str) -> Result<String, String> {
        match self.peek() {
            Some(Token::Word(w)) if is_path(w) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(format!("a property name expected in {func}(…)")),
        }
    }
}

fn is_path(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '_')
}

/// Parses a `$filter` value into `G`'s tree.
pub(crate) fn parse<G: Grammar>(s: &str) -> Result<G, String> {
    let tokens = tokenize(s)?;
    if tokens.is_empty() {
        return Err("the filter is empty".into());
    }
    let mut p = Parser { tokens, pos: 0 };
    let tree = p.expr()?;
    if p.pos != p.tokens.len() {
        return Err(format!("unexpected {:?}", p.tokens[p.pos]));
    }
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grammar whose clauses are single words, its tree the bracketed text.
    impl Grammar for String {
        fn and(a: String, b: String) -> String {
            format!("({a} & {b})")
        }
        fn or(a: String, b: String) -> String {
            format!("({a} | {b})")
        }
        fn not(a: String) -> String {
            format!("!{a}")
        }
        fn leaf(p: &mut Parser) -> Result<String, String> {
            let w = p.word()?;
            p.pos += 1;
            Ok(w)
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tightest() {
        let t = |s: &str| parse::<String>(s);
        assert_eq!(t("a or b AND c").unwrap(), "(a | (b & c))");
        assert_eq!(t("not a and (b or c)").unwrap(), "(!a & (b | c))");
        assert_eq!(t("NOT not (a)").unwrap(), "!!a");
        assert_eq!(t("  ").unwrap_err(), "the filter is empty");
        assert_eq!(t("(a or b").unwrap_err(), "')' expected");
        assert_eq!(t("a b").unwrap_err(), "unexpected Word(\"b\")");
        assert_eq!(t("a or").unwrap_err(), "unexpected end of the expression");
        assert_eq!(t("'x").unwrap_err(), "unterminated string literal");
        assert_eq!(
            t("'x'").unwrap_err(),
            "a property name expected, found Str(\"x\")"
        );
    }
}
