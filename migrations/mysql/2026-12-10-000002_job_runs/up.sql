-- One row per finished run of a scheduled job (see services/job_runs.rs for which runs are kept).
CREATE TABLE job_runs (
    id CHAR(36) PRIMARY KEY NOT NULL,
    job VARCHAR(64) NOT NULL,
    node VARCHAR(64) NOT NULL,
    started_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NOT NULL,
    duration_ms BIGINT NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    items BIGINT NOT NULL,
    error TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX job_runs_job_idx ON job_runs (job, started_at);
CREATE INDEX job_runs_started_idx ON job_runs (started_at);
