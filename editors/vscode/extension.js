// Starts `postlint server` for post files: `.json`, `.ndjson` and `.jsonl`. The server lints
// the editor's buffer; it reads `postlint.toml` of the workspace, from its buffer as it is
// typed, and again when a `.toml` file changes on disk (the watcher below tells it).
const { workspace } = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate() {
  const settings = workspace.getConfiguration('postlint');
  const server = { command: settings.get('path'), args: ['server'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', pattern: '**/*.{json,ndjson,jsonl}' },
      { scheme: 'untitled', language: 'json' },
      // Read as it is typed; its mistakes are shown in it.
      { scheme: 'file', pattern: '**/postlint.toml' },
    ],
    initializationOptions: { siteRules: settings.get('siteRules') },
    synchronize: { fileEvents: workspace.createFileSystemWatcher('**/*.toml') },
  };
  client = new LanguageClient('postlint', 'postlint', server, clientOptions);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
