//! Black-box tests: the real app over HTTP, on SQLite, MariaDB and MariaDB + Redis.

mod helpers;

mod audit;
mod auth;
mod cameras;
mod data_layer;
mod rbac;
mod revocation;
mod service;
mod streaming;
mod tokens;
mod users;
