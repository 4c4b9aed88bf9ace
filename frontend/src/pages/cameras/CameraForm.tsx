import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { useCameraMutation, useProfiles } from '../../api/hooks';
import { useAuth } from '../../auth/AuthProvider';
import type { Camera, NewCamera } from '../../api/types';
import { CheckField, FormError, SelectField, TextField } from '../../components/Field';
import { Modal } from '../../components/Modal';
import { mapFormError, NO_ERRORS, type FormErrorState } from '../../lib/formErrors';
import { apiField, CameraStorageFields, initialStorage, STORAGE_FIELDS, storageBody } from './CameraStorageFields';

const TEXT_FIELDS = [
  { name: 'name', label: 'Name', required: true },
  { name: 'serial_number', label: 'Serial number', required: true },
  { name: 'company', label: 'Company' },
  { name: 'model', label: 'Model' },
  { name: 'location', label: 'Location' },
  { name: 'place', label: 'Place' },
] as const;

type TextName = (typeof TEXT_FIELDS)[number]['name'];
const FIELD_NAMES = [
  ...TEXT_FIELDS.map((f) => f.name),
  'transcode_profile',
  'recording_enabled',
  ...STORAGE_FIELDS.map((f) => apiField(f.name)),
  'legal_hold',
];

function initialValues(c?: Camera): Record<TextName, string> {
  return {
    name: c?.name ?? '',
    serial_number: c?.serial_number ?? '',
    company: c?.company ?? '',
    model: c?.model ?? '',
    location: c?.location ?? '',
    place: c?.place ?? '',
  };
}

/** Create (no `camera`) or edit a camera; the API's 422 details appear under their inputs. */
export function CameraForm({ camera, onClose, onSaved }: { camera?: Camera; onClose: () => void; onSaved: (c: Camera) => void }) {
  const editing = !!camera;
  const profiles = useProfiles();
  const [values, setValues] = useState(() => initialValues(camera));
  const [recording, setRecording] = useState(camera?.recording_enabled ?? true);
  const [profile, setProfile] = useState(camera?.transcode_profile ?? '');
  const [storage, setStorage] = useState(() => initialStorage(camera));
  const [held, setHeld] = useState(camera?.legal_hold ?? false);
  // A hold is set on an existing camera, by users allowed to hold footage.
  const mayHold = useAuth().can('recording.hold') && editing;
  const [errors, setErrors] = useState<FormErrorState>(NO_ERRORS);

  const save = useCameraMutation(async (body: NewCamera) => {
    if (!camera) return api.cameras.create(body);
    const { serial_number: _ignored, ...update } = body;
    return api.cameras.update(camera.id, { ...update, ...(mayHold && held !== camera.legal_hold ? { legal_hold: held } : {}) });
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setErrors(NO_ERRORS);
    const opt = (v: string) => (v.trim() === '' ? null : v.trim());
    const body: NewCamera = {
      name: values.name.trim(),
      serial_number: values.serial_number.trim(),
      company: opt(values.company),
      model: opt(values.model),
      location: opt(values.location),
      place: opt(values.place),
      recording_enabled: recording,
      ...storageBody(storage),
      ...(profile ? { transcode_profile: profile } : {}),
    };
    save.mutate(body, {
      onSuccess: (cam) => cam && onSaved(cam),
      onError: (err) => setErrors(mapFormError(err, FIELD_NAMES, 'serial_number')),
    });
  };

  return (
    <Modal title={editing ? `Edit ${camera.name}` : 'Add camera'} onClose={onClose}>
      <form className="modal__body form-grid" onSubmit={submit} noValidate data-testid="camera-form">
        <FormError message={errors.form} />
        {TEXT_FIELDS.map((f) => (
          <TextField
            key={f.name}
            name={f.name}
            label={f.label}
            required={'required' in f}
            value={values[f.name]}
            disabled={editing && f.name === 'serial_number'}
            hint={editing && f.name === 'serial_number' ? 'The serial number cannot be changed.' : undefined}
            error={errors.fields[f.name]}
            onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
          />
        ))}
        <SelectField
          name="transcode_profile"
          label="Transcoding profile"
          value={profile}
          error={errors.fields.transcode_profile}
          onChange={(e) => setProfile(e.target.value)}
          hint={profiles.data?.find((p) => p.name === profile)?.description}
        >
          {!editing && <option value="">Server default</option>}
          {profiles.data?.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} ({p.rungs.map((r) => (r.passthrough ? 'source' : r.height ? `${r.height}p` : r.name)).join(', ')})
            </option>
          ))}
        </SelectField>
        <CheckField label="Record this camera" name="recording_enabled" checked={recording} onChange={(e) => setRecording(e.target.checked)} />
        <CameraStorageFields
          values={storage}
          errors={errors.fields}
          onChange={(name, value) => setStorage((v) => ({ ...v, [name]: value }))}
          hold={mayHold ? { checked: held, onChange: setHeld } : undefined}
        />
        <footer className="modal__foot">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={save.isPending} data-testid="camera-save">
            {save.isPending ? 'Saving…' : editing ? 'Save changes' : 'Add camera'}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
