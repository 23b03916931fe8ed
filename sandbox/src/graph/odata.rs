//! OData system query options as Graph takes them on entitlement-management lists:
//! `$filter` (a parser, not a pattern match), `$select`, `$expand`, `$skiptoken`, and the
//! options the contract says not to rely on, which are refused rather than ignored.

use chrono::{DateTime, Utc};

use super::filter_syntax::{self, Grammar, Parser, Token};

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

impl Grammar for Filter {
    fn and(a: Filter, b: Filter) -> Filter {
        Filter::And(Box::new(a), Box::new(b))
    }

    fn or(a: Filter, b: Filter) -> Filter {
        Filter::Or(Box::new(a), Box::new(b))
    }

    fn not(a: Filter) -> Filter {
        Filter::Not(Box::new(a))
    }

    fn leaf(p: &mut Parser) -> Result<Filter, String> {
        if p.peek_word("contains") && p.peek2() == Some(&Token::Open) {
            return contains(p);
        }
        let (path, op) = p.path_and_operator()?;
        let op = match op.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(format!("unsupported operator '{other}'")),
        };
        let value = match p.peek() {
            Some(Token::Str(s)) => Literal::Str(s.clone()),
            Some(Token::Word(w)) if w == "null" => Literal::Null,
            Some(Token::Word(w)) => match DateTime::parse_from_rfc3339(w) {
                Ok(t) => Literal::DateTime(t.to_utc()),
                Err(_) => return Err(format!("'{w}' is not a literal (strings are quoted)")),
            },
            _ => return Err(format!("a value expected after '{path}'")),
        };
        p.pos += 1;
        Ok(Filter::Cmp { path, op, value })
    }
}

/// `contains(path,'…')` or `contains(tolower(path),'…')`, the one function the
/// entitlement-management list pages document.
fn contains(p: &mut Parser) -> Result<Filter, String> {
    p.pos += 2;
    let (path, op) = if p.peek_word("tolower") && p.peek2() == Some(&Token::Open) {
        p.pos += 2;
        let path = p.argument_path("contains")?;
        p.expect(&Token::Close, "')' expected in contains(…)")?;
        (path, Op::ContainsLower)
    } else {
        (p.argument_path("contains")?, Op::Contains)
    };
    p.expect(&Token::Word(",".into()), "',' expected in contains(…)")?;
    let Some(Token::Str(s)) = p.peek() else {
        return Err("a quoted string expected in contains(…)".into());
    };
    let value = Literal::Str(s.clone());
    p.pos += 1;
    p.expect(&Token::Close, "')' expected in contains(…)")?;
    Ok(Filter::Cmp { path, op, value })
}

/// Parses a `$filter` value.
pub fn parse_filter(s: &str) -> Result<Filter, String> {
    filter_syntax::parse(s)
}

/// One `$expand` item: a navigation property and the options OData allows inside its
/// parentheses, separated by `;` — `$select` (properties of the expanded entity) and
/// `$expand` (nested items, themselves with options). `concepts/query-parameters.md`
/// documents `$select` inside `$expand` in general (`children($select=id,name)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expand {
    pub name: String,
    /// `name($select=…)`: only these properties of the expanded entity (and `id`).
    pub select: Option<Vec<String>>,
    /// `name($expand=…)`: nested items.
    pub expand: Vec<Expand>,
    /// The item as it was written, for messages.
    pub text: String,
}

impl Expand {
    /// The names of the nested items.
    pub fn nested_names(&self) -> Vec<String> {
        self.expand.iter().map(|e| e.name.clone()).collect()
    }
}

/// Splits `s` at `sep` outside parentheses.
fn split_top(s: &str, sep: char) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1).ok_or("unbalanced parentheses")?,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unbalanced parentheses".into());
    }
    out.push(&s[start..]);
    Ok(out)
}

/// The name of a system query option written `$name` (or, where the `$` is optional, as on
/// beta, `name`); `None` for anything else.
fn system_option(key: &str, dollar_optional: bool) -> Option<&str> {
    match key.strip_prefix('$') {
        Some(name) => Some(name),
        None if dollar_optional => Some(key),
        None => None,
    }
}

/// Parses `$expand=a,b($expand=c),d($select=x,y;$expand=e($select=z))`. With
/// `dollar_optional` (beta) the options inside parentheses may omit the `$` too.
pub fn parse_expand(s: &str, dollar_optional: bool) -> Result<Vec<Expand>, String> {
    let mut out = Vec::new();
    for item in split_top(s, ',')? {
        let item = item.trim();
        if item.is_empty() {
            return Err("an empty $expand item".into());
        }
        let Some((name, rest)) = item.split_once('(') else {
            out.push(Expand {
                name: item.into(),
                select: None,
                expand: Vec::new(),
                text: item.into(),
            });
            continue;
        };
        let name = name.trim();
        let inner = rest.strip_suffix(')').ok_or("unbalanced parentheses")?;
        if name.is_empty() {
            return Err("a navigation property expected before '('".into());
        }
        let mut e = Expand {
            name: name.into(),
            select: None,
            expand: Vec::new(),
            text: item.into(),
        };
        let mut seen_expand = false;
        for opt in split_top(inner, ';')? {
            let opt = opt.trim();
            let (key, value) = opt
                .split_once('=')
                .ok_or_else(|| format!("'{opt}' inside {name}(…) is not an option=value pair"))?;
            match system_option(key.trim(), dollar_optional) {
                Some("select") if e.select.is_none() => {
                    let fields: Vec<String> =
                        value.split(',').map(|f| f.trim().to_string()).collect();
                    if fields.iter().any(String::is_empty) {
                        return Err(format!(
                            "an empty property name in $select inside {name}(…)"
                        ));
                    }
                    e.select = Some(fields);
                }
                Some("expand") if !seen_expand => {
                    seen_expand = true;
                    e.expand = parse_expand(value, dollar_optional)?;
                }
                Some(o @ ("select" | "expand")) => {
                    return Err(format!("${o} is given twice inside {name}(…)"));
                }
                _ => {
                    return Err(format!(
                        "only $select and $expand are supported inside {name}(…)"
                    ));
                }
            }
        }
        out.push(e);
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
    /// Reads the raw query string (percent-decoded pairs). With `dollar_optional` (beta,
    /// where concepts/query-parameters.md makes the `$` prefix optional)
    /// `filter=` is `$filter=` and so on, and naming one option twice, in either form, is
    /// refused as OData refuses it; without it (v1.0) options without `$` are not system
    /// query options and are ignored.
    pub fn parse(raw: &str, dollar_optional: bool) -> Result<Query, String> {
        let mut q = Query::default();
        let mut seen: Vec<String> = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let key = k.to_string();
            let v = v.to_string();
            let Some(name) = system_option(&key, dollar_optional) else {
                continue;
            };
            let dollar = format!("${name}");
            let known = [
                "filter",
                "select",
                "expand",
                "skiptoken",
                "top",
                "orderby",
                "skip",
                "count",
                "search",
            ]
            .contains(&name);
            if !key.starts_with('$') && !known {
                // Not a system query option: an ordinary parameter, ignored.
                continue;
            }
            if dollar_optional {
                if seen.contains(&dollar) {
                    return Err(format!(
                        "Query option '{dollar}' was specified more than once, but it must be specified at most once."
                    ));
                }
                seen.push(dollar.clone());
            }
            match name {
                "filter" => q.filter = Some(v),
                "select" => q.select = Some(v),
                "expand" => q.expand = Some(v),
                "skiptoken" => q.skiptoken = Some(v),
                "top" => {
                    q.top = Some(
                        v.parse::<usize>()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| format!("invalid $top value '{v}'"))?,
                    )
                }
                _ => q.unsupported.push(dollar),
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
    fn expand_with_nested_expand_and_select() {
        let e = parse_expand("requestor,accessPackage($expand=catalog)", false).unwrap();
        assert_eq!(e[1].name, "accessPackage");
        assert_eq!(e[1].nested_names(), vec!["catalog".to_string()]);
        assert_eq!(e[1].text, "accessPackage($expand=catalog)");
        let e = parse_expand(
            "accessPackage($select=id,displayName),requestor($select=displayName, email)",
            false,
        )
        .unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(
            e[0].select.as_deref(),
            Some(&["id".to_string(), "displayName".to_string()][..])
        );
        assert_eq!(e[1].select.as_ref().unwrap()[1], "email");
        let e = parse_expand(
            "customExtensionStageSettings($select=stage;$expand=customExtension($select=displayName))",
            false,
        )
        .unwrap();
        assert_eq!(e[0].select.as_deref(), Some(&["stage".to_string()][..]));
        assert_eq!(e[0].expand[0].name, "customExtension");
        assert_eq!(
            e[0].expand[0].select.as_deref(),
            Some(&["displayName".to_string()][..])
        );
        // Beta: the `$` is optional inside the parentheses too.
        let e = parse_expand("assignment(expand=target;select=id)", true).unwrap();
        assert_eq!(e[0].nested_names(), vec!["target".to_string()]);
        for bad in [
            "a(b",
            "a($filter=x eq 'y')",
            "a($top=1)",
            "a($select=)",
            "a($select=x;$select=y)",
            "a()",
            "(x)",
            "a,,b",
            "a(expand=b)",
        ] {
            assert!(parse_expand(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn refused_options_are_named() {
        let q = Query::parse("$orderby=createdDateTime&$filter=x%20eq%20'1'", false).unwrap();
        assert_eq!(q.unsupported, vec!["$orderby".to_string()]);
        assert_eq!(q.filter.as_deref(), Some("x eq '1'"));
        assert!(Query::parse("$top=0", false).is_err());
    }

    #[test]
    fn the_dollar_is_optional_only_where_asked_and_an_option_is_given_once() {
        let raw = "filter=a%20eq%20'1'&expand=b&select=c&orderby=d&other=x";
        let v1 = Query::parse(raw, false).unwrap();
        assert!(v1.filter.is_none() && v1.expand.is_none() && v1.select.is_none());
        assert!(v1.unsupported.is_empty());
        let beta = Query::parse(raw, true).unwrap();
        assert_eq!(beta.filter.as_deref(), Some("a eq '1'"));
        assert_eq!(beta.expand.as_deref(), Some("b"));
        assert_eq!(beta.select.as_deref(), Some("c"));
        assert_eq!(beta.unsupported, vec!["$orderby".to_string()]);
        let e = Query::parse("filter=a%20eq%20'1'&$filter=b%20eq%20'2'", true)
            .err()
            .unwrap();
        assert_eq!(
            e,
            "Query option '$filter' was specified more than once, but it must be specified at most once."
        );
        assert!(Query::parse("$select=a&$select=b", true).is_err());
        // v1.0 keeps its behaviour: the later one counts.
        let q = Query::parse("$select=a&$select=b", false).unwrap();
        assert_eq!(q.select.as_deref(), Some("b"));
    }
}
