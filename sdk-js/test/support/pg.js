// A minimal PostgreSQL client for test set-up (schemas, policies, publications): the simple
// query protocol over TCP, trust authentication as the embedded server allows from localhost.
// Test code only; it keeps the SDK's dev dependencies to ws and typescript.
import net from 'node:net';

function message(type, body) {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([type ? Buffer.from(type) : Buffer.alloc(0), len, body]);
}

function cstr(s) {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

/** Runs SQL (one or more statements) and resolves to the rows of the last result, as text values. */
export function sql(port, text, { user = 'postgres', database = 'postgres' } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let fields = [];
    let rows = [];
    let error = null;
    let queried = false;
    socket.setTimeout(60_000, () => socket.destroy(new Error('postgres did not answer within 60 s')));
    socket.on('error', reject);
    socket.on('connect', () => {
      const params = Buffer.concat([cstr('user'), cstr(user), cstr('database'), cstr(database), Buffer.from([0])]);
      const version = Buffer.alloc(4);
      version.writeInt32BE(196608);
      socket.write(message(null, Buffer.concat([version, params])));
    });
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 5) {
        const type = String.fromCharCode(buf[0]);
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) break;
        const body = buf.subarray(5, len + 1);
        buf = buf.subarray(len + 1);
        if (type === 'R' && body.readInt32BE(0) !== 0) {
          socket.destroy();
          reject(new Error('test postgres asked for a password; trust authentication expected'));
          return;
        }
        if (type === 'E') {
          const parts = {};
          let i = 0;
          while (body[i] !== 0) {
            const code = String.fromCharCode(body[i]);
            const end = body.indexOf(0, i + 1);
            parts[code] = body.subarray(i + 1, end).toString('utf8');
            i = end + 1;
          }
          error = new Error(`${parts.M} (${parts.C})`);
        }
        if (type === 'T') {
          fields = [];
          rows = [];
          let i = 2;
          for (let f = 0; f < body.readInt16BE(0); f++) {
            const end = body.indexOf(0, i);
            fields.push(body.subarray(i, end).toString('utf8'));
            i = end + 1 + 18;
          }
        }
        if (type === 'D') {
          const row = {};
          let i = 2;
          for (let f = 0; f < body.readInt16BE(0); f++) {
            const n = body.readInt32BE(i);
            i += 4;
            row[fields[f]] = n < 0 ? null : body.subarray(i, i + n).toString('utf8');
            if (n > 0) i += n;
          }
          rows.push(row);
        }
        if (type === 'Z') {
          if (!queried) {
            queried = true;
            socket.write(message('Q', cstr(text)));
          } else {
            socket.end(message('X', Buffer.alloc(0)));
            if (error) reject(error);
            else resolve(rows);
          }
        }
      }
    });
  });
}
