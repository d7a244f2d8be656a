// A TCP proxy in front of the gateway, to break connections the way networks do: cut() resets
// every connection (a dropped socket), freeze() stops forwarding without closing anything (a
// half-open connection: only heartbeats can notice), thaw() resumes.
import net from 'node:net';

export class TcpProxy {
  static start(targetPort) {
    return new Promise((resolve, reject) => {
      const proxy = new TcpProxy();
      proxy.targetPort = targetPort;
      proxy.pairs = new Set();
      proxy.frozen = false;
      proxy.accepted = 0;
      proxy.server = net.createServer((client) => proxy._accept(client));
      proxy.server.on('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => {
        proxy.port = proxy.server.address().port;
        resolve(proxy);
      });
    });
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  _accept(client) {
    this.accepted += 1;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forward = (from, to) => from.on('data', (chunk) => { if (!this.frozen) to.write(chunk); });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  /** Resets every open connection. */
  cut() {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy?.() ?? client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Drops bytes in both directions while keeping connections open. */
  freeze() {
    this.frozen = true;
  }

  thaw() {
    this.frozen = false;
  }

  close() {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
