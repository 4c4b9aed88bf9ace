//! Table definitions shared by both backends: only portable SQL types (Text, Bool, Integer,
//! BigInt, Timestamp) so one query compiles for SQLite and MySQL alike.

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        email -> Nullable<Text>,
        password_hash -> Text,
        role -> Text,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        refresh_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    cameras (id) {
        id -> Text,
        name -> Text,
        company -> Nullable<Text>,
        model -> Nullable<Text>,
        serial_number -> Text,
        location -> Nullable<Text>,
        place -> Nullable<Text>,
        stream_key -> Text,
        recording_enabled -> Bool,
        transcode_profile -> Text,
        is_active -> Bool,
        stream_status -> Text,
        last_seen_at -> Nullable<Timestamp>,
        created_via -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        retention_days -> Nullable<Integer>,
        legal_hold -> Bool,
        warm_after_days -> Nullable<Integer>,
        cold_after_days -> Nullable<Integer>,
        archive_after_days -> Nullable<Integer>,
        quota_bytes -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        remark -> Text,
        prefix -> Text,
        secret_hash -> Text,
        permissions -> Text,
        all_cameras -> Bool,
        ip_allowlist -> Text,
        rate_limit_per_hour -> Integer,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_token_cameras (token_id, camera_id) {
        token_id -> Text,
        camera_id -> Text,
    }
}

diesel::table! {
    audit_logs (id) {
        id -> Text,
        actor_type -> Text,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        entity_type -> Nullable<Text>,
        entity_id -> Nullable<Text>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        chain_seq -> Nullable<BigInt>,
        prev_hash -> Nullable<Text>,
        row_hash -> Nullable<Text>,
    }
}

diesel::table! {
    recordings (id) {
        id -> Text,
        camera_id -> Text,
        started_at -> Timestamp,
        ended_at -> Timestamp,
        duration_ms -> BigInt,
        size_bytes -> BigInt,
        file_path -> Text,
        source_path -> Text,
        tier -> Text,
        checksum_sha256 -> Text,
        video_codec -> Nullable<Text>,
        audio_codec -> Nullable<Text>,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        bitrate_kbps -> Nullable<Integer>,
        created_at -> Timestamp,
        location -> Nullable<Text>,
        tier_changed_at -> Nullable<Timestamp>,
        stale_tier -> Nullable<Text>,
        legal_hold -> Bool,
        segment_index -> Nullable<Text>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_token_cameras -> api_tokens (token_id));
diesel::joinable!(api_token_cameras -> cameras (camera_id));
diesel::joinable!(recordings -> cameras (camera_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    cameras,
    api_tokens,
    api_token_cameras,
    audit_logs,
    recordings,
);

diesel::table! {
    stream_sessions (id) {
        id -> Text,
        camera_id -> Text,
        client_id -> Text,
        addr -> Nullable<Text>,
        started_at -> Timestamp,
        last_update_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
        node -> Text,
        bytes_in -> Nullable<BigInt>,
    }
}

diesel::joinable!(stream_sessions -> cameras (camera_id));
diesel::allow_tables_to_appear_in_same_query!(stream_sessions, cameras);

diesel::table! {
    audit_chain_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Text,
        job -> Text,
        node -> Text,
        started_at -> Timestamp,
        finished_at -> Timestamp,
        duration_ms -> BigInt,
        outcome -> Text,
        items -> BigInt,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    footage_tombstones (recording_id) {
        recording_id -> Text,
        camera_id -> Text,
        started_at -> Timestamp,
        ended_at -> Timestamp,
        reason -> Text,
        deleted_at -> Timestamp,
    }
}

diesel::table! {
    object_deletions (id) {
        id -> Text,
        tier -> Text,
        object_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    exports (id) {
        id -> Text,
        camera_id -> Text,
        requested_by_type -> Text,
        requested_by_id -> Nullable<Text>,
        requested_by_name -> Nullable<Text>,
        note -> Nullable<Text>,
        range_from -> Timestamp,
        range_to -> Timestamp,
        state -> Text,
        node -> Nullable<Text>,
        progress_percent -> Integer,
        eta_secs -> Nullable<Integer>,
        size_bytes -> Nullable<BigInt>,
        checksum_sha256 -> Nullable<Text>,
        duration_ms -> Nullable<BigInt>,
        file_path -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    alert_channels (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        url -> Nullable<Text>,
        email_to -> Nullable<Text>,
        secret -> Nullable<Text>,
        alert_types -> Text,
        camera_ids -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        failing_since -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alerts (id) {
        id -> Text,
        kind -> Text,
        severity -> Text,
        state -> Text,
        camera_id -> Nullable<Text>,
        subject -> Text,
        message -> Text,
        count -> BigInt,
        first_seen -> Timestamp,
        last_seen -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        active_key -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alert_deliveries (id) {
        id -> Text,
        channel_id -> Text,
        alert_id -> Nullable<Text>,
        event -> Text,
        payload -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(alert_deliveries -> alert_channels (channel_id));
diesel::allow_tables_to_appear_in_same_query!(alert_deliveries, alert_channels);

diesel::table! {
    recording_totals (tier) {
        tier -> Text,
        recordings -> BigInt,
        bytes -> BigInt,
    }
}
