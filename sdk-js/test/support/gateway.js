// Starts the real gateway (gateway/target/parley.jar) for a test file: free ports, a temporary
// data directory (its own embedded Postgres), waits for /health; stop() and restart() keep the
// data. Keys are signed with the secret the gateway generated in its data directory.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from './pg.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// PARLEY_JAR points the suites at another build (e.g. a branch not yet on main).
export const JAR = process.env.PARLEY_JAR ?? path.resolve(here, '../../../gateway/target/parley.jar');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** An HS256 JWT with these claims. */
export function signJwt(secret, claims) {
  const head = b64url({ alg: 'HS256', typ: 'JWT' });
  const body = b64url(claims);
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves when predicate() is truthy; rejects after timeoutMs with the message. */
export async function waitFor(predicate, { timeoutMs = 10_000, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await sleep(25);
  }
}

export class TestGateway {
  static async start(env = {}) {
    if (!existsSync(JAR)) {
      throw new Error(`${JAR} is missing: build it first with "mvn -B -ntp -q -DskipTests package" from the repository root`);
    }
    const gw = new TestGateway();
    gw.dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-sdk-test-'));
    gw.port = await freePort();
    gw.dbPort = await freePort();
    gw.env = env;
    await gw._spawn();
    gw.secret = readFileSync(path.join(gw.dataDir, 'jwt-secret'), 'ascii').trim();
    const now = Math.floor(Date.now() / 1000);
    gw.anonKey = signJwt(gw.secret, { role: 'anon', iss: 'parley', iat: now, exp: now + 10 * 365 * 86400 });
    gw.serviceKey = signJwt(gw.secret, { role: 'service_role', iss: 'parley', iat: now, exp: now + 10 * 365 * 86400 });
    return gw;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async _spawn() {
    const log = openSync(path.join(this.dataDir, 'gateway.log'), 'a');
    this.proc = spawn('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-jar', JAR], {
      env: {
        ...process.env,
        PARLEY_PORT: `${this.port}`,
        PARLEY_DB_PORT: `${this.dbPort}`,
        PARLEY_DATA_DIR: this.dataDir,
        PARLEY_HOST: '127.0.0.1',
        PARLEY_AUTH_BCRYPT_COST: '4',
        PARLEY_AUTH_RATE_LIMIT_EMAIL: '100000',
        PARLEY_AUTH_RATE_LIMIT_ADDRESS: '100000',
        ...this.env,
      },
      stdio: ['ignore', log, log],
    });
    const exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    this.exited = exited;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const early = await Promise.race([exited, sleep(200).then(() => undefined)]);
      if (early !== undefined) throw new Error(`gateway exited with ${early} during start; log:\n${this.log().slice(-4000)}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`gateway not healthy within 120 s; log:\n${this.log().slice(-4000)}`);
      }
    }
  }

  log() {
    try {
      return readFileSync(path.join(this.dataDir, 'gateway.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the gateway (SIGTERM: a clean shutdown), keeping its data. */
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const killer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(killer);
  }

  async restart() {
    await this.stop();
    await this._spawn();
  }

  /** Stops it and removes its data directory. */
  async close() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  sql(text) {
    return sql(this.dbPort, text);
  }

  /** A token for an existing user id, as the gateway would issue it. */
  userToken(sub, { expiresIn = 3600, email } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(this.secret, { sub, role: 'authenticated', aud: 'authenticated', iss: 'parley', email, iat: now, exp: now + expiresIn });
  }

  /** True when the gateway answers under this path with something other than 404 (a capability probe). */
  async serves(pathname, init) {
    try {
      const res = await fetch(`${this.url}${pathname}`, { ...init, headers: { apikey: this.anonKey, ...(init?.headers ?? {}) } });
      await res.body?.cancel();
      return res.status !== 404;
    } catch {
      return false;
    }
  }
}
