//! `postlint server`: the Language Server Protocol over standard input and output, for
//! editors. Open post files (`.json`, `.ndjson`, `.jsonl`) are linted from the editor's
//! buffer on open, change and save; findings come back as diagnostics in the position
//! encoding the client asks for, fixes as code actions, and the rule's documentation on hover.
//! The config (`postlint.toml` of the workspace) is read again when it changes. The server
//! uses the engine; nothing of the engine knows it. It reads its own frames, under size
//! limits (`framing`), and answers whatever is not a message of the protocol (`jsonrpc`).

mod actions;
pub(crate) mod connection;
mod document;
pub(crate) mod framing;
pub(crate) mod jsonrpc;
mod lint;
pub mod positions;
pub mod watch;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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
use connection::{Connection, Incoming};
use document::{Document, is_config_file, is_post_file};
pub use framing::MAX_MESSAGE_BYTES;
use framing::{Excerpt, FrameError, brief};
use jsonrpc::{ErrorCode, Message, Notification, Rejection, Request, RequestId, Response};
pub use lint::Settings;
use positions::Encoding;

/// Why a session ended other than by `shutdown` then `exit` (the exit status is then 1, as the
/// protocol asks).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot start: {0}")]
    Start(std::io::Error),
    #[error("the client sent `exit` without `shutdown`")]
    ExitWithoutShutdown,
    #[error("the client closed the connection without `shutdown`")]
    Disconnected,
    #[error("{0}")]
    Stream(FrameError),
    #[error(
        "{0}; `postlint server` speaks the Language Server Protocol on standard input and \
         output, for an editor to start"
    )]
    NotAClient(FrameError),
    #[error("writing to the client failed: {0}")]
    Output(std::io::Error),
}

/// Runs the server on standard input and output until the client shuts it down.
pub fn run(settings: Settings) -> Result<(), ServerError> {
    let (connection, writer) = Connection::stdio().map_err(ServerError::Start)?;
    let served = serve(&connection, settings);
    // The writer ends once it has written what is queued. The reader may wait on a client
    // that keeps its end open: it is left to end with the process.
    drop(connection);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")));
    served?;
    written.map_err(ServerError::Output)
}

/// Serves one client on `connection`: the handshake, then messages until `exit`.
pub(crate) fn serve(connection: &Connection, mut settings: Settings) -> Result<(), ServerError> {
    let (id, params) = await_initialize(connection)?;
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
    let _ = connection.sender.send(Response::new_ok(id, result).into());
    let mut server = Server::new(connection, encoding, workspace_root(&params), settings);
    server.watches_files = watches_files(&params);
    server.run()
}

/// Waits for `initialize`. Before it a request is answered with an error, a notification
/// dropped, except `exit`, as the protocol asks.
fn await_initialize(connection: &Connection) -> Result<(RequestId, InitializeParams), ServerError> {
    for incoming in &connection.receiver {
        let request = match incoming {
            Incoming::Message(Message::Request(request)) => request,
            Incoming::Message(Message::Notification(note))
                if note.method == notes::Exit::METHOD =>
            {
                return Err(ServerError::ExitWithoutShutdown);
            }
            Incoming::Message(_) => continue,
            Incoming::Broken(error) => return Err(ServerError::NotAClient(error)),
            Incoming::Rejected(rejection) => {
                answer_rejection(connection, &rejection, WAITING);
                continue;
            }
            Incoming::Skipped { length, limit } => {
                log_fault(&skipped(length, limit));
                continue;
            }
        };
        match read_initialize(request) {
            Ok(initialize) => return Ok(initialize),
            Err(refusal) => {
                let _ = connection.sender.send(refusal.into());
            }
        }
    }
    Err(ServerError::Disconnected)
}

/// The id and params of `initialize`; another request, or a malformed `initialize`, gets an
/// error.
fn read_initialize(request: Request) -> Result<(RequestId, InitializeParams), Response> {
    let (code, message) = match request.method.as_str() {
        requests::Initialize::METHOD => match serde_json::from_value(request.params) {
            Ok(params) => return Ok((request.id, params)),
            Err(e) => (
                ErrorCode::InvalidParams,
                format!("a malformed `initialize`: {}", brief(e)),
            ),
        },
        other => (
            ErrorCode::ServerNotInitialized,
            format!(
                "`{}` came before `initialize`",
                Excerpt::of(other.as_bytes())
            ),
        ),
    };
    Err(Response::new_err(request.id, code as i32, message))
}

/// Added to what is answered before `initialize`.
const WAITING: &str = " (the server is waiting for `initialize`)";

/// Answers a message that is not of the protocol, and writes why to standard error too, where
/// editors keep a server's log. Nothing of the client's is quoted at length.
fn answer_rejection(connection: &Connection, rejection: &Rejection, note: &str) {
    let _ = connection.sender.send(rejection.reply(note).into());
    log_fault(&format!("{rejection}{note}"));
}

/// How many faults of the client are written to standard error: a client that floods the
/// server with them, and does not read that pipe, must not fill it and block the server.
const LOGGED_FAULTS: usize = 100;

fn log_fault(text: &str) {
    static LOGGED: AtomicUsize = AtomicUsize::new(0);
    match LOGGED.fetch_add(1, Ordering::Relaxed) {
        n if n < LOGGED_FAULTS => eprintln!("postlint server: {text}"),
        LOGGED_FAULTS => eprintln!("postlint server: further faults are answered, not logged"),
        _ => {}
    }
}

fn skipped(length: u64, limit: u64) -> String {
    format!(
        "a message of {length} bytes was skipped: the server reads messages of up to {limit} bytes"
    )
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
    /// Whether to ask for config changes once the client says `initialized`.
    watches_files: bool,
    shut_down: bool,
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
            watches_files: false,
            shut_down: false,
        };
        server.reload_config();
        server
    }

    /// Handles messages until `exit` or the end of the input.
    fn run(&mut self) -> Result<(), ServerError> {
        let connection = self.connection;
        for incoming in &connection.receiver {
            let message = match incoming {
                Incoming::Message(message) => message,
                Incoming::Rejected(rejection) => {
                    answer_rejection(connection, &rejection, "");
                    continue;
                }
                Incoming::Skipped { length, limit } => {
                    let text = skipped(length, limit);
                    log_fault(&text);
                    self.show_message(MessageType::WARNING, format!("postlint: {text}"));
                    continue;
                }
                Incoming::Broken(error) => return Err(ServerError::Stream(error)),
            };
            match message {
                Message::Request(request) => self.on_request(request),
                Message::Notification(note) if note.method == notes::Exit::METHOD => {
                    return self.exit_status();
                }
                Message::Notification(note) => self.on_notification(note),
                Message::Response(_) => {}
            }
        }
        self.exit_status().map_err(|_| ServerError::Disconnected)
    }

    fn exit_status(&self) -> Result<(), ServerError> {
        if self.shut_down {
            return Ok(());
        }
        Err(ServerError::ExitWithoutShutdown)
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
        if self.shut_down {
            return;
        }
        let result = match note.method.as_str() {
            notes::Initialized::METHOD => {
                if self.watches_files {
                    self.watch_config_files();
                }
                Ok(())
            }
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
            _ if self.shut_down => Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".to_owned(),
            )),
            requests::Shutdown::METHOD => {
                self.shut_down = true;
                Ok(serde_json::Value::Null)
            }
            requests::Initialize::METHOD => Err((
                ErrorCode::InvalidRequest,
                "the server is already initialized".to_owned(),
            )),
            requests::CodeActionRequest::METHOD => self.code_action(request),
            requests::HoverRequest::METHOD => self.hover(request),
            other => Err((
                ErrorCode::MethodNotFound,
                format!(
                    "postlint does not answer `{}`",
                    Excerpt::of(other.as_bytes())
                ),
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
        .map_err(|e| format!("postlint: a malformed `{method}`: {}", brief(e)))
}

fn extract_request<P: serde::de::DeserializeOwned>(
    request: Request,
) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(request.params).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("malformed `{}`: {}", request.method, brief(e)),
        )
    })
}
