// Capability probes for server parts that land on main at different times. A suite whose part
// is missing from the built jar skips its tests with a loud message instead of failing, so the
// suite stays green while other branches are in flight; once the part is in the jar the tests
// run for real.
import WebSocket from 'ws';

export async function servesRest(gw) {
  try {
    const res = await fetch(`${gw.url}/rest/v1/__parley_probe__`, { headers: { apikey: gw.anonKey } });
    const body = await res.json().catch(() => null);
    return typeof body?.code === 'string' && body.code.startsWith('PGRST');
  } catch {
    return false;
  }
}

/** True when POST /rest/v1/rpc/<fn> with args reaches an existing function (fn must exist). */
export async function servesRpc(gw, fn, args = {}) {
  const res = await fetch(`${gw.url}/rest/v1/rpc/${fn}`, {
    method: 'POST',
    headers: { apikey: gw.anonKey, Authorization: `Bearer ${gw.serviceKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  const body = await res.json().catch(() => null);
  return !(res.status === 404 && body?.code === 'PGRST202');
}

/** True when /realtime/v1/websocket upgrades and answers a heartbeat. */
export function servesRealtime(gw) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/realtime/v1/websocket?apikey=${gw.anonKey}&vsn=2.0.0`);
    const done = (ok) => { clearTimeout(timer); try { ws.terminate(); } catch { /* closed */ } resolve(ok); };
    const timer = setTimeout(() => done(false), 5000);
    ws.on('open', () => ws.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}])));
    ws.on('message', (data) => {
      try {
        const msg = JSON.parse(data.toString());
        done(Array.isArray(msg) && msg[3] === 'phx_reply');
      } catch {
        done(false);
      }
    });
    ws.on('error', () => done(false));
    ws.on('unexpected-response', () => done(false));
  });
}

export function skipLoudly(what) {
  const line = '!'.repeat(78);
  console.warn(`\n${line}\n!! SKIPPED: ${what} is not served by gateway/target/parley.jar.\n!! These SDK tests run once that part is on main and the jar is rebuilt.\n${line}\n`);
}
