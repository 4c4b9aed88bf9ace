//! nginx-rtmp's `/stat` XML: which streams are being published right now, by whom, and how
//! many bytes have arrived (frozen counters = stalled publisher).

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq)]
pub struct LiveStream {
    pub app: String,
    pub name: String,
    pub bytes_in: u64,
    pub time_ms: u64,
    /// Client id of the publisher (the `clientid` nginx sends in hooks).
    pub publisher: Option<String>,
    pub publisher_addr: Option<String>,
}

#[derive(Deserialize)]
struct Rtmp {
    #[serde(default)]
    server: Vec<Server>,
}

#[derive(Deserialize)]
struct Server {
    #[serde(default)]
    application: Vec<Application>,
}

#[derive(Deserialize)]
struct Application {
    name: String,
    live: Option<Live>,
}

#[derive(Deserialize)]
struct Live {
    #[serde(default)]
    stream: Vec<Stream>,
}

#[derive(Deserialize)]
struct Stream {
    name: String,
    time: Option<u64>,
    bytes_in: Option<u64>,
    #[serde(default)]
    client: Vec<Client>,
    publishing: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Client {
    id: String,
    address: Option<String>,
    publishing: Option<serde::de::IgnoredAny>,
}

/// Streams with a publisher, in every application.
pub fn parse(xml: &str) -> Result<Vec<LiveStream>, quick_xml::DeError> {
    let rtmp: Rtmp = quick_xml::de::from_str(xml)?;
    let mut out = Vec::new();
    for app in rtmp.server.into_iter().flat_map(|s| s.application) {
        for stream in app.live.map(|l| l.stream).unwrap_or_default() {
            if stream.publishing.is_none() {
                continue;
            }
            let publisher = stream.client.iter().find(|c| c.publishing.is_some());
            out.push(LiveStream {
                app: app.name.clone(),
                name: stream.name,
                bytes_in: stream.bytes_in.unwrap_or(0),
                time_ms: stream.time.unwrap_or(0),
                publisher: publisher.map(|c| c.id.clone()),
                publisher_addr: publisher.and_then(|c| c.address.clone()),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<rtmp><nginx_version>1.22.1</nginx_version><nginx_rtmp_version>1.1.4</nginx_rtmp_version>
<uptime>20</uptime><naccepted>3</naccepted><bw_in>0</bw_in><bytes_in>1</bytes_in>
<server><application><name>live</name><live>
<stream><name>cam-a</name><time>5200</time><bw_in>900000</bw_in><bytes_in>612345</bytes_in>
<bw_out>0</bw_out><bytes_out>0</bytes_out><bw_audio>0</bw_audio><bw_video>0</bw_video>
<client><id>7</id><address>10.1.2.3</address><time>5300</time><flashver>FMLE/3.0</flashver><dropped>0</dropped><avsync>0</avsync><timestamp>5000</timestamp><publishing/><active/></client>
<client><id>9</id><address>127.0.0.1</address><time>5000</time><flashver>ngx-local-relay</flashver><dropped>0</dropped><avsync>0</avsync><timestamp>0</timestamp><active/></client>
<meta><video><width>1280</width><height>720</height><frame_rate>25</frame_rate><codec>H264</codec></video></meta>
<nclients>2</nclients><publishing/><active/></stream>
<stream><name>idle</name><time>10</time><bw_in>0</bw_in><bytes_in>0</bytes_in><nclients>0</nclients></stream>
<nclients>2</nclients></live></application>
<application><name>hls</name><live><nclients>0</nclients></live></application>
</server></rtmp>"#;

    #[test]
    fn finds_publishing_streams_and_their_publisher() {
        let streams = parse(SAMPLE).unwrap();
        assert_eq!(streams.len(), 1);
        let s = &streams[0];
        assert_eq!(
            (s.app.as_str(), s.name.as_str(), s.bytes_in, s.time_ms),
            ("live", "cam-a", 612_345, 5200)
        );
        assert_eq!((s.publisher.as_deref(), s.publisher_addr.as_deref()), (Some("7"), Some("10.1.2.3")));
    }

    #[test]
    fn empty_server_and_garbage() {
        assert!(parse("<rtmp><server></server></rtmp>").unwrap().is_empty());
        assert!(parse("<rtmp><server><application>").is_err());
    }
}
