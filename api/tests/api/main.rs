//! Black-box tests: the real app over HTTP, on SQLite, MariaDB and MariaDB + Redis.

mod helpers;

mod alert_channels;
mod alert_sources;
mod alerts;
mod audit;
mod audit_chain;
mod auth;
mod cameras;
mod data_layer;
mod defaults;
mod enums;
mod exports;
mod faults;
mod hardening;
mod health;
mod holds;
mod jobs;
mod observability;
mod rbac;
mod recorded_playback;
mod recording_faults;
mod retention;
mod revocation;
mod service;
mod storage;
mod storage_cli;
mod storage_plan;
mod storage_rules;
mod storage_sweep;
mod storage_usage;
mod stream_state;
mod streaming;
mod timeline;
mod tokens;
mod users;
