//! OData system query options as Graph takes them on entitlement-management lists:
//! `$filter` (a parser, not a pattern match), `$select`, `$expand`, `$skiptoken`, and the
//! options the contract says not to rely on, which are refused rather than ignored.

use chrono::{DateTime, Utc};

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    /// `contains(path,'…')`: case-sensitive substring.
    Contains,
    /// `contains(tolower(path),'…')`: substring of the lower-cased value.
    ContainsLower,
}

impl Op {
    /// How the service spells the operator in an InvalidFilter message.
    pub fn service_name(self) -> &'static str {
        match self {
            Op::Eq => "Equals",
            Op::Ne => "NotEquals",
            Op::Gt => "GreaterThan",
            Op::Ge => "GreaterThanOrEqual",
            Op::Lt => "LessThan",
            Op::Le => "LessThanOrEqual",
            Op::Contains | Op::ContainsLower => "Contains",
        }
    }
}

/// A literal on the right of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Str(String),
    DateTime(DateTime<Utc>),
    Null,
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Literal::Str(s) => f.write_str(s),
            Literal::DateTime(t) => f.write_str(&crate::clock::iso(*t)),
            Literal::Null => f.write_str("null"),
        }
    }
}

/// A parsed `$filter` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Cmp {
        path: String,
        op: Op,
        value: Literal,
    },
}

impl Filter {
    /// Every comparison, for checking fields and operators.
    pub fn comparisons(&self) -> Vec<(&str, Op, &Literal)> {
        let mut out = Vec::new();
        self.walk(&mut out);
        out
    }

    fn walk<'a>(&'a self, out: &mut Vec<(&'a str, Op, &'a Literal)>) {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.walk(out);
                b.walk(out);
            }
            Filter::Not(a) => a.walk(out),
            Filter::Cmp { path, op, value } => out.push((path, *op, value)),
        }
    }

    /// The top-level `and` conjuncts (the expression itself when it is not an `and`).
    pub fn conjuncts(&self) -> Vec<&Filter> {
        match self {
            Filter::And(a, b) => {
                let mut v = a.conjuncts();
                v.extend(b.conjuncts());
                v
            }
            other => vec![other],
        }
    }

    /// The expression as the service describes it in an InvalidFilter message, property
    /// first: `status Equals WaitingForCallback`, `state Equals a Or state Equals b`,
    /// `status Not Equals x`.
    pub fn describe(&self) -> String {
        match self {
            Filter::Cmp { path, op, value } => format!("{path} {} {value}", op.service_name()),
            Filter::And(a, b) => format!("{} And {}", a.describe(), b.describe()),
            Filter::Or(a, b) => format!("{} Or {}", a.describe(), b.describe()),
            Filter::Not(a) => {
                let inner = a.describe();
                match inner.split_once(' ') {
                    Some((first, rest)) => format!("{first} Not {rest}"),
                    None => format!("Not {inner}"),
                }
            }
        }
    }

    /// The string values `path eq '…'` is pinned to by top-level `and` conjuncts.
    pub fn pinned_values(&self, path: &str) -> Vec<String> {
        match self {
            Filter::And(a, b) => {
                let mut v = a.pinned_values(path);
                v.extend(b.pinned_values(path));
                v
            }
            Filter::Cmp {
                path: p,
                op: Op::Eq,
                value: Literal::Str(s),
            } if p.eq_ignore_ascii_case(path) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// Evaluates with `get(path)` giving a record's field as a literal.
    pub fn eval(&self, get: &dyn Fn(&str) -> Literal) -> bool {
        match self {
            Filter::And(a, b) => a.eval(get) && b.eval(get),
            Filter::Or(a, b) => a.eval(get) || b.eval(get),
            Filter::Not(a) => !a.eval(get),
            Filter::Cmp { path, op, value } => compare(&get(path), *op, value),
        }
    }
}

fn compare(left: &Literal, op: Op, right: &Literal) -> bool {
    use std::cmp::Ordering;
    if let (Op::Contains | Op::ContainsLower, Literal::Str(a), Literal::Str(b)) = (op, left, right)
    {
        return if op == Op::ContainsLower {
            a.to_lowercase().contains(b.as_str())
        } else {
            a.contains(b.as_str())
        };
    }
    let ord = match (left, right) {
        // Graph compares these strings and enum names without regard to case; equality is
        // the hot path of list filters, so it avoids allocating.
        (Literal::Str(a), Literal::Str(b)) if matches!(op, Op::Eq | Op::Ne) => {
            return a.eq_ignore_ascii_case(b) == (op == Op::Eq);
        }
        (Literal::Str(a), Literal::Str(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Literal::DateTime(a), Literal::DateTime(b)) => Some(a.cmp(b)),
        (Literal::Null, Literal::Null) => Some(Ordering::Equal),
        _ => None,
    };
    match (op, ord) {
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Ne, None) => true,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        _ => false,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
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

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.peek_word("contains") && self.tokens.get(self.pos + 1) == Some(&Token::Open) {
            return self.contains();
        }
        if self.tokens.get(self.pos) == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.or()?;
            if self.tokens.get(self.pos) != Some(&Token::Close) {
                return Err("')' expected".into());
            }
            self.pos += 1;
            return Ok(inner);
        }
        self.comparison()
    }

    fn expect(&mut self, t: &Token, what: &str) -> Result<(), String> {
        if self.tokens.get(self.pos) == Some(t) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("{what} expected in contains(…)"))
        }
    }

    fn path_word(&mut self) -> Result<String, String> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(w)) if is_path(w) => {
                self.pos += 1;
                Ok(w.clone())
            }
            _ => Err("a property name expected in contains(…)".into()),
        }
    }

    /// `contains(path,'…')` or `contains(tolower(path),'…')`, the one function the
    /// entitlement-management list pages document.
    fn contains(&mut self) -> Result<Filter, String> {
        self.pos += 2;
        let (path, op) =
            if self.peek_word("tolower") && self.tokens.get(self.pos + 1) == Some(&Token::Open) {
                self.pos += 2;
                let p = self.path_word()?;
                self.expect(&Token::Close, "')'")?;
                (p, Op::ContainsLower)
            } else {
                (self.path_word()?, Op::Contains)
            };
        self.expect(&Token::Word(",".into()), "','")?;
        let value = match self.tokens.get(self.pos) {
            Some(Token::Str(s)) => Literal::Str(s.clone()),
            _ => return Err("a quoted string expected in contains(…)".into()),
        };
        self.pos += 1;
        self.expect(&Token::Close, "')'")?;
        Ok(Filter::Cmp { path, op, value })
    }

    fn comparison(&mut self) -> Result<Filter, String> {
        let path = match self.tokens.get(self.pos) {
            Some(Token::Word(w)) => w.clone(),
            Some(other) => return Err(format!("a property name expected, found {other:?}")),
            None => return Err("unexpected end of the expression".into()),
        };
        if !is_path(&path) {
            return Err(format!("'{path}' is not a property path"));
        }
        self.pos += 1;
        let op = match self.tokens.get(self.pos) {
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                other => return Err(format!("unsupported operator '{other}'")),
            },
            _ => return Err(format!("an operator expected after '{path}'")),
        };
        self.pos += 1;
        let value = match self.tokens.get(self.pos) {
            Some(Token::Str(s)) => Literal::Str(s.clone()),
            Some(Token::Word(w)) if w == "null" => Literal::Null,
            Some(Token::Word(w)) => match DateTime::parse_from_rfc3339(w) {
                Ok(t) => Literal::DateTime(t.to_utc()),
                Err(_) => return Err(format!("'{w}' is not a literal (strings are quoted)")),
            },
            _ => return Err(format!("a value expected after '{path}'")),
        };
        self.pos += 1;
        Ok(Filter::Cmp { path, op, value })
    }
}

fn is_path(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '_')
}

/// Parses a `$filter` value.
pub fn parse_filter(s: &str) -> Result<Filter, String> {
    let tokens = tokenize(s)?;
    if tokens.is_empty() {
        return Err("the filter is empty".into());
    }
    let mut p = Parser { tokens, pos: 0 };
    let f = p.or()?;
    if p.pos != p.tokens.len() {
        return Err(format!("unexpected {:?}", p.tokens[p.pos]));
    }
    Ok(f)
}

/// One `$expand` item, with an optional nested `$expand` of one level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expand {
    pub name: String,
    pub nested: Vec<String>,
}

/// Parses `$expand=a,b($expand=c)`.
pub fn parse_expand(s: &str) -> Result<Vec<Expand>, String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    let mut items = Vec::new();
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c)
            }
            ')' => {
                depth = depth.checked_sub(1).ok_or("unbalanced parentheses")?;
                cur.push(c)
            }
            ',' if depth == 0 => items.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if depth != 0 {
        return Err("unbalanced parentheses".into());
    }
    items.push(cur);
    for item in items {
        let item = item.trim();
        if item.is_empty() {
            return Err("an empty $expand item".into());
        }
        match item.split_once('(') {
            None => out.push(Expand {
                name: item.into(),
                nested: Vec::new(),
            }),
            Some((name, rest)) => {
                let inner = rest.strip_suffix(')').ok_or("unbalanced parentheses")?;
                let nested = inner
                    .strip_prefix("$expand=")
                    .ok_or_else(|| format!("only $expand is supported inside {name}(…)"))?;
                out.push(Expand {
                    name: name.trim().into(),
                    nested: nested.split(',').map(|n| n.trim().to_string()).collect(),
                });
            }
        }
    }
    Ok(out)
}

/// The query options of a request, split out.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub filter: Option<String>,
    pub select: Option<String>,
    pub expand: Option<String>,
    pub skiptoken: Option<String>,
    pub top: Option<usize>,
    /// Options that were given but are not supported here, to refuse by name.
    pub unsupported: Vec<String>,
}

impl Query {
    /// Reads the raw query string (percent-decoded pairs).
    pub fn parse(raw: &str) -> Result<Query, String> {
        let mut q = Query::default();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let key = k.to_string();
            let v = v.to_string();
            match key.as_str() {
                "$filter" => q.filter = Some(v),
                "$select" => q.select = Some(v),
                "$expand" => q.expand = Some(v),
                "$skiptoken" => q.skiptoken = Some(v),
                "$top" => {
                    q.top = Some(
                        v.parse::<usize>()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| format!("invalid $top value '{v}'"))?,
                    )
                }
                "$orderby" | "$skip" | "$count" | "$search" => q.unsupported.push(key),
                k if k.starts_with('$') => q.unsupported.push(key),
                _ => {}
            }
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_or_not_parentheses_and_quoted_literals() {
        let f = parse_filter(
            "(state eq 'deliveryFailed' or state eq 'partiallyDelivered') and createdDateTime ge 2026-11-01T00:00:00Z and not (status eq 'O''Brien')",
        )
        .unwrap();
        let cmps = f.comparisons();
        assert_eq!(cmps.len(), 4);
        assert_eq!(cmps[3].2, &Literal::Str("O'Brien".into()));
        assert!(matches!(cmps[2].2, Literal::DateTime(_)));
    }

    #[test]
    fn pinned_values_only_come_from_top_level_conjuncts() {
        let f = parse_filter("accessPackage/id eq 'a' and state eq 'x'").unwrap();
        assert_eq!(f.pinned_values("accessPackage/id"), vec!["a".to_string()]);
        let g = parse_filter("accessPackage/id eq 'a' or state eq 'x'").unwrap();
        assert!(g.pinned_values("accessPackage/id").is_empty());
    }

    #[test]
    fn rejects_injection_attempts_and_garbage() {
        for bad in [
            "state eq 'a",
            "state eq a",
            "state eq 'a' or",
            "startswith(state,'d')",
            "state eq 'a') or (1 eq 1",
            "state has 'a'",
            "",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn evaluates_case_insensitively_and_by_time() {
        let f =
            parse_filter("state eq 'DELIVERYFAILED' and createdDateTime lt 2026-11-02T00:00:00Z")
                .unwrap();
        let t = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let get = |p: &str| match p {
            "state" => Literal::Str("deliveryFailed".into()),
            _ => Literal::DateTime(t),
        };
        assert!(f.eval(&get));
    }

    #[test]
    fn contains_and_tolower_parse_and_evaluate() {
        let f = parse_filter("contains(tolower(displayName),'team')").unwrap();
        assert_eq!(f.comparisons()[0].1, Op::ContainsLower);
        let get = |_: &str| Literal::Str("Sales TEAM".into());
        assert!(f.eval(&get));
        let g = parse_filter("contains(displayName,'team')").unwrap();
        assert_eq!(g.comparisons()[0].1, Op::Contains);
        assert!(!g.eval(&get));
        for bad in [
            "contains(tolower(displayName) 'x')",
            "contains(displayName,x)",
            "contains(tolower(displayName),'x'",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn descriptions_put_the_property_first_in_the_services_words() {
        let d = |s: &str| parse_filter(s).unwrap().describe();
        assert_eq!(
            d("status eq 'WaitingForCallback'"),
            "status Equals WaitingForCallback"
        );
        assert_eq!(
            d("createdDateTime ge 2026-01-01T00:00:00Z"),
            "createdDateTime GreaterThanOrEqual 2026-01-01T00:00:00Z"
        );
        assert_eq!(
            d("state eq 'a' or state ne 'b'"),
            "state Equals a Or state NotEquals b"
        );
        assert_eq!(d("not (status eq 'x')"), "status Not Equals x");
        let f = parse_filter("(state eq 'a') and accessPackage/id eq 'b'").unwrap();
        assert_eq!(f.conjuncts().len(), 2);
    }

    #[test]
    fn expand_with_one_nested_level() {
        let e = parse_expand("requestor,accessPackage($expand=catalog)").unwrap();
        assert_eq!(e[1].name, "accessPackage");
        assert_eq!(e[1].nested, vec!["catalog".to_string()]);
        assert!(parse_expand("a(b").is_err());
        assert!(parse_expand("a($select=x)").is_err());
    }

    #[test]
    fn refused_options_are_named() {
        let q = Query::parse("$orderby=createdDateTime&$filter=x%20eq%20'1'").unwrap();
        assert_eq!(q.unsupported, vec!["$orderby".to_string()]);
        assert_eq!(q.filter.as_deref(), Some("x eq '1'"));
        assert!(Query::parse("$top=0").is_err());
    }
}
