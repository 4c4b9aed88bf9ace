DROP TABLE recording_totals;
