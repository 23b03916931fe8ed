//! `$filter` on directoryAudits: the shared syntax (`graph::filter_syntax`) with clauses of
//! its own (lambdas, function calls, bare literals), then the documented clauses compiled
//! against the tenant into predicates on the log's indexes. Apart from `audit` so that the
//! route, the paging and the rendering read on their own; what `$filter` takes, and why, is
//! in `audit`'s comment.

use chrono::{DateTime, SubsecRound, Utc};

use super::super::filter_syntax::{self, Grammar, Parser, Token};
use super::super::{GraphError, truncate};
use super::{PROPERTIES, unknown_property};
use crate::data::Data;
use crate::data::audit::{self, Activity, Actor, Event};
use crate::ids::parse_guid;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Lit {
    Str(String),
    Time(DateTime<Utc>),
    /// An unquoted word that is not a date-time (a number, null, an unquoted id).
    Bare(String),
}

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lit::Str(s) | Lit::Bare(s) => f.write_str(s),
            Lit::Time(t) => f.write_str(&crate::clock::iso(*t)),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    /// `path op literal`, `op` lower-cased.
    Cmp {
        path: String,
        op: String,
        value: Lit,
    },
    /// `func(path,literal)`, `func` lower-cased.
    Call {
        func: String,
        path: String,
        value: Lit,
    },
    /// `collection/any(var:inner)` (or `all`).
    Lambda {
        collection: String,
        quantifier: String,
        var: String,
        inner: Box<Node>,
    },
}

fn op_name(op: &str) -> String {
    match op {
        "eq" => "Equals".into(),
        "ne" => "NotEquals".into(),
        "gt" => "GreaterThan".into(),
        "ge" => "GreaterThanOrEqual".into(),
        "lt" => "LessThan".into(),
        "le" => "LessThanOrEqual".into(),
        "startswith" => "StartsWith".into(),
        "contains" => "Contains".into(),
        "endswith" => "EndsWith".into(),
        other => other.into(),
    }
}

impl Node {
    /// The clause as the sandbox's InvalidFilter messages describe one, property first.
    fn describe(&self) -> String {
        match self {
            Node::And(a, b) => format!("{} And {}", a.describe(), b.describe()),
            Node::Or(a, b) => format!("{} Or {}", a.describe(), b.describe()),
            Node::Not(a) => format!("Not {}", a.describe()),
            Node::Cmp { path, op, value }
            | Node::Call {
                func: op,
                path,
                value,
            } => format!("{path} {} {value}", op_name(op)),
            Node::Lambda {
                collection,
                quantifier,
                inner,
                ..
            } => format!("{collection} {} {}", op_name(quantifier), inner.describe()),
        }
    }

    fn conjuncts(&self) -> Vec<&Node> {
        match self {
            Node::And(a, b) => {
                let mut v = a.conjuncts();
                v.extend(b.conjuncts());
                v
            }
            other => vec![other],
        }
    }
}

impl Grammar for Node {
    fn and(a: Node, b: Node) -> Node {
        Node::And(Box::new(a), Box::new(b))
    }

    fn or(a: Node, b: Node) -> Node {
        Node::Or(Box::new(a), Box::new(b))
    }

    fn not(a: Node) -> Node {
        Node::Not(Box::new(a))
    }

    fn leaf(p: &mut Parser) -> Result<Node, String> {
        let word = p.word()?;
        if p.peek2() == Some(&Token::Open) {
            p.pos += 2;
            if let Some((collection, quantifier)) = word.rsplit_once('/')
                && ["any", "all"].contains(&quantifier.to_ascii_lowercase().as_str())
            {
                return lambda(p, collection, &quantifier.to_ascii_lowercase());
            }
            return call(p, &word.to_ascii_lowercase());
        }
        let (path, op) = p.path_and_operator()?;
        let lower = op.to_ascii_lowercase();
        if !["eq", "ne", "gt", "ge", "lt", "le"].contains(&lower.as_str()) {
            return Err(format!("unsupported operator '{op}'"));
        }
        let value = literal(p)?;
        Ok(Node::Cmp {
            path,
            op: lower,
            value,
        })
    }
}

/// After `collection/any(`: `var:` and one expression on `var/…`, then `)`.
fn lambda(p: &mut Parser, collection: &str, quantifier: &str) -> Result<Node, String> {
    let Some(Token::Word(first)) = p.peek().cloned() else {
        return Err(format!(
            "a lambda variable expected in {collection}/{quantifier}(…)"
        ));
    };
    let (var, rest) = first
        .split_once(':')
        .ok_or_else(|| format!("'v:' expected in {collection}/{quantifier}(…)"))?;
    if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("'{var}' is not a lambda variable"));
    }
    if rest.is_empty() {
        p.pos += 1;
    } else {
        p.tokens[p.pos] = Token::Word(rest.to_string());
    }
    let inner = p.expr()?;
    p.expect(&Token::Close, "')' expected")?;
    Ok(Node::Lambda {
        collection: collection.to_string(),
        quantifier: quantifier.to_string(),
        var: var.to_string(),
        inner: Box::new(inner),
    })
}

/// After `func(`: `path,literal)`.
fn call(p: &mut Parser, func: &str) -> Result<Node, String> {
    let path = p.argument_path(func)?;
    p.expect(&Token::Word(",".into()), "',' expected")?;
    let value = literal(p)?;
    p.expect(&Token::Close, "')' expected")?;
    Ok(Node::Call {
        func: func.to_string(),
        path,
        value,
    })
}

fn literal(p: &mut Parser) -> Result<Lit, String> {
    let lit = match p.peek() {
        Some(Token::Str(s)) => Lit::Str(s.clone()),
        Some(Token::Word(w)) if w != "," => match DateTime::parse_from_rfc3339(w) {
            Ok(t) => Lit::Time(t.to_utc()),
            Err(_) => Lit::Bare(w.clone()),
        },
        _ => return Err("a value expected".into()),
    };
    p.pos += 1;
    Ok(lit)
}

pub(super) fn parse(filter: &str) -> Result<Node, GraphError> {
    filter_syntax::parse(filter)
        .map_err(|e| GraphError::bad_request(format!("Invalid filter clause: {e}.")))
}

/// A documented clause, resolved against the tenant: every test is on indexes.
#[derive(Debug)]
pub(super) enum Pred {
    Time {
        op: Cmp,
        at: DateTime<Utc>,
    },
    /// Bit `k` set: `Activity::ALL[k]` matches.
    Activities(u32),
    Correlation(Option<u128>),
    Id(Option<u128>),
    /// A clause every event satisfies, or none (loggedByService, app of a user event).
    Always(bool),
    /// Events initiated by one of these subjects (sorted), or by the app when `app`.
    Initiator {
        users: Vec<u32>,
        app: bool,
    },
    /// Events naming one of these targets (sorted lists).
    Target(Targets),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cmp {
    Eq,
    Ge,
    Le,
}

#[derive(Debug, Default)]
pub(super) struct Targets {
    requests: Vec<u32>,
    assignments: Vec<u32>,
    packages: Vec<u32>,
    subjects: Vec<u32>,
}

impl Targets {
    fn matches(&self, e: &Event) -> bool {
        e.request
            .is_some_and(|r| self.requests.binary_search(&r).is_ok())
            || e.assignment
                .is_some_and(|a| self.assignments.binary_search(&a).is_ok())
            || self.packages.binary_search(&e.package).is_ok()
            || self.subjects.binary_search(&e.target).is_ok()
    }

    /// The events naming any of them, through the log's indexes.
    pub(super) fn events(&self, d: &Data) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for &r in &self.requests {
            out.extend_from_slice(d.audit.of_request(r as usize));
        }
        for &a in &self.assignments {
            out.extend_from_slice(d.audit.of_assignment(a as usize));
        }
        for &p in &self.packages {
            out.extend_from_slice(d.audit.of_package(p as usize));
        }
        for &s in &self.subjects {
            out.extend_from_slice(d.audit.of_subject(s as usize));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub(super) fn size(&self, d: &Data) -> usize {
        self.requests
            .iter()
            .map(|&r| d.audit.of_request(r as usize).len())
            .chain(
                self.assignments
                    .iter()
                    .map(|&a| d.audit.of_assignment(a as usize).len()),
            )
            .chain(
                self.packages
                    .iter()
                    .map(|&p| d.audit.of_package(p as usize).len()),
            )
            .chain(
                self.subjects
                    .iter()
                    .map(|&s| d.audit.of_subject(s as usize).len()),
            )
            .sum()
    }
}

impl Pred {
    pub(super) fn matches(&self, e: &Event) -> bool {
        match self {
            // At the precision `activityDateTime` is written with (microseconds), so that
            // a time read from an event finds it.
            Pred::Time { op, at } => {
                let t = e.at.trunc_subsecs(6);
                match op {
                    Cmp::Eq => t == *at,
                    Cmp::Ge => t >= *at,
                    Cmp::Le => t <= *at,
                }
            }
            // `Activity::ALL` is in declaration order (a test in data::audit says so).
            Pred::Activities(mask) => mask & (1 << e.activity as u32) != 0,
            Pred::Correlation(c) => *c == Some(e.correlation),
            Pred::Id(id) => *id == Some(e.id),
            Pred::Always(b) => *b,
            Pred::Initiator { users, app } => match e.by {
                Actor::App => *app,
                Actor::User(u) => users.binary_search(&u).is_ok(),
            },
            Pred::Target(t) => t.matches(e),
        }
    }
}

fn text_matches(value: &str, how: &str, lit: &str) -> bool {
    match how {
        "eq" => value.eq_ignore_ascii_case(lit) || value.to_lowercase() == lit.to_lowercase(),
        _ => value.to_lowercase().starts_with(&lit.to_lowercase()),
    }
}

/// Resolves each top-level conjunct: a documented clause, or the refusal Graph gives.
pub(super) fn compile(node: &Node, d: &Data) -> Result<Vec<Pred>, GraphError> {
    node.conjuncts().into_iter().map(|c| clause(c, d)).collect()
}

fn first_segment(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

fn known(path: &str) -> bool {
    PROPERTIES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(first_segment(path)))
}

/// Every property path a clause names, for the unknown-property check.
fn paths(n: &Node) -> Vec<String> {
    match n {
        Node::And(a, b) | Node::Or(a, b) => {
            let mut v = paths(a);
            v.extend(paths(b));
            v
        }
        Node::Not(a) => paths(a),
        Node::Cmp { path, .. } | Node::Call { path, .. } => vec![path.clone()],
        Node::Lambda { collection, .. } => vec![collection.clone()],
    }
}

fn string_of<'a>(path: &str, value: &'a Lit) -> Result<&'a str, GraphError> {
    match value {
        Lit::Str(s) => Ok(s),
        _ => Err(GraphError::bad_request(format!(
            "Invalid filter clause: {path} is compared with a quoted string."
        ))),
    }
}

fn clause(c: &Node, d: &Data) -> Result<Pred, GraphError> {
    for p in paths(c) {
        if !known(&p) {
            return Err(unknown_property(&p));
        }
    }
    let refused = || GraphError::invalid_filter(&c.describe());
    let (path, how, value) = match c {
        Node::Cmp { path, op, value } => (path.as_str(), op.as_str(), value),
        Node::Call { func, path, value } if func == "startswith" => {
            (path.as_str(), "startswith", value)
        }
        Node::Lambda {
            collection,
            quantifier,
            var,
            inner,
        } if quantifier == "any" && collection.eq_ignore_ascii_case("targetResources") => {
            return target_clause(c, var, inner, d);
        }
        _ => return Err(refused()),
    };
    let lower = path.to_ascii_lowercase();
    match (lower.as_str(), how) {
        ("activitydatetime", "eq" | "ge" | "le") => match value {
            Lit::Time(at) => Ok(Pred::Time {
                op: match how {
                    "eq" => Cmp::Eq,
                    "ge" => Cmp::Ge,
                    _ => Cmp::Le,
                },
                at: *at,
            }),
            _ => Err(GraphError::bad_request(
                "Invalid filter clause: activityDateTime is compared with a date-time such as 2026-01-01T00:00:00Z (not quoted).",
            )),
        },
        ("activitydisplayname", "eq" | "startswith") => {
            let v = string_of(path, value)?;
            let mask = Activity::ALL
                .iter()
                .enumerate()
                .filter(|(_, a)| text_matches(a.name(), how, v))
                .fold(0u32, |m, (k, _)| m | (1 << k));
            Ok(Pred::Activities(mask))
        }
        ("correlationid", "eq") => Ok(Pred::Correlation(parse_guid(string_of(path, value)?))),
        ("id", "eq") => Ok(Pred::Id(parse_guid(string_of(path, value)?))),
        ("loggedbyservice", "eq") => Ok(Pred::Always(text_matches(
            audit::LOGGED_BY_SERVICE,
            "eq",
            string_of(path, value)?,
        ))),
        ("initiatedby/user/id", "eq")
        | ("initiatedby/user/displayname", "eq")
        | ("initiatedby/user/userprincipalname", "eq" | "startswith") => {
            let v = string_of(path, value)?;
            let users = d
                .subjects
                .iter()
                .enumerate()
                .filter(|(_, s)| match lower.as_str() {
                    "initiatedby/user/id" => s.object_id.eq_ignore_ascii_case(v),
                    "initiatedby/user/displayname" => text_matches(&s.display_name, how, v),
                    _ => text_matches(&s.principal_name, how, v),
                })
                .map(|(i, _)| i as u32)
                .collect();
            Ok(Pred::Initiator { users, app: false })
        }
        ("initiatedby/app/appid", "eq") => Ok(Pred::Initiator {
            users: Vec::new(),
            app: string_of(path, value)?.eq_ignore_ascii_case(audit::APP_ID),
        }),
        ("initiatedby/app/displayname", "eq") => Ok(Pred::Initiator {
            users: Vec::new(),
            app: text_matches(audit::APP_NAME, "eq", string_of(path, value)?),
        }),
        _ => Err(refused()),
    }
}

/// `targetResources/any(t:t/id eq '…')`, `…t/displayName eq '…'`, `…startswith(t/displayName,'…')`.
fn target_clause(whole: &Node, var: &str, inner: &Node, d: &Data) -> Result<Pred, GraphError> {
    let refused = || GraphError::invalid_filter(&whole.describe());
    let (path, how, value) = match inner {
        Node::Cmp { path, op, value } if op == "eq" => (path, "eq", value),
        Node::Call { func, path, value } if func == "startswith" => (path, "startswith", value),
        _ => return Err(refused()),
    };
    let Some((v, prop)) = path.split_once('/') else {
        return Err(refused());
    };
    if v != var {
        return Err(GraphError::bad_request(format!(
            "Invalid filter clause: '{}' is not the lambda variable '{var}'.",
            truncate(v)
        )));
    }
    let text = string_of(path, value)?;
    let mut t = Targets::default();
    match (prop.to_ascii_lowercase().as_str(), how) {
        ("id", "eq") => {
            if let Some(r) = d.request_index(text) {
                t.requests.push(r as u32);
            }
            if let Some(a) = d.assignment_index(text) {
                t.assignments.push(a as u32);
            }
            if let Some(p) = d
                .packages
                .iter()
                .position(|p| p.id.eq_ignore_ascii_case(text))
            {
                t.packages.push(p as u32);
            }
            if let Some(s) = d.subject_by_object_id(text) {
                t.subjects.push(s as u32);
            }
        }
        ("displayname", "eq" | "startswith") => {
            // Requests and assignments have no display name; packages and users do.
            t.packages = (0..d.packages.len() as u32)
                .filter(|&p| text_matches(&d.packages[p as usize].display_name, how, text))
                .collect();
            t.subjects = (0..d.subjects.len() as u32)
                .filter(|&s| text_matches(&d.subjects[s as usize].display_name, how, text))
                .collect();
        }
        (other, _) if ["id", "displayname"].contains(&other) => return Err(refused()),
        ("type" | "userprincipalname" | "grouptype" | "modifiedproperties", _) => {
            return Err(refused());
        }
        _ => {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{}' on type 'microsoft.graph.targetResource'.",
                truncate(prop)
            )));
        }
    }
    Ok(Pred::Target(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar_reads_lambdas_startswith_and_dates() {
        let n = parse(
            "targetResources/any(t:t/id eq 'abc') and activityDateTime ge 2026-01-01T00:00:00Z",
        )
        .unwrap();
        let c = n.conjuncts();
        assert!(matches!(c[0], Node::Lambda { var, .. } if var == "t"));
        assert!(matches!(
            c[1],
            Node::Cmp {
                value: Lit::Time(_),
                ..
            }
        ));
        let n = parse("targetResources/any(x: startswith(x/displayName,'Sales'))").unwrap();
        let Node::Lambda { inner, .. } = n else {
            panic!()
        };
        assert!(matches!(*inner, Node::Call { ref func, .. } if func == "startswith"));
        let n = parse("startswith(activityDisplayName,'Fulfill')").unwrap();
        assert_eq!(n.describe(), "activityDisplayName StartsWith Fulfill");
        assert_eq!(
            parse("result eq 'failure' or id eq 'x'")
                .unwrap()
                .describe(),
            "result Equals failure Or id Equals x"
        );
        for bad in [
            "",
            "id eq",
            "targetResources/any(t t/id eq 'a')",
            "startswith(activityDisplayName 'x')",
            "id has 'x'",
            "(id eq 'x'",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
