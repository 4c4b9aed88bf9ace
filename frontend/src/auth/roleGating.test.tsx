import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Layout } from '../components/Layout';
import CamerasPage from '../pages/cameras/CamerasPage';
import { camera, mockFetch, page, renderAs } from '../test/fixtures';
import { visibleNav } from './permissions';
import { me } from '../test/fixtures';

const cam = camera('c1', { name: 'Gate', rtmp_url: 'rtmp://h:1935/live/KEY123', stream_key: 'KEY123' });

describe('role-aware UI', () => {
  it('navigation: admin sees admin pages, operator and viewer do not', () => {
    expect(visibleNav(me('admin')).map((n) => n.label)).toContain('Audit log');
    const op = visibleNav(me('operator')).map((n) => n.label);
    expect(op).toEqual(['Dashboard', 'Cameras', 'Live view', 'Recordings', 'Timeline', 'Exports', 'Alerts', 'Storage']);
    expect(visibleNav(me('viewer')).map((n) => n.label)).toEqual(['Dashboard', 'Cameras', 'Live view', 'Recordings', 'Timeline', 'Exports', 'Alerts']);
    expect(visibleNav(me('admin')).map((n) => n.label)).toContain('Alert channels');
    expect(op).not.toContain('Alert channels');
    expect(visibleNav(me('admin')).map((n) => n.label)).toContain('Timeline');
    // Without recording.read (an API role signed in), no Timeline.
    expect(visibleNav(me('api')).map((n) => n.label)).not.toContain('Timeline');
    expect(visibleNav(me('api')).map((n) => n.label)).not.toContain('Exports');
  });

  it('renders the nav links of the role only', () => {
    renderAs('operator', <Layout />);
    expect(screen.getByRole('link', { name: 'Cameras' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Timeline' }).getAttribute('href')).toBe('/timeline');
    expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'API tokens' })).toBeNull();
  });

  it('a viewer gets no add/edit/rotate controls on cameras', async () => {
    const { stream_key: _k, rtmp_url: _u, ...viewerCam } = cam;
    mockFetch({ 'GET /cameras': page([viewerCam]), 'GET /cameras/c1': viewerCam });
    renderAs('viewer', <CamerasPage />);
    fireEvent.click(await screen.findByTestId('camera-open-c1'));
    await screen.findByRole('dialog');
    expect(screen.queryByTestId('camera-add')).toBeNull();
    for (const id of ['camera-edit', 'rotate-key', 'toggle-active', 'camera-delete', 'rtmp-url']) expect(screen.queryByTestId(id)).toBeNull();
  });

  it('an operator gets the controls and the RTMP URL', async () => {
    mockFetch({ 'GET /cameras': page([cam]), 'GET /cameras/c1': cam });
    renderAs('operator', <CamerasPage />);
    fireEvent.click(await screen.findByTestId('camera-open-c1'));
    await waitFor(() => expect(screen.getByTestId('rtmp-url').textContent).toBe('rtmp://h:1935/live/KEY123'));
    expect(screen.getByTestId('camera-add')).toBeTruthy();
    expect(screen.getByTestId('rotate-key')).toBeTruthy();
  });
});
