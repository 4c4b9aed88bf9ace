//! The queues from request handlers to their background writers, held by `AppState`: hook
//! consequences to `services::stream_writer`, finished recording chunks to the ingest worker of
//! `services::recordings`.

use std::path::PathBuf;

use tokio::sync::mpsc;

/// Stream events applied by the writer, in order.
#[derive(Debug, Clone)]
pub enum StreamEvent {
    Published { camera_id: String, client_id: String, addr: Option<String> },
    Refused { stream_key_hint: String, addr: Option<String>, reason: &'static str },
    Heartbeat { client_id: String },
    Done { client_id: String },
}

pub type StreamEvents = mpsc::Sender<StreamEvent>;

pub fn stream_event_channel() -> (StreamEvents, mpsc::Receiver<StreamEvent>) {
    mpsc::channel(65_536)
}

/// Finished recording chunks waiting to be filed by `services::recordings`.
pub type IngestQueue = mpsc::Sender<PathBuf>;

pub fn ingest_channel() -> (IngestQueue, mpsc::Receiver<PathBuf>) {
    mpsc::channel(4096)
}
