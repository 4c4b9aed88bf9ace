//! nginx-rtmp's `/stat` XML (`rtmp_stat all`): which streams are live, who publishes them, how
//! many bytes have arrived (frozen counters = stalled publisher) and what codecs they carry.
//! Applications of every `server {}` are listed together, each with its server index (the
//! control module's `srv=` argument). Bandwidths (`bw_*`, bits/s) are measured over 10 s
//! windows and read 0 during a stream's first 10 s.

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RtmpStat {
    pub nginx_version: String,
    pub uptime_s: u64,
    pub applications: Vec<Application>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Application {
    /// Index of the `server {}` block (0 = the public one in nginx/nginx.conf.tmpl).
    pub server: usize,
    pub name: String,
    pub streams: Vec<Stream>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    pub name: String,
    pub time_ms: u64,
    pub bw_in: u64,
    pub bytes_in: u64,
    pub bw_out: u64,
    pub bytes_out: u64,
    pub bw_audio: u64,
    pub bw_video: u64,
    /// The stream has a publisher (an idle stream with only players has none).
    pub publishing: bool,
    pub clients: Vec<Client>,
    pub video: Option<VideoMeta>,
    pub audio: Option<AudioMeta>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Client {
    /// The `clientid` nginx sends in hooks.
    pub id: u64,
    /// Peer IP; for the internal relay `host:port/app` it pushes to.
    pub address: String,
    /// `ngx-local-relay` for nginx's own push.
    pub flashver: String,
    pub publishing: bool,
    pub time_ms: u64,
    pub dropped: u64,
    pub avsync: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct VideoMeta {
    /// nginx-rtmp's codec name, e.g. `H264`.
    pub codec: String,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub profile: Option<String>,
    pub level: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudioMeta {
    pub codec: String,
    pub profile: Option<String>,
    pub channels: Option<u32>,
    pub sample_rate: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum StatError {
    #[error("nginx /stat XML: {0}")]
    Xml(#[from] quick_xml::DeError),
}

impl RtmpStat {
    pub fn application(&self, name: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.name == name)
    }

    pub fn stream(&self, app: &str, name: &str) -> Option<&Stream> {
        self.application(app)?.streams.iter().find(|s| s.name == name)
    }
}

impl Stream {
    pub fn publisher(&self) -> Option<&Client> {
        self.clients.iter().find(|c| c.publishing)
    }
}

mod raw {
    use serde::{de::IgnoredAny, Deserialize};

    #[derive(Deserialize)]
    pub struct Rtmp {
        pub nginx_version: Option<String>,
        pub uptime: Option<u64>,
        #[serde(default)]
        pub server: Vec<Server>,
    }
    #[derive(Deserialize)]
    pub struct Server {
        #[serde(default)]
        pub application: Vec<Application>,
    }
    #[derive(Deserialize)]
    pub struct Application {
        pub name: String,
        pub live: Option<Live>,
    }
    #[derive(Deserialize)]
    pub struct Live {
        #[serde(default)]
        pub stream: Vec<Stream>,
    }
    #[derive(Deserialize)]
    pub struct Stream {
        pub name: String,
        pub time: Option<u64>,
        pub bw_in: Option<u64>,
        pub bytes_in: Option<u64>,
        pub bw_out: Option<u64>,
        pub bytes_out: Option<u64>,
        pub bw_audio: Option<u64>,
        pub bw_video: Option<u64>,
        #[serde(default)]
        pub client: Vec<Client>,
        pub meta: Option<Meta>,
        pub publishing: Option<IgnoredAny>,
    }
    #[derive(Deserialize)]
    pub struct Client {
        pub id: u64,
        pub address: Option<String>,
        pub time: Option<u64>,
        pub flashver: Option<String>,
        pub dropped: Option<u64>,
        pub avsync: Option<i64>,
        pub publishing: Option<IgnoredAny>,
    }
    #[derive(Deserialize)]
    pub struct Meta {
        pub video: Option<Video>,
        pub audio: Option<Audio>,
    }
    #[derive(Deserialize)]
    pub struct Video {
        pub width: Option<u32>,
        pub height: Option<u32>,
        pub frame_rate: Option<f64>,
        pub codec: Option<String>,
        pub profile: Option<String>,
        pub level: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Audio {
        pub codec: Option<String>,
        pub profile: Option<String>,
        pub channels: Option<u32>,
        pub sample_rate: Option<u32>,
    }
}

fn stream(s: raw::Stream) -> Stream {
    let meta = s.meta.unwrap_or(raw::Meta { video: None, audio: None });
    Stream {
        name: s.name,
        time_ms: s.time.unwrap_or(0),
        bw_in: s.bw_in.unwrap_or(0),
        bytes_in: s.bytes_in.unwrap_or(0),
        bw_out: s.bw_out.unwrap_or(0),
        bytes_out: s.bytes_out.unwrap_or(0),
        bw_audio: s.bw_audio.unwrap_or(0),
        bw_video: s.bw_video.unwrap_or(0),
        publishing: s.publishing.is_some(),
        clients: s
            .client
            .into_iter()
            .map(|c| Client {
                id: c.id,
                address: c.address.unwrap_or_default(),
                flashver: c.flashver.unwrap_or_default(),
                publishing: c.publishing.is_some(),
                time_ms: c.time.unwrap_or(0),
                dropped: c.dropped.unwrap_or(0),
                avsync: c.avsync.unwrap_or(0),
            })
            .collect(),
        video: meta.video.map(|v| VideoMeta {
            codec: v.codec.unwrap_or_default(),
            width: v.width.unwrap_or(0),
            height: v.height.unwrap_or(0),
            fps: v.frame_rate.unwrap_or(0.0),
            profile: v.profile,
            level: v.level,
        }),
        audio: meta.audio.map(|a| AudioMeta {
            codec: a.codec.unwrap_or_default(),
            profile: a.profile,
            channels: a.channels,
            sample_rate: a.sample_rate,
        }),
    }
}

/// Parses the whole `/stat` document.
pub fn parse_stat(xml: &str) -> Result<RtmpStat, StatError> {
    let rtmp: raw::Rtmp = quick_xml::de::from_str(xml)?;
    let mut applications = Vec::new();
    for (server, srv) in rtmp.server.into_iter().enumerate() {
        for app in srv.application {
            let streams = app.live.map(|l| l.stream).unwrap_or_default().into_iter().map(stream).collect();
            applications.push(Application { server, name: app.name, streams });
        }
    }
    Ok(RtmpStat {
        nginx_version: rtmp.nginx_version.unwrap_or_default(),
        uptime_s: rtmp.uptime.unwrap_or(0),
        applications,
    })
}

/// A stream with a publisher, flattened (what the reconciler compares with the database).
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

/// Streams with a publisher, in every application.
pub fn parse(xml: &str) -> Result<Vec<LiveStream>, StatError> {
    let stat = parse_stat(xml)?;
    let mut out = Vec::new();
    for app in stat.applications {
        for s in app.streams.into_iter().filter(|s| s.publishing) {
            let publisher = s.publisher();
            out.push(LiveStream {
                app: app.name.clone(),
                publisher: publisher.map(|c| c.id.to_string()),
                publisher_addr: publisher.map(|c| c.address.clone()),
                name: s.name,
                bytes_in: s.bytes_in,
                time_ms: s.time_ms,
            });
        }
    }
    Ok(out)
}

/// What one ingest node's nginx publishes right now (the `live` application only).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The node whose nginx answered (`ARGUS_NODE_ID`).
    pub node: String,
    pub streams: Vec<LiveStream>,
}

/// Reads the `/stat` of the nginx on `port` (loopback). `None` when there is nothing to compare
/// with: nginx not running (API-only deployment, tests) or an answer that cannot be read.
pub async fn fetch_snapshot(port: u16, node: &str) -> Option<Snapshot> {
    let url = format!("http://127.0.0.1:{port}/stat");
    match super::http::get(&url, std::time::Duration::from_secs(3)).await {
        Ok(r) if r.status == 200 => match parse(&r.body) {
            Ok(streams) => Some(Snapshot {
                node: node.to_string(),
                streams: streams.into_iter().filter(|s| s.app == "live").collect(),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "unreadable nginx /stat");
                None
            }
        },
        Ok(r) => {
            tracing::warn!(status = r.status, "nginx /stat refused");
            None
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from nginx 1.22.1 + libnginx-mod-rtmp with nginx/nginx.conf.tmpl, one camera
    /// publishing for 16 s (see nginx/README.md).
    const LIVE: &str = include_str!("fixtures/stat_live.xml");
    /// Same nginx after the camera left.
    const IDLE: &str = include_str!("fixtures/stat_idle.xml");

    #[test]
    fn parses_a_real_live_capture() {
        let stat = parse_stat(LIVE).unwrap();
        assert_eq!(stat.nginx_version, "1.22.1");
        let names: Vec<(usize, &str)> =
            stat.applications.iter().map(|a| (a.server, a.name.as_str())).collect();
        assert_eq!(names, [(0, "live"), (1, "hls")]);
        let s = stat.stream("live", "cam-abc123").unwrap();
        assert!(s.publishing);
        assert_eq!((s.time_ms, s.bw_in, s.bw_video), (15_760, 2_587_016, 2_517_336));
        assert!(s.bytes_in > 4_000_000);
        assert_eq!(s.clients.len(), 2);
        let publisher = s.publisher().unwrap();
        assert_eq!((publisher.id, publisher.address.as_str()), (17, "127.0.0.1"));
        assert!(publisher.flashver.starts_with("FMLE/3.0"));
        assert_eq!(publisher.time_ms, 15_936);
        let relay = s.clients.iter().find(|c| !c.publishing).unwrap();
        assert_eq!(relay.flashver, "ngx-local-relay");
        assert_eq!(relay.avsync, -6);
        let v = s.video.as_ref().unwrap();
        assert_eq!((v.codec.as_str(), v.width, v.height, v.fps), ("H264", 1280, 720, 25.0));
        assert_eq!((v.profile.as_deref(), v.level.as_deref()), (Some("High"), Some("3.1")));
        let a = s.audio.as_ref().unwrap();
        assert_eq!((a.codec.as_str(), a.channels, a.sample_rate), ("AAC", Some(1), Some(44_100)));
        assert!(stat.stream("hls", "cam-abc123").unwrap().publishing);
        assert!(stat.stream("live", "goodkey").is_none());
    }

    #[test]
    fn flattened_live_streams() {
        let live = parse(LIVE).unwrap();
        assert_eq!(live.len(), 2);
        assert_eq!((live[0].app.as_str(), live[0].name.as_str()), ("live", "cam-abc123"));
        assert_eq!(live[0].publisher.as_deref(), Some("17"));
        assert_eq!(live[0].publisher_addr.as_deref(), Some("127.0.0.1"));
        assert!(parse(IDLE).unwrap().is_empty());
    }

    #[test]
    fn idle_server_has_applications_without_streams() {
        let stat = parse_stat(IDLE).unwrap();
        assert_eq!(stat.applications.len(), 2);
        assert!(stat.applications.iter().all(|a| a.streams.is_empty()));
        assert!(parse_stat("<rtmp><server></server></rtmp>").unwrap().applications.is_empty());
    }

    #[test]
    fn a_stream_with_players_only_is_not_publishing() {
        let xml = "<rtmp><server><application><name>live</name><live><stream><name>x</name>\
            <time>5</time><client><id>3</id><address>1.2.3.4</address><flashver>LNX</flashver><active/></client>\
            <nclients>1</nclients></stream></live></application></server></rtmp>";
        let stat = parse_stat(xml).unwrap();
        let s = stat.stream("live", "x").unwrap();
        assert!(!s.publishing && s.publisher().is_none() && s.video.is_none());
        assert!(parse(xml).unwrap().is_empty());
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert!(parse_stat("<rtmp><server><application>").is_err());
        assert!(parse_stat("not xml at all").is_err());
        assert!(parse_stat("").is_err());
        let bad_number = "<rtmp><server><application><name>l</name><live><stream><name>x</name>\
            <client><id>abc</id></client></stream></live></application></server></rtmp>";
        assert!(parse_stat(bad_number).is_err());
        let missing_name = "<rtmp><server><application><live/></application></server></rtmp>";
        assert!(parse_stat(missing_name).is_err());
    }
}
