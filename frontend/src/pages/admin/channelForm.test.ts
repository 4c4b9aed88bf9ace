import { describe, expect, it } from 'vitest';
import { EMPTY_CHANNEL, parseRecipients, validateChannel, type ChannelForm } from './channelForm';

const form = (over: Partial<ChannelForm>): ChannelForm => ({ ...EMPTY_CHANNEL, ...over });

describe('channel form validation', () => {
  it('a webhook needs a name and an http(s) URL', () => {
    expect(validateChannel(EMPTY_CHANNEL)).toEqual({
      errors: { name: 'Give the channel a name.', url: 'Enter the URL the alerts are posted to.' },
      body: null,
    });
    expect(validateChannel(form({ name: 'x', url: 'hooks.example.com' })).errors).toEqual({ url: 'This is not a valid URL.' });
    expect(validateChannel(form({ name: 'x', url: 'ftp://hooks.example.com/' })).errors).toEqual({ url: 'The URL must start with http:// or https://.' });
    expect(validateChannel(form({ name: '  On call ', url: ' https://hooks.example.com/argus ' }))).toEqual({
      errors: {},
      body: { name: 'On call', kind: 'webhook', url: 'https://hooks.example.com/argus' },
    });
  });

  it('an email channel needs valid recipients, sent as a list; the URL is not checked', () => {
    expect(validateChannel(form({ name: 'Ops', kind: 'email', url: 'junk' })).errors).toEqual({ to: 'Enter at least one email address.' });
    expect(validateChannel(form({ name: 'Ops', kind: 'email', to: 'ops@example.com, nobody' })).errors).toEqual({ to: 'Not an email address: nobody' });
    expect(validateChannel(form({ name: 'Ops', kind: 'email', to: 'ops@example.com; root@localhost\noncall@example.com' })).body).toEqual({
      name: 'Ops', kind: 'email', to: ['ops@example.com', 'root@localhost', 'oncall@example.com'],
    });
    expect(parseRecipients(' a@b.c ,, d@e.f ')).toEqual(['a@b.c', 'd@e.f']);
  });

  it('type and camera filters: all by default (left out of the body), else at least one', () => {
    const base = form({ name: 'x', url: 'http://127.0.0.1:9000/hook' });
    expect(validateChannel({ ...base, allTypes: false, allCameras: false }).errors).toEqual({
      alert_types: 'Pick at least one alert type, or all types.',
      camera_ids: 'Pick at least one camera, or all cameras.',
    });
    const { body } = validateChannel({ ...base, allTypes: false, types: ['camera.offline', 'storage.low'], allCameras: false, cameraIds: ['c1'] });
    expect(body).toEqual({ name: 'x', kind: 'webhook', url: 'http://127.0.0.1:9000/hook', alert_types: ['camera.offline', 'storage.low'], camera_ids: ['c1'] });
    // Picks kept while "all" is ticked again are not sent.
    expect(validateChannel({ ...base, types: ['storage.low'], cameraIds: ['c1'] }).body).toEqual({ name: 'x', kind: 'webhook', url: 'http://127.0.0.1:9000/hook' });
  });
});
