// Tokenizes every .sanc file of the repository with VS Code's own TextMate
// engine (vscode-textmate + vscode-oniguruma) and the extension's grammar,
// and fails if a keyword, number, unit, date, string, comment or HS code is
// left with no scope but the file's own (`source.sanc`).
//
//     npm ci && npm test        (run by .ci/run)
"use strict";
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const repo = path.resolve(__dirname, "../../..");
const grammarPath = path.resolve(__dirname, "../syntaxes/sanc.tmLanguage.json");

// The language's words come from the one keyword table of the sources.
const table = fs.readFileSync(path.join(repo, "src/syntax/keywords.rs"), "utf8");
// Its entries read `NAME = "word": Role,`.
const keywords = new Set([...table.matchAll(/^\s*[A-Z_]+ = "([a-z_]+)": \w+,$/gm)].map((m) => m[1]));
if (keywords.size < 40) throw new Error(`only ${keywords.size} keywords read`);
const unitsSource = fs.readFileSync(path.join(repo, "src/units.rs"), "utf8");
const units = new Set([...unitsSource.matchAll(/\("([a-z0-9]+)", Dimension::/g)].map((m) => m[1]));
if (units.size < 5) throw new Error(`only ${units.size} units read`);

function sancFiles(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".") || e.name === "target" || e.name === "node_modules") continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sancFiles(p, out);
    else if (e.isFile() && e.name.endsWith(".sanc")) out.push(p);
  }
  return out;
}

/// What an unscoped piece of text should not contain, or null.
function unscopedProblem(text, before) {
  if (text.includes('"')) return "string";
  if (text.includes("#")) return "comment";
  if (/\d{4}-\d{2}-\d{2}/.test(text)) return "date";
  // Digits not inside a name: a number, percentage or HS code.
  if (/(^|[^A-Za-z0-9_])\d/.test(text)) return /\bhs\s*$/.test(before) ? "HS code" : "number";
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const w = m[0];
    const ahead = before + text.slice(0, m.index);
    // A word after `name:` at the start of a line is a label, not a keyword.
    if (keywords.has(w)) return `keyword \`${w}\``;
    if (units.has(w) && /\d\s*$/.test(ahead)) return `unit \`${w}\``;
  }
  return null;
}

async function main() {
  const wasmFile = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  const wasm = wasmFile.buffer.slice(wasmFile.byteOffset, wasmFile.byteOffset + wasmFile.byteLength);
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (s) => new oniguruma.OnigScanner(s),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.sanc"
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath)
        : null,
  });
  const grammar = await registry.loadGrammar("source.sanc");
  const files = sancFiles(repo, []);
  if (files.length < 20) throw new Error(`only ${files.length} .sanc files found`);
  const problems = [];
  let tokens = 0;
  for (const file of files) {
    const lines = fs.readFileSync(file, "utf8").split(/\r\n|\r|\n/);
    let state = vsctm.INITIAL;
    lines.forEach((line, n) => {
      const r = grammar.tokenizeLine(line, state);
      for (const t of r.tokens) {
        tokens++;
        if (t.scopes.length > 1) continue;
        const text = line.slice(t.startIndex, t.endIndex);
        const problem = unscopedProblem(text, line.slice(0, t.startIndex));
        if (problem) {
          problems.push(`${path.relative(repo, file)}:${n + 1}:${t.startIndex + 1}: ${problem} without a scope in ${JSON.stringify(text)}`);
        }
      }
      state = r.ruleStack;
    });
  }
  if (problems.length > 0) {
    console.error(problems.slice(0, 50).join("\n"));
    console.error(`${problems.length} unscoped tokens in ${files.length} files`);
    process.exit(1);
  }
  console.log(`grammar: ${files.length} .sanc files, ${tokens} tokens, every keyword, number, unit, date, string, comment and HS code scoped`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
