//! The integration tests, one binary: each file of this folder is a module (one link of the
//! crate with tokio and reqwest instead of one per file).

mod common;

mod architecture;
mod blocks;
mod cases;
mod cli;
mod config;
mod corpus;
mod dates;
mod determinism;
mod fix;
mod formats;
mod fuzz_replay;
mod hostile;
mod html_browser;
mod links;
mod links_more;
mod loud_rules;
mod merge;
mod neovim;
mod post_fetch;
mod precision;
mod raw_content;
mod reader_defects;
mod registry;
mod rendered_defects;
mod reports;
mod rules;
mod seed;
mod segments;
mod server;
mod settle;
mod site;
mod site_fetch;
mod span_map;
mod spillcfg;
mod watch;
mod wordpress_e2e;
mod workflows;
mod wxr;
