// The gateway under test: the built jar on its embedded Postgres, on free ports with a fresh
// data directory, stoppable and restartable on the same ports and data (a real restart).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const repoRoot = resolve(here, '../..');
export const JAR = join(repoRoot, 'gateway/target/parley.jar');

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

export class Gateway {
  static async create() {
    if (!existsSync(JAR)) throw new Error(`${JAR} is missing: build it first with mvn -B -ntp -q -DskipTests package`);
    const gw = new Gateway();
    gw.dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
    gw.port = await freePort();
    gw.dbPort = await freePort();
    gw.url = `http://127.0.0.1:${gw.port}`;
    await gw.start();
    return gw;
  }

  async start() {
    this.log = [];
    this.process = spawn('java', ['-jar', JAR], {
      env: { ...process.env, PARLEY_PORT: String(this.port), PARLEY_HOST: '127.0.0.1', PARLEY_DB_PORT: String(this.dbPort), PARLEY_DATA_DIR: this.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk) => { this.log.push(String(chunk)); if (this.log.length > 400) this.log.shift(); };
    this.process.stdout.on('data', keep);
    this.process.stderr.on('data', keep);
    this.exited = new Promise((ok) => this.process.on('exit', (code, signal) => ok({ code, signal })));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const early = await Promise.race([this.exited, new Promise((ok) => setTimeout(() => ok(null), 250))]);
      if (early) throw new Error(`the gateway exited (${JSON.stringify(early)}):\n${this.log.join('')}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.status === 200) return;
      } catch { /* not listening yet */ }
    }
    throw new Error(`the gateway did not become healthy in 120 s:\n${this.log.join('')}`);
  }

  /** Ctrl-C: a clean shutdown (sockets get close frames, the embedded database stops). */
  async stop() {
    if (!this.process || this.process.exitCode !== null) return;
    this.process.kill('SIGTERM');
    const done = await Promise.race([this.exited, new Promise((ok) => setTimeout(() => ok(null), 30_000))]);
    if (!done) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  async close() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
