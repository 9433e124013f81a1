//! `postlint server`: the Language Server Protocol over standard input and output, for
//! editors. Open post files (`.json`, `.ndjson`, `.jsonl`) are linted from the editor's
//! buffer on open, change and save; findings come back as diagnostics in the position
//! encoding the client asks for, fixes as code actions, and the rule's documentation on hover.
//! The config (`postlint.toml` of the workspace) is read again when it changes. The server
//! uses the engine; nothing of the engine knows it.

mod actions;
mod document;
mod lint;
pub mod positions;
pub mod watch;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as notes, Notification as _};
use lsp_types::request::{self as requests, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, MessageType, PublishDiagnosticsParams, Registration,
    RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};

use crate::config::Config;
use document::{Document, is_config_file, is_post_file};
pub use lint::Settings;
use positions::Encoding;

/// Runs the server on standard input and output until the client shuts it down.
pub fn run(settings: Settings) -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection, settings)?;
    drop(connection);
    io_threads
        .join()
        .map_err(|e| format!("the connection failed: {e}"))
}

/// Serves one client on `connection`: the handshake, then messages until `shutdown`.
pub fn serve(connection: &Connection, mut settings: Settings) -> Result<(), String> {
    let protocol = |e: lsp_server::ProtocolError| e.to_string();
    let (id, params) = connection.initialize_start().map_err(protocol)?;
    let params: InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("a malformed initialize: {e}"))?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    settings.merge_client(params.initialization_options.as_ref());
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo {
            name: "postlint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        },
    });
    connection.initialize_finish(id, result).map_err(protocol)?;
    let mut server = Server::new(connection, encoding, workspace_root(&params), settings);
    if watches_files(&params) {
        server.watch_config_files();
    }
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request).map_err(protocol)? {
                    return Ok(());
                }
                server.on_request(request);
            }
            Message::Notification(note) if note.method == notes::Exit::METHOD => {
                return Err("the client sent `exit` without `shutdown`".to_owned());
            }
            Message::Notification(notification) => server.on_notification(notification),
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(actions::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The folder whose `postlint.toml` applies: the first workspace folder, else the root the
/// client names, else where the server was started.
fn workspace_root(params: &InitializeParams) -> PathBuf {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri);
    #[allow(deprecated)] // `root_uri` is what older clients (Neovim 0.7) send.
    let uri = folder.or(params.root_uri.as_ref());
    uri.and_then(document::file_path)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

fn watches_files(params: &InitializeParams) -> bool {
    let workspace = params.capabilities.workspace.as_ref();
    workspace
        .and_then(|w| w.did_change_watched_files)
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false)
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    root: PathBuf,
    settings: Settings,
    config: Arc<Config>,
    documents: HashMap<Url, Document>,
}

impl<'c> Server<'c> {
    fn new(
        connection: &'c Connection,
        encoding: Encoding,
        root: PathBuf,
        settings: Settings,
    ) -> Self {
        let mut server = Self {
            connection,
            encoding,
            root,
            settings,
            config: Arc::new(Config::builtin(crate::rules::REGISTRY)),
            documents: HashMap::new(),
        };
        server.reload_config();
        server
    }

    /// Reads the config again; a mistake in it is shown, and the last good config kept.
    fn reload_config(&mut self) {
        match lint::load_config(&self.root, &self.settings) {
            Ok(config) => self.config = Arc::new(config),
            Err(message) => {
                self.show_message(MessageType::ERROR, format!("postlint.toml: {message}"))
            }
        }
    }

    /// Asks the client to tell when a config file changes.
    fn watch_config_files(&self) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.toml".to_owned()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "postlint-config".to_owned(),
            method: notes::DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        let params = RegistrationParams {
            registrations: vec![registration],
        };
        let request = Request::new(
            "postlint-watch".to_owned().into(),
            requests::RegisterCapability::METHOD.to_owned(),
            params,
        );
        self.send(request.into());
    }

    fn on_notification(&mut self, note: Notification) {
        let result = match note.method.as_str() {
            notes::DidOpenTextDocument::METHOD => self.did_open(note),
            notes::DidChangeTextDocument::METHOD => self.did_change(note),
            notes::DidSaveTextDocument::METHOD => self.did_save(note),
            notes::DidCloseTextDocument::METHOD => self.did_close(note),
            notes::DidChangeWatchedFiles::METHOD => self.did_change_watched(note),
            notes::DidChangeConfiguration::METHOD => {
                self.config_changed();
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(message) = result {
            self.show_message(MessageType::WARNING, message);
        }
    }

    fn did_open(&mut self, note: Notification) -> Result<(), String> {
        let params: lsp_types::DidOpenTextDocumentParams = extract(note)?;
        let item = params.text_document;
        if !is_post_file(&item.uri) {
            return Ok(());
        }
        let document = Document::new(item.uri.clone(), Some(item.version), item.text);
        self.documents.insert(item.uri.clone(), document);
        self.lint_and_publish(&item.uri);
        Ok(())
    }

    fn did_change(&mut self, note: Notification) -> Result<(), String> {
        let params: lsp_types::DidChangeTextDocumentParams = extract(note)?;
        let Some(document) = self.documents.get_mut(&params.text_document.uri) else {
            return Ok(());
        };
        // Full sync: the last change holds the whole text.
        if let Some(change) = params.content_changes.into_iter().next_back() {
            document.text = change.text;
        }
        document.version = Some(params.text_document.version);
        self.lint_and_publish(&params.text_document.uri);
        Ok(())
    }

    fn did_save(&mut self, note: Notification) -> Result<(), String> {
        let params: lsp_types::DidSaveTextDocumentParams = extract(note)?;
        let uri = params.text_document.uri;
        if is_config_file(&uri) {
            self.config_changed();
            return Ok(());
        }
        let Some(document) = self.documents.get_mut(&uri) else {
            return Ok(());
        };
        if let Some(text) = params.text {
            document.text = text;
        }
        self.lint_and_publish(&uri);
        Ok(())
    }

    fn did_close(&mut self, note: Notification) -> Result<(), String> {
        let params: lsp_types::DidCloseTextDocumentParams = extract(note)?;
        if let Some(document) = self.documents.remove(&params.text_document.uri) {
            self.publish(document.uri, Vec::new(), None);
        }
        Ok(())
    }

    fn did_change_watched(&mut self, note: Notification) -> Result<(), String> {
        let params: lsp_types::DidChangeWatchedFilesParams = extract(note)?;
        if params.changes.iter().any(|c| is_config_file(&c.uri)) {
            self.config_changed();
        }
        Ok(())
    }

    /// The config may have changed: read it again and lint every open buffer with it.
    fn config_changed(&mut self) {
        self.reload_config();
        let open: Vec<Url> = self.documents.keys().cloned().collect();
        for uri in open {
            self.lint_and_publish(&uri);
        }
    }

    fn lint_and_publish(&mut self, uri: &Url) {
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        document.relint(&self.config);
        let diagnostics = document.diagnostics(self.encoding);
        let version = document.version;
        self.publish(uri.clone(), diagnostics, version);
    }

    fn publish(&self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(notes::PublishDiagnostics::METHOD.to_owned(), params).into());
    }

    fn on_request(&mut self, request: Request) {
        let id = request.id.clone();
        let response = match request.method.as_str() {
            requests::CodeActionRequest::METHOD => self.code_action(request),
            requests::HoverRequest::METHOD => self.hover(request),
            other => Err((
                ErrorCode::MethodNotFound,
                format!("postlint does not answer `{other}`"),
            )),
        };
        let response = match response {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response.into());
    }

    fn code_action(&self, request: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: lsp_types::CodeActionParams = extract_request(request)?;
        let Some(document) = self.documents.get(&params.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let found = actions::code_actions(
            document,
            &self.config,
            self.encoding,
            params.range,
            params.context.only.as_deref(),
        );
        Ok(serde_json::to_value(found).unwrap_or_default())
    }

    fn hover(&self, request: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: lsp_types::HoverParams = extract_request(request)?;
        let at = params.text_document_position_params;
        let hover = self
            .documents
            .get(&at.text_document.uri)
            .and_then(|document| actions::hover(document, self.encoding, at.position));
        Ok(serde_json::to_value(hover).unwrap_or_default())
    }

    fn show_message(&self, typ: MessageType, message: String) {
        let params = ShowMessageParams { typ, message };
        self.send(Notification::new(notes::ShowMessage::METHOD.to_owned(), params).into());
    }

    /// Sends to the client; a client that went away ends the loop on its own.
    fn send(&self, message: Message) {
        let _ = self.connection.sender.send(message);
    }
}

fn extract<P: serde::de::DeserializeOwned>(note: Notification) -> Result<P, String> {
    let method = note.method.clone();
    serde_json::from_value(note.params)
        .map_err(|e| format!("postlint: a malformed `{method}`: {e}"))
}

fn extract_request<P: serde::de::DeserializeOwned>(
    request: Request,
) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(request.params).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("malformed `{}`: {e}", request.method),
        )
    })
}
