//! Argus: the control plane of a camera streaming platform built on nginx-rtmp and FFmpeg.

pub mod assets;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dataplane;
pub mod db;
pub mod domain;
pub mod error;
pub mod http_headers;
pub mod infra;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod realtime;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod up;
