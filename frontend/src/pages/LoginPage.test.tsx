import { act, fireEvent, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { sessionStore } from '../api';
import { mockFetch, renderAs, me } from '../test/fixtures';
import { LoginPage, loginErrorMessage } from './LoginPage';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function fill(username: string, password: string) {
  fireEvent.change(screen.getByLabelText('Username'), { target: { value: username } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByTestId('login-submit'));
}

describe('login errors', () => {
  it('has a clear message per failure', () => {
    expect(loginErrorMessage(new ApiError(401, 'unauthorized', 'invalid username or password'))).toBe('Wrong username or password.');
    expect(loginErrorMessage(new ApiError(429, 'rate_limited', 'x', null, 120))).toBe('Too many sign-in attempts. Try again in 2 minutes.');
    expect(loginErrorMessage(new ApiError(403, 'forbidden', 'this account is deactivated'))).toBe('This account is deactivated.');
    expect(loginErrorMessage(new ApiError(0, 'network', 'x'))).toMatch(/cannot reach/i);
  });

  it('locks the form for Retry-After seconds on 429', async () => {
    mockFetch({ 'POST /auth/login': () => json(429, { error: { code: 'rate_limited', message: 'too many login attempts' } }, { 'retry-after': '30' }) });
    renderAs(null, <LoginPage />, '/login');
    fill('admin', 'guess');
    expect((await screen.findByTestId('login-error')).textContent).toMatch(/Try again in 30 seconds.*retry in 30 s/);
    expect((screen.getByTestId('login-submit') as HTMLButtonElement).disabled).toBe(true);
  });

  it('signs in, stores the session and goes to the page asked for', async () => {
    mockFetch({
      'POST /auth/login': { access_token: 'a1', refresh_token: 'r1', token_type: 'Bearer', expires_in: 900, user: me('admin') },
      'GET /auth/me': me('admin'),
    });
    renderAs(null, <Routes><Route path="/login" element={<LoginPage />} /><Route path="/" element={<p>home</p>} /></Routes>, '/login');
    await act(async () => fill('admin', 'right'));
    expect(await screen.findByText('home')).toBeTruthy();
    expect(sessionStore.get()).toMatchObject({ accessToken: 'a1', refreshToken: 'r1' });
  });
});
