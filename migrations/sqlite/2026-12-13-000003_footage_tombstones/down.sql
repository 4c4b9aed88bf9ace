DROP TABLE footage_tombstones;
