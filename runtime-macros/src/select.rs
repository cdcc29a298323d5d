//! `select!`: waits on several futures at once and runs the handler of the
//! first that completes with a value matching its pattern, as Tokio's.
//!
//! ```text
//! select! {
//!     biased;                                  // optional: poll in order
//!     pat = future, if precondition => handler, // precondition optional
//!     ...
//!     else => handler,                          // optional
//! }
//! ```
//!
//! Expansion: preconditions are evaluated first (a false one disables its
//! branch), then every future is created and pinned on the stack; a
//! `poll_fn` polls the enabled branches, starting at a random one unless
//! `biased`. An output that does not match its pattern disables that
//! branch. The handler runs after the `.await`, in the caller's own
//! context, so `break`, `continue`, `return` and `?` work in it.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Token};

struct Branch {
    pat: Pat,
    fut: Expr,
    cond: Option<Expr>,
    handler: Expr,
}

struct Select {
    krate: TokenStream,
    biased: bool,
    branches: Vec<Branch>,
    else_branch: Option<Expr>,
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // The facade passes its own path first: `($crate)`.
        let content;
        syn::parenthesized!(content in input);
        let krate: TokenStream = content.parse()?;
        let mut biased = false;
        if input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "biased" {
            let _: syn::Ident = input.parse()?;
            let _: Token![;] = input
                .parse()
                .map_err(|e| syn::Error::new(e.span(), "expected `;` after `biased` in select!"))?;
            biased = true;
        }
        let mut branches = Vec::new();
        let mut else_branch = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let _: Token![else] = input.parse()?;
                let _: Token![=>] = input.parse()?;
                let handler: Expr = input.parse()?;
                let _: Option<Token![,]> = input.parse()?;
                if else_branch.replace(handler).is_some() {
                    return Err(input.error("select! takes at most one `else` branch"));
                }
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let _: Token![=] = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `=` after the pattern: select! branches are `pattern = future => handler`",
                )
            })?;
            let fut: Expr = input.parse()?;
            let cond = if input.peek(Token![,]) && input.peek2(Token![if]) {
                let _: Token![,] = input.parse()?;
                let _: Token![if] = input.parse()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            let _: Token![=>] = input.parse().map_err(|e| {
                syn::Error::new(e.span(), "expected `=>` before the branch's handler")
            })?;
            let handler: Expr = input.parse()?;
            let is_block = matches!(handler, Expr::Block(_));
            if input.is_empty() {
                branches.push(Branch {
                    pat,
                    fut,
                    cond,
                    handler,
                });
                break;
            }
            if is_block {
                let _: Option<Token![,]> = input.parse()?;
            } else {
                let _: Token![,] = input.parse().map_err(|e| {
                    syn::Error::new(e.span(), "expected `,` after a branch's handler")
                })?;
            }
            branches.push(Branch {
                pat,
                fut,
                cond,
                handler,
            });
        }
        if branches.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "select! needs at least one `pattern = future => handler` branch",
            ));
        }
        if branches.len() > 64 {
            return Err(syn::Error::new(
                Span::call_site(),
                "select! takes at most 64 branches",
            ));
        }
        Ok(Select {
            krate,
            biased,
            branches,
            else_branch,
        })
    }
}

/// The pattern without `mut`/`ref` bindings, for checking a match against
/// `&output` (binding by move out of a reference would not compile).
fn check_pattern(pat: &Pat) -> Pat {
    struct Clean;
    impl VisitMut for Clean {
        fn visit_pat_ident_mut(&mut self, i: &mut syn::PatIdent) {
            i.by_ref = None;
            i.mutability = None;
            syn::visit_mut::visit_pat_ident_mut(self, i);
        }
    }
    let mut pat = pat.clone();
    Clean.visit_pat_mut(&mut pat);
    pat
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let select = match syn::parse2::<Select>(input) {
        Ok(s) => s,
        Err(e) => return e.to_compile_error(),
    };
    let krate = &select.krate;
    // Every name the expansion makes up is resolved at the macro's own
    // site: user code in conditions, futures, patterns and handlers cannot
    // see them or be shadowed by them.
    let span = Span::mixed_site();
    let n = select.branches.len();
    let n_u32 = n as u32;
    let variants: Vec<_> = (0..n).map(|i| format_ident!("_{}", i)).collect();
    let types: Vec<_> = (0..n).map(|i| format_ident!("T{}", i)).collect();
    let futs: Vec<_> = (0..n)
        .map(|i| format_ident!("__select_fut_{}", i))
        .collect();
    let conds = select.branches.iter().enumerate().map(|(i, b)| {
        let bit = 1u64 << i;
        match &b.cond {
            Some(c) => quote_spanned! {span=> if !(#c) { __disabled |= #bit; } },
            None => quote_spanned! {span=>},
        }
    });
    let make_futs = select.branches.iter().zip(&futs).map(|(b, f)| {
        let fut = &b.fut;
        quote_spanned! {span=> let mut #f = ::core::pin::pin!(#fut); }
    });
    let poll_arms = select.branches.iter().enumerate().map(|(i, b)| {
        let bit = 1u64 << i;
        let i_u32 = i as u32;
        let pat = check_pattern(&b.pat);
        let f = &futs[i];
        let v = &variants[i];
        quote_spanned! {span=>
            #i_u32 => {
                if let ::core::task::Poll::Ready(__out) =
                    ::core::future::Future::poll(#f.as_mut(), __cx)
                {
                    #[allow(unreachable_patterns, unused_variables)]
                    match &__out {
                        #pat => return ::core::task::Poll::Ready(__SelectOut::#v(__out)),
                        _ => { __disabled |= #bit; }
                    }
                }
            }
        }
    });
    let handler_arms = select.branches.iter().enumerate().map(|(i, b)| {
        let pat = &b.pat;
        let handler = &b.handler;
        let v = &variants[i];
        quote_spanned! {span=> __SelectOut::#v(#pat) => #handler, }
    });
    let else_arm = match &select.else_branch {
        Some(e) => quote_spanned! {span=> __SelectOut::Disabled => #e, },
        None => quote_spanned! {span=>
            __SelectOut::Disabled => ::core::panic!(
                "all branches of select! are disabled and there is no `else` branch"
            ),
        },
    };
    let start = if select.biased {
        quote_spanned! {span=> 0u32 }
    } else {
        quote_spanned! {span=> #krate::__private::select_start(#n_u32) }
    };
    let all: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    quote_spanned! {span=>{
        enum __SelectOut<#(#types,)*> {
            #(#variants(#types),)*
            Disabled,
        }
        let mut __disabled: u64 = 0;
        #(#conds)*
        // The futures live in this block only: the losers are dropped
        // before a handler runs (a queued lock or send would otherwise keep
        // its place, or a permit handed to it, while the handler waits).
        let __output = {
        #(#make_futs)*
        ::core::future::poll_fn(|__cx| {
            let __start: u32 = #start;
            for __k in 0..#n_u32 {
                let __branch = #krate::__private::select_branch(__start, __k, #n_u32);
                if __disabled & (1u64 << __branch) != 0 {
                    continue;
                }
                match __branch {
                    #(#poll_arms)*
                    _ => ::core::unreachable!(),
                }
            }
            if __disabled == #all {
                return ::core::task::Poll::Ready(__SelectOut::Disabled);
            }
            ::core::task::Poll::Pending
        })
        .await
        };
        #[allow(unreachable_patterns)]
        match __output {
            #(#handler_arms)*
            #else_arm
            _ => ::core::unreachable!("select! output did not match the pattern it was checked against"),
        }
    }}
}
