//! The dashboard: a single-page app served from the binary (or from `ARGUS_FRONTEND_DIR`), with
//! every unknown path answered by `index.html` so client-side routes survive a reload.

use std::path::{Path, PathBuf};

use actix_web::{http::header, HttpRequest, HttpResponse};

use crate::{assets, error::AppError};

/// The file `req` names, or `index.html`; from `folder` when one is configured.
pub async fn serve(req: &HttpRequest, folder: Option<&Path>) -> actix_web::Result<HttpResponse> {
    let relative = req.path().trim_start_matches('/');
    match folder {
        Some(dir) => from_folder(req, dir, relative).await,
        None => from_binary(relative),
    }
}

async fn from_folder(req: &HttpRequest, dir: &Path, relative: &str) -> actix_web::Result<HttpResponse> {
    let candidate = dir.join(relative);
    // Only plain files inside the folder; everything else is a client route.
    let inside = !relative.split('/').any(|seg| seg == "..") && candidate.is_file();
    let file: PathBuf = if inside { candidate } else { dir.join("index.html") };
    let named = actix_files::NamedFile::open_async(&file)
        .await
        .map_err(|_| AppError::not_found(format!("the dashboard is not built in {}", dir.display())))?;
    let mut res = named.into_response(req);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache_policy(inside, relative)));
    Ok(res)
}

fn from_binary(relative: &str) -> actix_web::Result<HttpResponse> {
    let (found, name) = match assets::dashboard_file(relative) {
        Some(file) if !relative.is_empty() => (Some(file), relative),
        _ => (assets::dashboard_file("index.html"), "index.html"),
    };
    let (body, mime) = found.ok_or_else(|| {
        AppError::not_found(
            "this binary was built without the dashboard (npm run build in frontend/, then cargo build)",
        )
    })?;
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, cache_policy(name != "index.html", name)))
        .body(match body {
            // Release builds embed the files in the binary: serve them without a copy.
            std::borrow::Cow::Borrowed(bytes) => actix_web::web::Bytes::from_static(bytes),
            std::borrow::Cow::Owned(bytes) => actix_web::web::Bytes::from(bytes),
        }))
}

/// Vite puts content-hashed file names under `assets/`: those never change. Everything else
/// (index.html above all) is revalidated so a new build is picked up at once.
fn cache_policy(is_file: bool, relative: &str) -> &'static str {
    if is_file && relative.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}
