import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { keys } from '../../api/keys';
import type { CreatedToken, NewApiToken, Permission } from '../../api/types';
import { CameraMultiPicker } from '../../components/CameraPicker';
import { CheckField, FormError, TextField } from '../../components/Field';
import { FormFoot, Modal } from '../../components/Modal';
import { SecretShown } from '../../components/SecretShown';
import { localInputToIso } from '../../lib/format';
import { NO_ERRORS } from '../../lib/formErrors';
import { useSaveForm } from '../../lib/useSaveForm';

export function parseAllowlist(text: string): string[] {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export function TokenCreate({ onClose }: { onClose: () => void }) {
  const catalog = useQuery({ queryKey: keys.permissions, queryFn: api.auth.permissions, staleTime: Infinity });
  const [remark, setRemark] = useState('');
  const [perms, setPerms] = useState<Permission[]>(['camera.read']);
  const [allCameras, setAllCameras] = useState(true);
  const [cameraIds, setCameraIds] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [allow, setAllow] = useState('');
  const [rate, setRate] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const { mutation: create, errors, setErrors } = useSaveForm({
    save: (body: NewApiToken) => api.tokens.create(body),
    invalidate: keys.tokens,
    fields: ['remark', 'permissions', 'camera_ids', 'ip_allowlist', 'expires_at', 'rate_limit_per_hour'],
    onSaved: setCreated,
  });
  if (created) {
    return (
      <SecretShown title="Token created" secret={created.secret} testId="token-secret" onClose={onClose}>
        Use it as <code>Authorization: Bearer …</code> or <code>X-API-Key: …</code>.
      </SecretShown>
    );
  }

  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setErrors(NO_ERRORS);
    create.mutate({
      remark: remark.trim(),
      permissions: perms,
      camera_ids: allCameras ? null : cameraIds,
      ip_allowlist: parseAllowlist(allow),
      expires_at: localInputToIso(expires) ?? null,
      ...(rate ? { rate_limit_per_hour: Number(rate) } : {}),
    });
  };
  // The server says what a token may hold (people and tokens are managed by users only).
  const grantable = catalog.data?.token_grantable ?? [];

  return (
    <Modal title="New API token" onClose={onClose} wide>
      <form className="modal__body form-grid" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <TextField label="Remark" name="remark" placeholder="e.g. ACME integration" value={remark} error={errors.fields.remark} onChange={(e) => setRemark(e.target.value)} />
        <fieldset className="fieldset">
          <legend>Permissions</legend>
          <div className="check-grid">
            {grantable.map((p) => <CheckField key={p} label={p} checked={perms.includes(p)} onChange={() => setPerms((l) => toggle(l, p))} />)}
          </div>
          {errors.fields.permissions && <small className="field__error" role="alert">{errors.fields.permissions}</small>}
        </fieldset>
        <fieldset className="fieldset">
          <legend>Camera scope</legend>
          <CheckField label="Every camera (including future ones)" checked={allCameras} onChange={(e) => setAllCameras(e.target.checked)} />
          {!allCameras && (
            <CameraMultiPicker value={cameraIds} onChange={setCameraIds} testId="token-cameras" />
          )}
          {errors.fields.camera_ids && <small className="field__error" role="alert">{errors.fields.camera_ids}</small>}
        </fieldset>
        <TextField label="Expires (optional)" name="expires_at" type="datetime-local" value={expires} error={errors.fields.expires_at} onChange={(e) => setExpires(e.target.value)} />
        <TextField label="IP allowlist (optional)" name="ip_allowlist" placeholder="203.0.113.7, 10.0.0.0/8" hint="Addresses or CIDR ranges, separated by commas or spaces. Empty = any." value={allow} error={errors.fields.ip_allowlist} onChange={(e) => setAllow(e.target.value)} />
        <TextField label="Requests per hour (optional)" name="rate_limit_per_hour" type="number" min={1} value={rate} error={errors.fields.rate_limit_per_hour} onChange={(e) => setRate(e.target.value)} />
        <FormFoot onCancel={onClose} busy={create.isPending} label="Create token" busyLabel="Creating…" testId="token-save" />
      </form>
    </Modal>
  );
}
