import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { mapFormError } from './formErrors';

const fields = ['name', 'serial_number'];

describe('mapFormError', () => {
  it('puts 422 field errors under their inputs and unknown fields in the form message', () => {
    const e = new ApiError(422, 'validation_failed', 'validation failed', {
      name: [{ code: 'length', message: 'must be at most 120 characters' }, { code: 'charset', message: 'bad characters' }],
      transcode_profile: [{ code: 'unknown', message: 'unknown profile' }],
    });
    expect(mapFormError(e, fields)).toEqual({
      fields: { name: 'must be at most 120 characters; bad characters' },
      form: 'transcode_profile: unknown profile',
    });
  });

  it('maps a 409 conflict onto the given field', () => {
    const e = new ApiError(409, 'conflict', 'serial number already exists');
    expect(mapFormError(e, fields, 'serial_number')).toEqual({ fields: { serial_number: 'serial number already exists' }, form: null });
  });

  it('shows other errors as a form message', () => {
    expect(mapFormError(new ApiError(403, 'forbidden', 'missing permission camera.write'), fields)).toEqual({
      fields: {},
      form: 'missing permission camera.write',
    });
    expect(mapFormError(new Error('boom'), fields).form).toBe('boom');
  });

  it('ignores malformed details', () => {
    const e = new ApiError(422, 'validation_failed', 'invalid input', { name: 'not a list' });
    expect(mapFormError(e, fields)).toEqual({ fields: {}, form: 'invalid input' });
  });
});
