// E2E plumbing: free ports, the real `argus up` stack in a temp data dir, a tiny step runner.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(FRONTEND, '..');
export const ARTIFACTS = path.join(FRONTEND, 'e2e-artifacts');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function distinctPorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(what, fn, timeoutMs = 30_000, everyMs = 250) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

/** Stops a child: SIGINT, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopProcess(child, graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/** Starts `argus up` from the repo root (so it serves frontend/dist) on free ports. */
export async function startArgus({ adminPassword }) {
  const bin = path.resolve(FRONTEND, process.env.ARGUS_BIN ?? '../target/debug/argus');
  if (!fs.existsSync(bin)) throw new Error(`argus binary not found at ${bin} (set ARGUS_BIN or run cargo build)`);
  if (!fs.existsSync(path.join(FRONTEND, 'dist', 'index.html'))) throw new Error('frontend/dist is missing: run `npm run build` first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-e2e-'));
  const [api, rtmp, hls, rtmpInternal] = await distinctPorts(4);
  const env = {
    ...process.env,
    ARGUS_DATA_DIR: dataDir,
    ARGUS_BIND: `127.0.0.1:${api}`,
    ARGUS_RTMP_PORT: String(rtmp),
    ARGUS_RTMP_INTERNAL_PORT: String(rtmpInternal),
    ARGUS_NGINX_HTTP_PORT: String(hls),
    ARGUS_PUBLIC_RTMP_URL: `rtmp://127.0.0.1:${rtmp}/live`,
    ARGUS_ADMIN_PASSWORD: adminPassword,
    ARGUS_HOOK_UPDATE_SECS: '3',
    // Chunks of 10–20 s (rotated on the scheduler's 10 s tick): the footage steps play and
    // export across their boundaries.
    ARGUS_RECORD_INTERVAL_SECS: '10',
    DATABASE_URL: `sqlite://${dataDir}/argus.db`,
  };
  const log = fs.createWriteStream(path.join(ARTIFACTS, 'argus.log'));
  const child = spawn(bin, ['up'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const base = `http://127.0.0.1:${api}`;
  const exited = new Promise((_, reject) => child.once('exit', (code, sig) => reject(new Error(`argus up exited early (code ${code}, signal ${sig}); see e2e-artifacts/argus.log`))));
  exited.catch(() => undefined);
  await Promise.race([
    waitFor('/healthz', async () => (await fetch(`${base}/healthz`)).ok, 90_000, 300),
    exited,
  ]);
  return {
    base,
    dataDir,
    child,
    async stop() {
      await stopProcess(child);
      log.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sequential steps with timings; once one fails, the rest are skipped (they depend on it). */
export function createRunner() {
  const results = [];
  let broken = null;
  return {
    results,
    async step(name, fn) {
      if (broken) {
        results.push({ name, status: 'skipped', ms: 0 });
        console.log(`  - SKIP ${name} (after failure of "${broken}")`);
        return;
      }
      const t0 = Date.now();
      try {
        await fn();
        const ms = Date.now() - t0;
        results.push({ name, status: 'passed', ms });
        console.log(`  ✓ ${name} (${(ms / 1000).toFixed(1)} s)`);
      } catch (e) {
        const ms = Date.now() - t0;
        results.push({ name, status: 'failed', ms, error: e });
        broken = name;
        console.log(`  ✗ ${name} (${(ms / 1000).toFixed(1)} s)\n    ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n    ')}`);
      }
    },
    summary() {
      const count = (s) => results.filter((r) => r.status === s).length;
      return { passed: count('passed'), failed: count('failed') + count('skipped'), skipped: count('skipped') };
    },
  };
}
