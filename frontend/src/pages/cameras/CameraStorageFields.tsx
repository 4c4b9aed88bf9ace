// The camera's storage rules in its form: retention, size quota, its own tier thresholds and,
// for users who may set it, a legal hold on all its footage. Empty = the server's default.
import type { Camera } from '../../api/types';
import { CheckField, TextField } from '../../components/Field';

const GIB = 1024 ** 3;

export const STORAGE_FIELDS = [
  { name: 'retention_days', label: 'Keep footage (days)', hint: 'Empty: the server default' },
  { name: 'quota_gib', label: 'Size quota (GiB, all tiers)', hint: 'Empty: no quota' },
  { name: 'warm_after_days', label: 'To WARM after (days)', hint: 'Empty: the server default' },
  { name: 'cold_after_days', label: 'To COLD after (days)', hint: 'Empty: the server default' },
  { name: 'archive_after_days', label: 'To ARCHIVE after (days)', hint: 'Empty: the server default' },
] as const;

export type StorageName = (typeof STORAGE_FIELDS)[number]['name'];
export type StorageValues = Record<StorageName, string>;

export function initialStorage(c?: Camera): StorageValues {
  const text = (n?: number | null) => (n == null ? '' : String(n));
  return {
    retention_days: text(c?.retention_days),
    quota_gib: c?.quota_bytes == null ? '' : String(Math.round((c.quota_bytes / GIB) * 100) / 100),
    warm_after_days: text(c?.warm_after_days),
    cold_after_days: text(c?.cold_after_days),
    archive_after_days: text(c?.archive_after_days),
  };
}

/** The request fields; a value that is not a number goes as-is so the server's 400/422 names it. */
export function storageBody(v: StorageValues) {
  const num = (s: string) => (s.trim() === '' ? null : Number(s.trim()));
  const gib = num(v.quota_gib);
  return {
    retention_days: num(v.retention_days),
    quota_bytes: gib == null || Number.isNaN(gib) ? gib : Math.round(gib * GIB),
    warm_after_days: num(v.warm_after_days),
    cold_after_days: num(v.cold_after_days),
    archive_after_days: num(v.archive_after_days),
  };
}

/** API field name of an input (the quota is entered in GiB, sent in bytes). */
export const apiField = (n: StorageName) => (n === 'quota_gib' ? 'quota_bytes' : n);

interface Props {
  values: StorageValues;
  errors: Record<string, string | undefined>;
  onChange: (name: StorageName, value: string) => void;
  /** `undefined`: the user may not set a hold (the checkbox is not shown). */
  hold?: { checked: boolean; onChange: (held: boolean) => void };
}

export function CameraStorageFields({ values, errors, onChange, hold }: Props) {
  return (
    <fieldset className="fieldset" data-testid="camera-storage">
      <legend>Storage</legend>
      {STORAGE_FIELDS.map((f) => (
        <TextField
          key={f.name}
          name={f.name}
          label={f.label}
          inputMode="decimal"
          value={values[f.name]}
          hint={f.hint}
          error={errors[apiField(f.name)]}
          onChange={(e) => onChange(f.name, e.target.value)}
        />
      ))}
      {hold && (
        <CheckField
          label="Legal hold: none of this camera's footage moves, expires or can be deleted"
          name="legal_hold"
          checked={hold.checked}
          onChange={(e) => hold.onChange(e.target.checked)}
        />
      )}
    </fieldset>
  );
}
