//! Live events: the in-process hub, the Redis bridge between replicas and the WebSocket sessions.

pub mod bridge;
pub mod hub;
pub mod session;
