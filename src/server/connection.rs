//! The server's pipes: a thread reads frames from standard input and hands on what each holds,
//! a thread writes messages to standard output. Both queues are short, so a client that floods
//! the server, or stops reading it, holds it up rather than filling its memory.

use std::io::{self, BufRead};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};

use super::framing::{Frame, FrameError, FrameReader, Limits, write_frame};
use super::jsonrpc::{Message, Rejection};

/// Messages waiting in each direction: with one being read and one being handled, at most
/// four bodies of the largest size are held at once.
const QUEUE: usize = 2;

/// What one frame of the client holds.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Not a message of the protocol: answered with an error, and the server goes on.
    Rejected(Rejection),
    /// Over the size limit: read past and dropped.
    Skipped {
        length: u64,
        limit: u64,
    },
    /// The stream cannot be read on; nothing follows.
    Broken(FrameError),
}

impl Incoming {
    /// Whether nothing is read after this: the stream broke, or the client said `exit`.
    fn is_last(&self) -> bool {
        match self {
            Self::Broken(_) => true,
            Self::Message(Message::Notification(note)) => note.method == "exit",
            _ => false,
        }
    }
}

pub struct Connection {
    pub sender: Sender<Message>,
    pub receiver: Receiver<Incoming>,
}

impl Connection {
    /// Standard input and output, each served by a thread; the writer ends once every
    /// `sender` is dropped, after writing what was sent.
    pub fn stdio() -> io::Result<(Self, JoinHandle<io::Result<()>>)> {
        let (incoming, receiver) = crossbeam_channel::bounded(QUEUE);
        let (sender, outgoing) = crossbeam_channel::bounded::<Message>(QUEUE);
        thread::Builder::new()
            .name("postlint-server-reader".to_owned())
            .spawn(move || {
                let mut frames = FrameReader::new(io::stdin().lock(), Limits::default());
                forward(&mut frames, &incoming);
            })?;
        let writer = thread::Builder::new()
            .name("postlint-server-writer".to_owned())
            .spawn(move || {
                let mut stdout = io::stdout().lock();
                outgoing
                    .iter()
                    .try_for_each(|message| write_frame(&mut stdout, &message.to_bytes()))
            })?;
        Ok((Self { sender, receiver }, writer))
    }

    /// A connection over unbounded channels, and its other ends: what to feed it and what it
    /// sends. For the fuzz target, which runs a session on one thread.
    pub fn memory() -> (Self, Sender<Incoming>, Receiver<Message>) {
        let (incoming, receiver) = crossbeam_channel::unbounded();
        let (sender, outgoing) = crossbeam_channel::unbounded();
        (Self { sender, receiver }, incoming, outgoing)
    }
}

/// Hands on every frame until the input ends, the stream breaks, the client says `exit` or
/// no one listens.
pub fn forward<R: BufRead>(frames: &mut FrameReader<R>, to: &Sender<Incoming>) {
    while let Some(incoming) = read_incoming(frames) {
        let last = incoming.is_last();
        if to.send(incoming).is_err() || last {
            return;
        }
    }
}

/// The next frame, read as a message; `None` where the input ends between frames.
pub fn read_incoming<R: BufRead>(frames: &mut FrameReader<R>) -> Option<Incoming> {
    let incoming = match frames.next_frame() {
        Ok(None) => return None,
        Ok(Some(Frame::Body(body))) => match Message::parse(&body) {
            Ok(message) => Incoming::Message(message),
            Err(rejection) => Incoming::Rejected(rejection),
        },
        Ok(Some(Frame::Skipped { length })) => Incoming::Skipped {
            length,
            limit: frames.limits().message_bytes,
        },
        Err(error) => Incoming::Broken(error),
    };
    Some(incoming)
}
