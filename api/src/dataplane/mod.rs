//! The data plane around nginx-rtmp and FFmpeg: talking to nginx (`http`, `control`), and
//! probing/remuxing recorded chunks (`probe`).

pub mod control;
pub mod http;
pub mod nginx_conf;
pub mod probe;
pub mod profiles;
pub mod progress;
pub mod signing;
pub mod stat;
pub mod transcode;
