import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { ALERT_TYPES, type AlertType, type CreatedChannel, type NewAlertChannel } from '../../api/alerts';
import { keys } from '../../api/keys';
import { CameraMultiPicker } from '../../components/CameraPicker';
import { CheckField, FormError, SelectField, TextField } from '../../components/Field';
import { FormFoot, Modal } from '../../components/Modal';
import { SecretShown } from '../../components/SecretShown';
import { useSaveForm } from '../../lib/useSaveForm';
import { CHANNEL_FIELDS, EMPTY_CHANNEL, validateChannel, type ChannelForm } from './channelForm';

function FieldNote({ error }: { error?: string }) {
  return error ? <small className="field__error" role="alert">{error}</small> : null;
}

/** A created webhook's signing secret, shown once. */
function Created({ channel, secret, onClose }: { channel: CreatedChannel; secret: string; onClose: () => void }) {
  return (
    <SecretShown title={`Channel “${channel.name}” created`} secret={secret} testId="channel-secret" onClose={onClose}>
      Each delivery carries <code>X-Argus-Timestamp</code> and <code>X-Argus-Signature: sha256=…</code>, the HMAC-SHA256 of
      {' '}<code>timestamp.body</code> with this secret (see the README for a verification snippet).
    </SecretShown>
  );
}

export function ChannelCreate({ onClose }: { onClose: () => void }) {
  const [form, setForm] = useState<ChannelForm>(EMPTY_CHANNEL);
  const [created, setCreated] = useState<CreatedChannel | null>(null);
  const { mutation: create, errors, setErrors } = useSaveForm({
    save: (body: NewAlertChannel) => api.alertChannels.create(body),
    invalidate: keys.alertChannels,
    fields: CHANNEL_FIELDS,
    conflictField: 'name',
    // Only a webhook has a secret; an email channel has nothing more to show.
    onSaved: (c) => (c.secret ? setCreated(c) : onClose()),
  });
  if (created?.secret) return <Created channel={created} secret={created.secret} onClose={onClose} />;

  const set = <K extends keyof ChannelForm>(k: K, v: ChannelForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const toggleType = (t: AlertType) => set('types', form.types.includes(t) ? form.types.filter((x) => x !== t) : [...form.types, t]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { errors: fields, body } = validateChannel(form);
    setErrors({ fields, form: null });
    if (body) create.mutate(body);
  };
  const f = errors.fields;

  return (
    <Modal title="New alert channel" onClose={onClose} wide>
      <form className="modal__body form-grid" onSubmit={submit} noValidate data-testid="channel-form">
        <FormError message={errors.form} />
        <TextField label="Name" name="name" placeholder="e.g. On-call webhook" value={form.name} error={f.name} onChange={(e) => set('name', e.target.value)} />
        <SelectField label="Kind" name="kind" value={form.kind} onChange={(e) => set('kind', e.target.value as ChannelForm['kind'])}>
          <option value="webhook">Webhook</option>
          <option value="email">Email</option>
        </SelectField>
        {form.kind === 'webhook' ? (
          <TextField label="URL" name="url" type="url" placeholder="https://hooks.example.com/argus" value={form.url} error={f.url} onChange={(e) => set('url', e.target.value)} />
        ) : (
          <TextField label="To" name="to" inputMode="email" placeholder="ops@example.com, oncall@example.com" hint="Addresses separated by commas." value={form.to} error={f.to} onChange={(e) => set('to', e.target.value)} />
        )}
        <fieldset className="fieldset">
          <legend>Alert types</legend>
          <CheckField label="Every alert type" checked={form.allTypes} onChange={(e) => set('allTypes', e.target.checked)} />
          {!form.allTypes && (
            <div className="check-grid">
              {ALERT_TYPES.map((t) => <CheckField key={t} label={t} checked={form.types.includes(t)} onChange={() => toggleType(t)} />)}
            </div>
          )}
          <FieldNote error={f.alert_types} />
        </fieldset>
        <fieldset className="fieldset">
          <legend>Cameras</legend>
          <CheckField label="Every camera" checked={form.allCameras} onChange={(e) => set('allCameras', e.target.checked)} />
          {!form.allCameras && <CameraMultiPicker value={form.cameraIds} onChange={(ids) => set('cameraIds', ids)} testId="channel-cameras" />}
          <FieldNote error={f.camera_ids} />
        </fieldset>
        <FormFoot onCancel={onClose} busy={create.isPending} label="Create channel" busyLabel="Creating…" testId="channel-save" />
      </form>
    </Modal>
  );
}
