//! Parsing and validation of the arguments given to `#[runtime::main(...)]`
//! and `#[runtime::test(...)]`.
//!
//! Both attributes accept the same `name = value` pairs; what differs is the
//! default flavor. Every problem found is reported as a [`syn::Error`] spanned
//! on the offending tokens, and all problems are combined so the user sees
//! them in one compile.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, MetaNameValue, Token};

/// Names of the arguments both attributes accept, in the order they are listed
/// in error messages.
const VALID_ARGS: &str = "`flavor`, `worker_threads`, `start_paused`, `crate`";

/// Which attribute is being expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[runtime::main]`.
    Main,
    /// `#[runtime::test]`.
    Test,
}

impl Kind {
    /// The attribute as the user writes it, for error messages.
    pub(crate) fn attr(self) -> &'static str {
        match self {
            Kind::Main => "#[runtime::main]",
            Kind::Test => "#[runtime::test]",
        }
    }

    /// The flavor used when the user gives none.
    fn default_flavor(self) -> Flavor {
        match self {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        }
    }
}

/// The kind of scheduler the generated code builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `Builder::new_multi_thread()`.
    MultiThread,
    /// `Builder::new_current_thread()`.
    CurrentThread,
}

impl Flavor {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "multi_thread" => Some(Flavor::MultiThread),
            "current_thread" => Some(Flavor::CurrentThread),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Flavor::MultiThread => "multi_thread",
            Flavor::CurrentThread => "current_thread",
        }
    }
}

/// The validated arguments of one attribute.
pub(crate) struct Config {
    /// Scheduler flavor, explicit or defaulted.
    pub(crate) flavor: Flavor,
    /// `worker_threads = N`, if given (always greater than zero).
    pub(crate) worker_threads: Option<usize>,
    /// `start_paused = b`, if given.
    pub(crate) start_paused: Option<bool>,
    /// Path of the `runtime` crate, `::runtime` unless `crate = "..."` says otherwise.
    pub(crate) crate_path: TokenStream,
}

/// Arguments as written, before the cross-argument checks. Each value keeps
/// the tokens of its whole `name = value` pair so later errors can point there.
#[derive(Default)]
struct Raw {
    flavor: Option<(Flavor, TokenStream)>,
    worker_threads: Option<(usize, TokenStream)>,
    start_paused: Option<(bool, TokenStream)>,
    crate_path: Option<(TokenStream, TokenStream)>,
}

/// Accumulates errors so that every problem is reported, not just the first.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Records `error`.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Records an error spanned on `tokens`.
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// The combined error, if any was recorded.
    pub(crate) fn into_error(self) -> Option<syn::Error> {
        self.0
    }
}

/// Parses and validates the attribute arguments `args` for `kind`.
///
/// On success returns the configuration; otherwise every problem found is
/// recorded in `errors` and `None` is returned.
pub(crate) fn parse(kind: Kind, args: TokenStream, errors: &mut Errors) -> Option<Config> {
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => metas,
        Err(error) => {
            errors.push(error);
            return None;
        }
    };

    let mut raw = Raw::default();
    let mut ok = true;
    for meta in &metas {
        ok &= parse_one(meta, &mut raw, errors);
    }
    // Only check combinations once every value is known, so that a bad
    // `flavor` does not also produce complaints about the defaulted one.
    if !ok || !check_combinations(kind, &raw, errors) {
        return None;
    }

    Some(Config {
        flavor: raw.flavor.map_or(kind.default_flavor(), |(f, _)| f),
        worker_threads: raw.worker_threads.map(|(n, _)| n),
        start_paused: raw.start_paused.map(|(b, _)| b),
        crate_path: raw
            .crate_path
            .map_or_else(|| quote::quote!(::runtime), |(p, _)| p),
    })
}

/// Parses one `name = value` argument into `raw`. Returns `false` after
/// recording an error.
fn parse_one(meta: &Meta, raw: &mut Raw, errors: &mut Errors) -> bool {
    let name = meta
        .path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let known = matches!(
        name.as_str(),
        "flavor" | "worker_threads" | "start_paused" | "crate"
    );
    if !known {
        let shown = meta.path().to_token_stream().to_string().replace(' ', "");
        errors.spanned(
            meta.path(),
            format!("unknown argument `{shown}`; expected one of {VALID_ARGS}"),
        );
        return false;
    }
    let nv = match meta {
        Meta::NameValue(nv) => nv,
        _ => {
            errors.spanned(
                meta,
                format!("`{name}` needs a value, written `{name} = ...`"),
            );
            return false;
        }
    };
    let tokens = meta.to_token_stream();
    let already = match name.as_str() {
        "flavor" => raw.flavor.is_some(),
        "worker_threads" => raw.worker_threads.is_some(),
        "start_paused" => raw.start_paused.is_some(),
        _ => raw.crate_path.is_some(),
    };
    if already {
        errors.spanned(
            &tokens,
            format!("duplicate argument `{name}`; it may be given only once"),
        );
        return false;
    }

    match name.as_str() {
        "flavor" => parse_flavor(nv, errors).map(|f| raw.flavor = Some((f, tokens))),
        "worker_threads" => {
            parse_worker_threads(nv, errors).map(|n| raw.worker_threads = Some((n, tokens)))
        }
        "start_paused" => match lit(&nv.value) {
            Some(Lit::Bool(b)) => {
                raw.start_paused = Some((b.value, tokens));
                Some(())
            }
            _ => {
                errors.spanned(&nv.value, "`start_paused` must be `true` or `false`");
                None
            }
        },
        _ => parse_crate_path(nv, errors).map(|p| raw.crate_path = Some((p, tokens))),
    }
    .is_some()
}

/// The literal `expr` is made of, if it is one.
fn lit(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        Expr::Group(group) => lit(&group.expr),
        _ => None,
    }
}

fn parse_flavor(nv: &MetaNameValue, errors: &mut Errors) -> Option<Flavor> {
    const EXPECTED: &str = "expected `\"multi_thread\"` or `\"current_thread\"`";
    match lit(&nv.value) {
        Some(Lit::Str(s)) => {
            let flavor = Flavor::from_name(&s.value());
            if flavor.is_none() {
                errors.spanned(s, format!("unknown flavor `{}`; {EXPECTED}", s.value()));
            }
            flavor
        }
        _ => {
            let hint = match &nv.value {
                Expr::Path(p) => p
                    .path
                    .get_ident()
                    .and_then(|i| Flavor::from_name(&i.to_string()))
                    .map(|f| format!(" (write `flavor = \"{}\"`)", f.name())),
                _ => None,
            };
            errors.spanned(
                &nv.value,
                format!(
                    "`flavor` must be a string literal; {EXPECTED}{}",
                    hint.unwrap_or_default()
                ),
            );
            None
        }
    }
}

fn parse_worker_threads(nv: &MetaNameValue, errors: &mut Errors) -> Option<usize> {
    let int = match lit(&nv.value) {
        Some(Lit::Int(int)) => int,
        _ => {
            errors.spanned(
                &nv.value,
                "`worker_threads` must be a positive integer literal, e.g. `worker_threads = 4`",
            );
            return None;
        }
    };
    match int.base10_parse::<usize>() {
        Ok(0) => {
            errors.spanned(int, "`worker_threads` must be greater than 0");
            None
        }
        Ok(n) => Some(n),
        Err(e) => {
            errors.spanned(int, format!("`worker_threads` is not a valid `usize`: {e}"));
            None
        }
    }
}

fn parse_crate_path(nv: &MetaNameValue, errors: &mut Errors) -> Option<TokenStream> {
    match (&nv.value, lit(&nv.value)) {
        (_, Some(Lit::Str(s))) => match s.parse::<syn::Path>() {
            Ok(path) => Some(path.into_token_stream()),
            Err(_) => {
                errors.spanned(
                    s,
                    format!(
                        "`crate` must name a path, e.g. `crate = \"runtime\"`; `{}` is not one",
                        s.value()
                    ),
                );
                None
            }
        },
        (Expr::Path(p), _) if p.qself.is_none() => Some(p.path.to_token_stream()),
        (value, _) => {
            errors.spanned(
                value,
                "`crate` must be a path in a string literal, e.g. `crate = \"runtime\"`",
            );
            None
        }
    }
}

/// Checks the arguments that depend on the flavor. Returns `false` after
/// recording an error.
fn check_combinations(kind: Kind, raw: &Raw, errors: &mut Errors) -> bool {
    let flavor = raw.flavor.as_ref().map(|(f, _)| *f);
    let effective = flavor.unwrap_or(kind.default_flavor());
    let defaulted = |needed: Flavor| match flavor {
        Some(_) => String::new(),
        None => format!(
            " (`{}` defaults to `flavor = \"{}\"`; add `flavor = \"{}\"`)",
            kind.attr(),
            kind.default_flavor().name(),
            needed.name()
        ),
    };
    let mut ok = true;
    if let Some((_, tokens)) = &raw.worker_threads {
        if effective != Flavor::MultiThread {
            errors.spanned(
                tokens,
                format!(
                    "`worker_threads` is only valid with `flavor = \"multi_thread\"`{}",
                    defaulted(Flavor::MultiThread)
                ),
            );
            ok = false;
        }
    }
    if let Some((_, tokens)) = &raw.start_paused {
        if effective != Flavor::CurrentThread {
            errors.spanned(
                tokens,
                format!(
                    "`start_paused` is only valid with `flavor = \"current_thread\"`{}",
                    defaulted(Flavor::CurrentThread)
                ),
            );
            ok = false;
        }
    }
    ok
}
