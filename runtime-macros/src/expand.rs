//! Turns an `async fn` into a plain `fn` that builds a runtime and blocks on
//! the original body.
//!
//! [`expand`] checks the function, parses the attribute arguments with
//! [`crate::args`], and either emits the expansion or, when anything is
//! wrong, the combined errors next to a non-async stand-in for the function
//! (see [`fallback`]) so the user sees only the macro's own diagnostics.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::{AttrStyle, Attribute, Block, ItemFn};

use crate::args::{self, Config, Errors, Flavor, Kind};

/// Expands `#[runtime::main]` or `#[runtime::test]` (per `kind`) with
/// arguments `args` applied to `item`.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            errors.push(syn::Error::new(
                Span::call_site(),
                format!("`{}` can only be applied to an `async fn`", kind.attr()),
            ));
            // Still parse the arguments so their mistakes show up too.
            let _ = args::parse(kind, args, &mut errors);
            return with_errors(errors.into_error(), item);
        }
    };

    check_function(kind, &func, &mut errors);
    let config = args::parse(kind, args, &mut errors);
    match (config, errors.into_error()) {
        (Some(config), None) => generate(kind, &config, func),
        // `args::parse` returns `None` only after recording an error.
        (_, error) => with_errors(error, fallback(kind, func)),
    }
}

/// The error tokens, if any, followed by `item`.
fn with_errors(error: Option<syn::Error>, item: TokenStream) -> TokenStream {
    let mut out = error.map(|e| e.to_compile_error()).unwrap_or_default();
    out.extend(item);
    out
}

/// Records every reason `func` cannot carry the attribute.
fn check_function(kind: Kind, func: &ItemFn, errors: &mut Errors) {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        errors.spanned(
            sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        );
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        let tokens = match &sig.variadic {
            Some(variadic) if sig.inputs.is_empty() => variadic.to_token_stream(),
            _ => sig.inputs.to_token_stream(),
        };
        errors.spanned(
            tokens,
            format!("`{}` functions cannot take arguments", kind.attr()),
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        let mut tokens = sig.generics.to_token_stream();
        sig.generics.where_clause.to_tokens(&mut tokens);
        errors.spanned(
            tokens,
            format!("`{}` functions cannot be generic", kind.attr()),
        );
    }
    if kind == Kind::Test {
        if let Some(attr) = func.attrs.iter().find(|a| is_test_attribute(a)) {
            errors.spanned(
                attr,
                "second test attribute is supplied; `#[runtime::test]` already makes this \
                 function a test, so remove the other one",
            );
        }
    }
}

/// Whether `attr` makes its function a test: `#[test]`, `#[core::prelude::v1::test]`,
/// `#[runtime::test]`, `#[tokio::test]` and the like.
fn is_test_attribute(attr: &Attribute) -> bool {
    matches!(attr.style, AttrStyle::Outer)
        && attr
            .path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "test")
}

/// Splits `attrs` into the outer attributes (which go before the `fn`) and
/// the inner ones (`#![...]`, which syn moves out of the body).
fn split_attrs(attrs: Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    attrs
        .into_iter()
        .partition(|a| matches!(a.style, AttrStyle::Outer))
}

/// The successful expansion.
fn generate(kind: Kind, config: &Config, func: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = func;
    sig.asyncness = None;
    let (outer, inner) = split_attrs(attrs);

    let krate = &config.crate_path;
    let builder = match config.flavor {
        Flavor::MultiThread => quote!(#krate::Builder::new_multi_thread()),
        Flavor::CurrentThread => quote!(#krate::Builder::new_current_thread()),
    };
    let worker_threads = config.worker_threads.map(|n| {
        let n = proc_macro2::Literal::usize_unsuffixed(n);
        quote!(.worker_threads(#n))
    });
    let start_paused = config.start_paused.map(|b| quote!(.start_paused(#b)));
    let test_attr = match kind {
        Kind::Test => quote!(#[::core::prelude::v1::test]),
        Kind::Main => TokenStream::new(),
    };

    // Spanning the `block_on` call on the end of the user's body makes a
    // return type mismatch point at the user's code rather than the attribute.
    let block_on = quote_spanned!(last_span(&block)=> runtime.block_on(body));

    quote! {
        #test_attr
        #(#outer)*
        #vis #sig {
            #(#inner)*
            let body = async move #block;
            #[allow(clippy::expect_used)]
            let runtime = #builder
                #worker_threads
                #start_paused
                .enable_all()
                .build()
                .expect("Failed building the Runtime");
            #block_on
        }
    }
}

/// The span of the last token of `block`'s last statement, or of its closing
/// brace when it is empty.
fn last_span(block: &Block) -> Span {
    block
        .stmts
        .last()
        .and_then(|stmt| stmt.to_token_stream().into_iter().last())
        .map_or_else(|| block.brace_token.span.close(), |tt: TokenTree| tt.span())
}

/// A non-async stand-in for `func`, emitted next to the errors so that the
/// user does not also get "`main` function not found", "`main` cannot be
/// `async`", unused-import warnings and the like.
///
/// The body is kept, as a future that is never polled, so that it is still
/// type checked and its imports count as used. Only when the signature has to
/// lose parameters or generics the body may use does the body become a panic.
fn fallback(kind: Kind, func: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = func;
    let (outer, inner) = split_attrs(attrs);
    let is_async = sig.asyncness.take().is_some();

    // A program's `main` must take nothing and be generic over nothing.
    let mut body_usable = true;
    if kind == Kind::Main && sig.ident == "main" {
        if !sig.inputs.is_empty() || sig.variadic.is_some() {
            sig.inputs = Default::default();
            sig.variadic = None;
            body_usable = false;
        }
        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            sig.generics = Default::default();
            body_usable = false;
        }
    }

    let panic = quote! {
        ::core::panic!("this function was not expanded because of the errors reported above")
    };
    let body = if !body_usable {
        quote!({ #panic })
    } else if !is_async {
        block.to_token_stream()
    } else {
        // Hand the body to a function that never polls it: the body is type
        // checked exactly as in the real expansion (`?`, return types and
        // `impl Trait` outputs all infer the same way) but nothing runs.
        quote!({
            fn not_expanded<F: ::core::future::Future>(_: F) -> F::Output {
                #panic
            }
            not_expanded(async move #block)
        })
    };
    let allow_dead = match kind {
        Kind::Test => quote!(#[allow(dead_code)]),
        Kind::Main => TokenStream::new(),
    };

    quote! {
        #allow_dead
        #(#outer)*
        #vis #sig {
            #(#inner)*
            #body
        }
    }
}
