DROP TABLE recordings;
DROP TABLE audit_logs;
DROP TABLE api_token_cameras;
DROP TABLE api_tokens;
DROP TABLE cameras;
DROP TABLE sessions;
DROP TABLE users;
