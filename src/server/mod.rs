//! `postlint server`: the Language Server Protocol over standard input and output, for
//! editors. Open post files (`.json`, `.ndjson`, `.jsonl`) are linted from the editor's
//! buffer on open, change and save; findings come back as diagnostics in the position
//! encoding the client asks for, fixes as code actions, and the rule's documentation on hover.
//! The config (`postlint.toml` of the workspace) is read again when it changes, and its
//! mistakes are shown in it. The server uses the engine; nothing of the engine knows it.

mod actions;
mod config_errors;
mod config_watch;
mod document;
mod lint;
pub mod positions;
pub mod watch;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};

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

use crate::config::{Config, ConfigError};
use config_watch::ConfigWatch;
use document::{Document, is_config_file, is_post_document};
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
    } else {
        server.watch_config_itself();
    }
    let config_changes = server.config_changes();
    loop {
        crossbeam_channel::select! {
            recv(connection.receiver) -> message => {
                let Ok(message) = message else { return Ok(()) };
                match message {
                    Message::Request(request) if request.method == requests::Shutdown::METHOD => {
                        server.send(Response::new_ok(request.id, ()).into());
                        return server.await_exit();
                    }
                    Message::Request(request) => server.on_request(request),
                    Message::Notification(note) if note.method == notes::Exit::METHOD => {
                        return Err("the client sent `exit` without `shutdown`".to_owned());
                    }
                    Message::Notification(notification) => server.on_notification(notification),
                    // The answers to the server's own requests (`registerCapability`).
                    Message::Response(_) => {}
                }
            }
            recv(config_changes) -> _ => server.config_changed(),
        }
    }
}

/// How long a server that was shut down waits for `exit` before it ends on its own.
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
        };
        server.reload_config();
        server
    }

    /// After `shutdown`: waits for `exit`. The answer to a request of the server's own may
    /// still come (a client that stops right after starting answers `registerCapability`
    /// late), and is taken; a request is refused; the wait is bounded.
    fn await_exit(&self) -> Result<(), String> {
        loop {
            match self.connection.receiver.recv_timeout(EXIT_WAIT) {
                Ok(Message::Notification(note)) if note.method == notes::Exit::METHOD => {
                    return Ok(());
                }
                Ok(Message::Request(request)) => {
                    let refused = Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".to_owned(),
                    );
                    self.send(refused.into());
                }
                Ok(Message::Response(_) | Message::Notification(_)) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
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

/// The same file, by its path or, through links, by where it really is.
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || a.canonicalize()
            .is_ok_and(|a| b.canonicalize().is_ok_and(|b| a == b))
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
