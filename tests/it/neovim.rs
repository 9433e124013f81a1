//! One real editor: Debian's Neovim (0.7), headless, its built-in LSP client started on
//! `postlint server` by a small Lua script, opening a post file and reading
//! `vim.diagnostic.get()`. Its lines and columns must be those of `postlint check` on the
//! same file, on a line with non-ASCII text before the finding. Skips without `nvim`, except
//! under `CI=true` (`.ci/run` installs it).

use std::process::Command;

use serde_json::Value;

use crate::common::{project, system_tool};
use crate::server::{POST, cli_findings};

/// Opens `$POSTLINT_POST`, attaches `$POSTLINT_BIN server` to it, waits (on the editor's
/// event loop, returning as soon as they come) for its diagnostics and writes them, as
/// Neovim holds them, to `$POSTLINT_OUT` as JSON.
const SCRIPT: &str = r#"
local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.POSTLINT_POST))
  local buf = vim.api.nvim_get_current_buf()
  local client = vim.lsp.start_client({
    name = 'postlint',
    cmd = { vim.env.POSTLINT_BIN, 'server' },
    root_dir = vim.fn.fnamemodify(vim.env.POSTLINT_POST, ':h'),
  })
  assert(client, 'the client did not start')
  assert(vim.lsp.buf_attach_client(buf, client), 'the client did not attach')
  local arrived = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  assert(arrived, 'no diagnostics came')
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(found, {
      code = d.code or lsp.code, source = d.source, severity = d.severity,
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    })
  end
  vim.fn.writefile({ vim.fn.json_encode(found) }, vim.env.POSTLINT_OUT)
  vim.lsp.stop_client(client)
end
local ok, err = pcall(run)
if not ok then
  io.stderr:write(tostring(err) .. '\n')
  vim.cmd('cquit 3')
end
vim.cmd('qall!')
"#;

/// The 0-based byte column of a CLI column (1-based characters) on `line` of `text`: how
/// Neovim counts.
fn byte_column(text: &str, line: u64, column: u64) -> u64 {
    let line_text = text.split('\n').nth(line as usize - 1).expect("line");
    let bytes: usize = line_text
        .chars()
        .take(column as usize - 1)
        .map(char::len_utf8)
        .sum();
    bytes as u64
}

#[test]
fn neovim_shows_the_findings_where_the_cli_puts_them() {
    let Some(nvim) = system_tool("nvim", Some("POSTLINT_NVIM")) else {
        return;
    };
    let dir = project(&[("post.json", POST), ("test.lua", SCRIPT)]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let out = dir.path().join("diagnostics.json");
    let output = Command::new(nvim)
        .args([
            "--headless",
            "--clean",
            "-n",
            "-i",
            "NONE",
            "-c",
            "luafile test.lua",
        ])
        .current_dir(dir.path())
        .env("POSTLINT_POST", dir.path().join("post.json"))
        .env("POSTLINT_BIN", env!("CARGO_BIN_EXE_postlint"))
        .env("POSTLINT_OUT", &out)
        // Neovim's logs and state go to the test's folder, not the user's.
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .expect("run nvim");
    assert!(
        output.status.success(),
        "nvim failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    let shown: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the script's output"))
            .expect("JSON");
    let mut shown: Vec<(u64, u64, u64, u64, String)> = shown
        .iter()
        .map(|d| {
            let n = |key: &str| d[key].as_u64().expect(key);
            assert_eq!(d["source"], "postlint");
            let code = d["code"].as_str().expect("code").to_owned();
            (n("lnum"), n("col"), n("end_lnum"), n("end_col"), code)
        })
        .collect();
    shown.sort();
    let cli = cli_findings(dir.path(), "post.json");
    let mut expected: Vec<(u64, u64, u64, u64, String)> = cli
        .iter()
        .map(|d| {
            let span = &d["span"];
            let n = |key: &str| span[key].as_u64().expect(key);
            let rule = d["rule"].as_str().expect("rule").to_owned();
            (
                n("line") - 1,
                byte_column(POST, n("line"), n("column")),
                n("end_line") - 1,
                byte_column(POST, n("end_line"), n("end_column")),
                rule,
            )
        })
        .collect();
    expected.sort();
    assert_eq!(shown.len(), 3);
    assert_eq!(shown, expected);
    // The first finding is past `’“”😀`: its byte column is past its character column.
    assert_eq!(shown[0].1, 59, "{shown:?}");
}
