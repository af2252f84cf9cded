// VS Code client for the sanc language server (`sanc lsp`, LSP over stdio).
//
// Everything language-aware (diagnostics, hover, go to definition,
// references, rename, completion, document symbols, formatting) lives in the
// server. This file only starts it, restarts it when asked or when
// `sanc.serverPath` changes, and stops it on deactivation.

import * as os from "os";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let outputChannel: vscode.OutputChannel;
let traceOutputChannel: vscode.OutputChannel;
let fileWatcher: vscode.FileSystemWatcher;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Created once, so that the logs survive a server restart.
  outputChannel = vscode.window.createOutputChannel("sanc Language Server");
  traceOutputChannel = vscode.window.createOutputChannel("sanc Language Server Trace");
  // Tells the server when .sanc files are created, changed or deleted outside
  // the editor: all files of a rule set share one namespace.
  fileWatcher = vscode.workspace.createFileSystemWatcher("**/*.sanc");

  context.subscriptions.push(
    outputChannel,
    traceOutputChannel,
    fileWatcher,
    vscode.commands.registerCommand("sanc.restartServer", restartClient),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("sanc.serverPath")) {
        await restartClient();
      }
    }),
  );

  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(): Promise<void> {
  const command = serverPath();
  const executable = { command, args: ["lsp"], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: executable, debug: executable };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "sanc" }],
    synchronize: { fileEvents: fileWatcher },
    outputChannel,
    traceOutputChannel,
  };

  // The id "sanc" makes the client read its trace level from `sanc.trace.server`.
  const starting = new LanguageClient("sanc", "sanc Language Server", serverOptions, clientOptions);
  client = starting;
  try {
    await starting.start();
  } catch (error) {
    if (client === starting) {
      client = undefined;
    }
    const reason = error instanceof Error ? error.message : String(error);
    const choice = await vscode.window.showErrorMessage(
      `Could not start the sanc language server (\`${command} lsp\`): ${reason} ` +
        "Put `sanc` on your PATH (`cargo install --path .` in the sanc repository) or set `sanc.serverPath`.",
      "Open Settings",
    );
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "sanc.serverPath");
    }
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running?.isRunning()) {
    await running.stop();
  }
}

async function restartClient(): Promise<void> {
  await stopClient();
  await startClient();
}

/** The `sanc` executable to run: `sanc.serverPath`, with a leading `~` expanded. */
function serverPath(): string {
  const configured = vscode.workspace.getConfiguration("sanc").get<string>("serverPath", "sanc").trim();
  if (configured === "") {
    return "sanc";
  }
  if (configured === "~" || configured.startsWith("~/")) {
    return os.homedir() + configured.slice(1);
  }
  return configured;
}
