//! A recording's bytes as an HTTP response with Range support, from any tier: a local file
//! through actix-files (the fast path), or an object in a bucket streamed range by range.

use actix_web::{
    body::SizedStream,
    http::header::{self, ByteRangeSpec, ContentDisposition, HeaderValue},
    HttpRequest, HttpResponse,
};
use futures_util::TryStreamExt;

use crate::{
    error::{AppError, AppResult},
    services::storage::reading::Readable,
};

const MP4: &str = "video/mp4";

pub async fn respond(req: &HttpRequest, readable: Readable, attachment: bool) -> AppResult<HttpResponse> {
    match readable {
        Readable::File(path) => file_response(req, &path, attachment).await,
        Readable::Object { store, key, size, name } => {
            let disposition = attachment.then(|| ContentDisposition::attachment(name));
            let mut res = match requested_range(req, size) {
                RangeAsked::Whole => {
                    let body = store.get_range(&key, 0..size).await?.map_err(std::io::Error::other);
                    HttpResponse::Ok().body(SizedStream::new(size, body))
                }
                RangeAsked::Part(first, last) => {
                    let body = store.get_range(&key, first..last + 1).await?.map_err(std::io::Error::other);
                    let mut res =
                        HttpResponse::PartialContent().body(SizedStream::new(last + 1 - first, body));
                    res.headers_mut().insert(
                        header::CONTENT_RANGE,
                        header_value(&format!("bytes {first}-{last}/{size}"))?,
                    );
                    res
                }
                RangeAsked::Unsatisfiable => {
                    let mut res = HttpResponse::RangeNotSatisfiable().finish();
                    res.headers_mut()
                        .insert(header::CONTENT_RANGE, header_value(&format!("bytes */{size}"))?);
                    res
                }
            };
            let headers = res.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MP4));
            headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            if let Some(d) = disposition {
                headers.insert(header::CONTENT_DISPOSITION, header_value(&d.to_string())?);
            }
            Ok(res)
        }
    }
}

fn header_value(v: &str) -> AppResult<HeaderValue> {
    HeaderValue::from_str(v).map_err(|_| AppError::internal("unrepresentable header value"))
}

enum RangeAsked {
    Whole,
    /// First and last byte, inclusive.
    Part(u64, u64),
    Unsatisfiable,
}

/// One byte range answers 206; several ranges or an unparsable header get the whole object
/// (RFC 9110 lets a server ignore Range).
fn requested_range(req: &HttpRequest, size: u64) -> RangeAsked {
    let Some(value) = req.headers().get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return RangeAsked::Whole;
    };
    let Ok(header::Range::Bytes(specs)) = value.parse::<header::Range>() else { return RangeAsked::Whole };
    let [spec]: [ByteRangeSpec; 1] = match specs.try_into() {
        Ok(one) => one,
        Err(_) => return RangeAsked::Whole,
    };
    match spec.to_satisfiable_range(size) {
        Some((first, last)) => RangeAsked::Part(first, last),
        None => RangeAsked::Unsatisfiable,
    }
}

async fn file_response(
    req: &HttpRequest,
    path: &std::path::Path,
    attachment: bool,
) -> AppResult<HttpResponse> {
    let file = actix_files::NamedFile::open_async(path)
        .await
        .map_err(|_| AppError::not_found("recording file is missing"))?;
    let file = file.set_content_type(MP4.parse().map_err(|_| AppError::internal("mime"))?);
    let file = if attachment {
        file.set_content_disposition(ContentDisposition::attachment(
            path.file_name().and_then(|n| n.to_str()).unwrap_or("recording.mp4"),
        ))
    } else {
        file
    };
    Ok(file.into_response(req))
}
