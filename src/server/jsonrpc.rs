//! JSON-RPC messages as the language server protocol uses them: requests, notifications and
//! responses, read from a frame's body and written to one. An id is echoed as the client wrote
//! it, any number or string: `lsp-server` read only 32-bit ones and took a request with a larger
//! id for a notification, which left it unanswered.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::framing::Excerpt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    Number(serde_json::Number),
    String(String),
}

impl From<i32> for RequestId {
    fn from(id: i32) -> Self {
        Self::Number(id.into())
    }
}

impl From<String> for RequestId {
    fn from(id: String) -> Self {
        Self::String(id)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Request(Request),
    Response(Response),
    Notification(Notification),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: RequestId,
    pub method: String,
    pub params: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub method: String,
    pub params: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// `None` (written `null`) answers a message whose id could not be read.
    pub id: Option<RequestId>,
    pub result: Result<Value, ResponseError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseError {
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// The error codes the server answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    ServerNotInitialized = -32002,
}

/// A message that is not one the protocol has: what to answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{reason}")]
pub struct Rejection {
    pub id: Option<RequestId>,
    pub code: ErrorCode,
    pub reason: String,
}

impl Rejection {
    fn new(id: Option<RequestId>, code: ErrorCode, reason: impl Into<String>) -> Self {
        Self {
            id,
            code,
            reason: reason.into(),
        }
    }

    fn invalid(id: Option<RequestId>, reason: impl Into<String>) -> Self {
        Self::new(id, ErrorCode::InvalidRequest, reason)
    }

    /// The error response; `note` is added to the reason.
    pub fn reply(&self, note: &str) -> Response {
        let error = ResponseError {
            code: self.code as i64,
            message: format!("{}{note}", self.reason),
            data: None,
        };
        Response {
            id: self.id.clone(),
            result: Err(error),
        }
    }
}

/// What a message's `id` member holds.
enum IdField {
    Absent,
    Null,
    Valid(RequestId),
    Invalid,
}

impl IdField {
    fn of(value: Option<Value>) -> Self {
        match value {
            None => Self::Absent,
            Some(Value::Null) => Self::Null,
            Some(Value::Number(n)) => Self::Valid(RequestId::Number(n)),
            Some(Value::String(s)) => Self::Valid(RequestId::String(s)),
            Some(_) => Self::Invalid,
        }
    }

    fn valid(self) -> Option<RequestId> {
        match self {
            Self::Valid(id) => Some(id),
            _ => None,
        }
    }
}

impl Message {
    /// Reads a frame's body: a request (a `method` and an `id`), a notification (a `method`
    /// alone) or a response (an `id` with a `result` or an `error`).
    pub fn parse(body: &[u8]) -> Result<Self, Rejection> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            Rejection::new(
                None,
                ErrorCode::ParseError,
                format!("a message is not JSON: {e}"),
            )
        })?;
        let mut fields = match value {
            Value::Object(fields) => fields,
            Value::Array(_) => {
                return Err(Rejection::invalid(
                    None,
                    "a batch (an array of messages) is not part of the protocol",
                ));
            }
            _ => return Err(Rejection::invalid(None, "a message must be a JSON object")),
        };
        let id = IdField::of(fields.remove("id"));
        let params = fields.remove("params").unwrap_or(Value::Null);
        match (fields.remove("method"), id) {
            (Some(Value::String(method)), IdField::Valid(id)) => {
                Ok(Self::Request(Request { id, method, params }))
            }
            (Some(Value::String(method)), IdField::Absent) => {
                Ok(Self::Notification(Notification { method, params }))
            }
            (Some(Value::String(method)), _) => Err(Rejection::invalid(
                None,
                format!(
                    "the id of a request (`{}`) must be a number or a string",
                    Excerpt::of(method.as_bytes())
                ),
            )),
            (Some(_), id) => Err(Rejection::invalid(id.valid(), "`method` must be a string")),
            (None, id) => read_response(fields, id),
        }
    }

    /// The message as a frame's body.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_wire()).expect("a JSON value has string keys")
    }

    fn to_wire(&self) -> Wire<'_> {
        let mut wire = Wire {
            jsonrpc: "2.0",
            id: None,
            method: None,
            params: None,
            result: None,
            error: None,
        };
        match self {
            Self::Request(request) => {
                wire.id = Some(Some(&request.id));
                wire.method = Some(&request.method);
                wire.params = present(&request.params);
            }
            Self::Notification(note) => {
                wire.method = Some(&note.method);
                wire.params = present(&note.params);
            }
            Self::Response(response) => {
                wire.id = Some(response.id.as_ref());
                match &response.result {
                    Ok(result) => wire.result = Some(result),
                    Err(error) => wire.error = Some(error),
                }
            }
        }
        wire
    }
}

/// `params` is left out rather than written `null`.
fn present(params: &Value) -> Option<&Value> {
    (!params.is_null()).then_some(params)
}

/// A message as written, borrowing its parts. `id: Some(None)` is written `null`.
#[derive(Serialize)]
struct Wire<'a> {
    jsonrpc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Option<&'a RequestId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a ResponseError>,
}

/// A message without `method`: the client's answer to a request of the server.
fn read_response(mut fields: Map<String, Value>, id: IdField) -> Result<Message, Rejection> {
    let id = match id {
        IdField::Valid(id) => Some(id),
        IdField::Null => None,
        IdField::Absent | IdField::Invalid => {
            return Err(Rejection::invalid(
                None,
                "a message needs a `method`, or an `id` to be a response",
            ));
        }
    };
    let result = match (fields.remove("result"), fields.remove("error")) {
        (Some(result), None) => Ok(result),
        (None, Some(error)) => Err(serde_json::from_value(error).map_err(|e| {
            Rejection::invalid(
                None,
                format!("a response's `error`: {}", super::framing::brief(e)),
            )
        })?),
        _ => {
            return Err(Rejection::invalid(
                None,
                "a response needs either a `result` or an `error`",
            ));
        }
    };
    Ok(Message::Response(Response { id, result }))
}

impl Request {
    pub fn new(id: RequestId, method: String, params: impl Serialize) -> Self {
        Self {
            id,
            method,
            params: to_json(params),
        }
    }
}

impl Notification {
    pub fn new(method: String, params: impl Serialize) -> Self {
        Self {
            method,
            params: to_json(params),
        }
    }
}

impl Response {
    pub fn new_ok(id: RequestId, result: impl Serialize) -> Self {
        Self {
            id: Some(id),
            result: Ok(to_json(result)),
        }
    }

    pub fn new_err(id: RequestId, code: i32, message: String) -> Self {
        let error = ResponseError {
            code: code.into(),
            message,
            data: None,
        };
        Self {
            id: Some(id),
            result: Err(error),
        }
    }
}

/// The server's own values (`lsp-types` structs) as JSON.
fn to_json(value: impl Serialize) -> Value {
    serde_json::to_value(value).expect("LSP types have string keys")
}

impl From<Request> for Message {
    fn from(request: Request) -> Self {
        Self::Request(request)
    }
}

impl From<Response> for Message {
    fn from(response: Response) -> Self {
        Self::Response(response)
    }
}

impl From<Notification> for Message {
    fn from(note: Notification) -> Self {
        Self::Notification(note)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(text: &str) -> Result<Message, Rejection> {
        Message::parse(text.as_bytes())
    }

    fn rejected(text: &str) -> (Option<RequestId>, ErrorCode) {
        let rejection = parse(text).expect_err(text);
        (rejection.id, rejection.code)
    }

    #[test]
    fn any_number_or_string_is_a_request_id_and_comes_back_as_written() {
        for id in [
            "5000000000",
            "-3",
            "1.5",
            "9007199254740993",
            "0",
            "\"\"",
            "\"a\"",
        ] {
            let text = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"m"}}"#);
            let Ok(Message::Request(request)) = parse(&text) else {
                panic!("{text} is a request");
            };
            let answer = Message::from(Response::new_ok(request.id, Value::Null)).to_bytes();
            let answer = String::from_utf8(answer).expect("UTF-8");
            assert_eq!(
                answer,
                format!(r#"{{"jsonrpc":"2.0","id":{id},"result":null}}"#)
            );
        }
    }

    #[test]
    fn messages_that_are_not_of_the_protocol_are_rejected() {
        let invalid = ErrorCode::InvalidRequest;
        assert_eq!(rejected("{not json"), (None, ErrorCode::ParseError));
        assert_eq!(rejected("[1]"), (None, invalid));
        assert_eq!(rejected("7"), (None, invalid));
        assert_eq!(rejected(r#"{"id":null,"method":"m"}"#), (None, invalid));
        assert_eq!(rejected(r#"{"id":[1],"method":"m"}"#), (None, invalid));
        assert_eq!(
            rejected(r#"{"id":4,"method":5}"#),
            (Some(4.into()), invalid)
        );
        assert_eq!(rejected(r#"{"id":4}"#), (None, invalid));
        assert_eq!(rejected(r#"{"params":{}}"#), (None, invalid));
        assert_eq!(rejected(r#"{"id":4,"error":7}"#), (None, invalid));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(rejected(&deep), (None, ErrorCode::ParseError));
        assert_eq!(
            Message::parse(b"{\"method\":\"\xff\"}").map_err(|r| r.code),
            Err(ErrorCode::ParseError)
        );
    }

    #[test]
    fn notifications_and_responses_are_read() {
        assert_eq!(
            parse(r#"{"method":"exit"}"#),
            Ok(Message::Notification(Notification {
                method: "exit".into(),
                params: Value::Null
            }))
        );
        assert_eq!(
            parse(r#"{"id":"w","result":null}"#),
            Ok(Message::Response(Response {
                id: Some(RequestId::from("w".to_owned())),
                result: Ok(Value::Null)
            }))
        );
        let Ok(Message::Response(failed)) =
            parse(r#"{"id":null,"error":{"code":1,"message":"x"}}"#)
        else {
            panic!("a response");
        };
        assert_eq!(failed.id, None);
        assert_eq!(failed.result.map_err(|e| e.code), Err(1));
    }

    #[test]
    fn a_rejection_is_answered_with_a_null_id() {
        let rejection = parse("{").expect_err("not JSON");
        let reply = Message::from(rejection.reply(" (noted)")).to_bytes();
        let reply: Value = serde_json::from_slice(&reply).expect("JSON");
        assert_eq!(reply["id"], Value::Null);
        assert_eq!(reply["error"]["code"], -32700);
        let message = reply["error"]["message"].as_str().expect("text");
        assert!(message.starts_with("a message is not JSON: "), "{message}");
        assert!(message.ends_with(" (noted)"), "{message}");
        assert_eq!(reply["jsonrpc"], json!("2.0"));
    }
}
