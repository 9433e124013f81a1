//! `postlint server`: the Language Server Protocol over standard input and output, for
//! editors. Open post files (`.json`, `.ndjson`, `.jsonl`) are linted from the editor's
//! buffer on open, change and save; findings come back as diagnostics in the position
//! encoding the client asks for, fixes as code actions, and the rule's documentation on hover.
//! The config (`postlint.toml` of the workspace) is read again when it changes, and its
//! mistakes are shown in it. The server uses the engine; nothing of the engine knows it. It
//! reads its own frames, under size limits (`framing`), and answers whatever is not a message
//! of the protocol (`jsonrpc`).

mod actions;
mod config_errors;
mod config_watch;
pub(crate) mod connection;
mod document;
pub(crate) mod framing;
pub(crate) mod jsonrpc;
mod lint;
pub mod positions;
pub mod watch;

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

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

use crate::config::{Config, ConfigError};
use config_watch::ConfigWatch;
use connection::{Connection, Incoming};
use document::{Document, is_config_file, is_post_document};
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
    // A client that cannot tell of a change of the config (Neovim 0.7) gets the server's own
    // watch; one that can is asked to once it says `initialized`.
    if !server.watches_files && !server.settings.no_config {
        server.watch_config_itself();
    }
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
        // Not `eprintln!`: it panics when the editor has closed standard error.
        n if n < LOGGED_FAULTS => {
            let _ = writeln!(std::io::stderr(), "postlint server: {text}");
        }
        LOGGED_FAULTS => {
            let _ = writeln!(
                std::io::stderr(),
                "postlint server: further faults are answered, not logged"
            );
        }
        _ => {}
    }
}

fn skipped(length: u64, limit: u64) -> String {
    format!(
        "a message of {length} bytes was skipped: the server reads messages of up to {limit} bytes"
    )
}

/// How long a server that was shut down waits for `exit` before it ends on its own (with
/// success: it was shut down).
const EXIT_WAIT: Duration = Duration::from_secs(30);

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
    /// Open `.toml` buffers: the config in use is read from its buffer when it is open.
    config_buffers: HashMap<Url, String>,
    /// The config files that were last given diagnostics, to clear them once mended.
    config_diagnosed: BTreeSet<Url>,
    /// The server's own watch, when the client offers none.
    config_watch: Option<ConfigWatch>,
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
            config_buffers: HashMap::new(),
            config_diagnosed: BTreeSet::new(),
            config_watch: None,
            watches_files: false,
            shut_down: false,
        };
        server.reload_config();
        server
    }

    /// Handles messages until `exit` or the end of the input, and the changes the server's own
    /// watch sees in the config. After `shutdown` a request is refused, a notification
    /// dropped, and the answer to a request of the server's own still taken (a client that
    /// stops right after starting answers `registerCapability` late); the wait for `exit` is
    /// bounded.
    fn run(&mut self) -> Result<(), ServerError> {
        let connection = self.connection;
        let config_changes = self.config_changes();
        let mut exit_wait = crossbeam_channel::never();
        let mut waiting_for_exit = false;
        loop {
            if self.shut_down && !waiting_for_exit {
                waiting_for_exit = true;
                exit_wait = crossbeam_channel::at(Instant::now() + EXIT_WAIT);
            }
            let incoming = crossbeam_channel::select! {
                recv(connection.receiver) -> incoming => match incoming {
                    Ok(incoming) => incoming,
                    Err(_) => return self.exit_status().map_err(|_| ServerError::Disconnected),
                },
                recv(config_changes) -> _ => {
                    if !self.shut_down {
                        self.config_changed();
                    }
                    continue;
                }
                // Shut down, and no `exit` came: the end the client asked for.
                recv(exit_wait) -> _ => return Ok(()),
            };
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
                // The answers to the server's own requests (`registerCapability`), at any time.
                Message::Response(_) => {}
            }
        }
    }

    fn exit_status(&self) -> Result<(), ServerError> {
        if self.shut_down {
            return Ok(());
        }
        Err(ServerError::ExitWithoutShutdown)
    }

    /// Reads the config again, from the editor's buffer of it when one is open. Its mistakes
    /// are shown in its files (the last good config is kept); once mended they are cleared.
    fn reload_config(&mut self) {
        let file = lint::config_file(&self.root, &self.settings);
        let buffer = file.as_deref().and_then(|file| self.config_buffer(file));
        let loaded = match (&file, buffer) {
            (Some(file), Some(text)) => lint::load_config_text(file, text, &self.settings),
            _ => lint::load_config(&self.root, &self.settings),
        };
        let errors = match loaded {
            Ok(config) => {
                self.config = Arc::new(config);
                Vec::new()
            }
            Err(errors) => errors,
        };
        self.show_config_errors(&errors, file.as_deref());
        self.watch_config_sources(file);
    }

    /// Whether `uri` is the config file the server reads (not a pack, not another `.toml`).
    fn is_config_in_use(&self, uri: &Url) -> bool {
        let Some(file) = lint::config_file(&self.root, &self.settings) else {
            return false;
        };
        document::file_path(uri).is_some_and(|path| same_file(&path, &file))
    }

    fn config_buffer(&self, file: &Path) -> Option<&str> {
        self.config_buffers.iter().find_map(|(uri, text)| {
            let path = document::file_path(uri)?;
            same_file(&path, file).then_some(text.as_str())
        })
    }

    fn show_config_errors(&mut self, errors: &[ConfigError], file: Option<&Path>) {
        let shown = config_errors::diagnostics(errors, file, self.encoding);
        let mended: Vec<Url> = (self.config_diagnosed.iter())
            .filter(|uri| !shown.by_file.contains_key(*uri))
            .cloned()
            .collect();
        for uri in mended {
            self.publish(uri, Vec::new(), None);
        }
        self.config_diagnosed = shown.by_file.keys().cloned().collect();
        for (uri, diagnostics) in shown.by_file {
            self.publish(uri, diagnostics, None);
        }
        for message in shown.unplaced {
            self.show_message(MessageType::ERROR, format!("postlint config: {message}"));
        }
    }

    /// Starts the server's own watch on the config, for a client that offers none.
    fn watch_config_itself(&mut self) {
        match ConfigWatch::start() {
            Ok(watch) => self.config_watch = Some(watch),
            Err(error) => self.show_message(
                MessageType::WARNING,
                format!("postlint: cannot watch postlint.toml ({error}); restart the server after a change"),
            ),
        }
        self.watch_config_sources(lint::config_file(&self.root, &self.settings));
    }

    /// Adds the folders of the config's files to the server's own watch: the workspace's (where
    /// a new `postlint.toml` would appear), the config file's, and its packs'.
    fn watch_config_sources(&mut self, file: Option<PathBuf>) {
        let Some(watch) = &mut self.config_watch else {
            return;
        };
        let packs = (self.config.sources.iter()).map(|source| PathBuf::from(&source.name));
        let root = self.root.join(crate::config::CONFIG_FILE_NAME);
        let files = std::iter::once(root).chain(file).chain(packs);
        watch.watch(files.map(|f| config_errors::absolute(&f)));
    }

    /// What tells the loop that the server's own watch saw a config file change.
    fn config_changes(&self) -> Receiver<()> {
        match &self.config_watch {
            Some(watch) => watch.changes.clone(),
            None => crossbeam_channel::never(),
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
        if is_config_file(&item.uri) {
            self.config_buffers.insert(item.uri, item.text);
            return Ok(());
        }
        if !is_post_document(&item.uri, &item.language_id) {
            return Ok(());
        }
        let document = Document::new(item.uri.clone(), Some(item.version), item.text);
        self.documents.insert(item.uri.clone(), document);
        self.lint_and_publish(&item.uri);
        Ok(())
    }

    fn did_change(&mut self, note: Notification) -> Result<(), String> {
        let params: lsp_types::DidChangeTextDocumentParams = extract(note)?;
        let uri = &params.text_document.uri;
        if let Some(text) = self.config_buffers.get_mut(uri) {
            if let Some(change) = params.content_changes.into_iter().next_back() {
                *text = change.text;
            }
            // Another `.toml` (`Cargo.toml`, a pack) counts once saved, not as it is typed.
            if self.is_config_in_use(uri) {
                self.config_changed();
            }
            return Ok(());
        }
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
            if let (Some(buffer), Some(text)) = (self.config_buffers.get_mut(&uri), params.text) {
                *buffer = text;
            }
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
        if self
            .config_buffers
            .remove(&params.text_document.uri)
            .is_some()
        {
            // Unsaved changes are gone with the buffer: the file on disk holds again.
            self.config_changed();
            return Ok(());
        }
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

    /// The config may have changed: read it again and lint every open post with it.
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

/// The same file, by its path or, through links, by where it really is.
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || a.canonicalize()
            .is_ok_and(|a| b.canonicalize().is_ok_and(|b| a == b))
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
