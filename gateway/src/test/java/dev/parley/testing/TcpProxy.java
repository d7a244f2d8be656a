package dev.parley.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a real Postgres that a test can turn into a black hole: while
 * {@link #silence() silent} it still accepts connections but never answers a byte (a host that
 * drops packets, a stuck load balancer), and it cuts every connection it was forwarding, as a
 * network change would. {@link #resume()} forwards again. It records when each connection was
 * accepted, so a test sees every attempt a client makes and when.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<Long> acceptedNanos = new CopyOnWriteArrayList<>();
    private volatile boolean silent;
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free local port forwarding to {@code host:port}. */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on accept and never answer; cut what was being forwarded. */
    public void silence() {
        silent = true;
        for (Socket s : open) closeQuietly(s);
        open.clear();
    }

    /** Forward new connections again (the silent ones stay silent until closed). */
    public void resume() {
        silent = false;
    }

    /** When each connection was accepted ({@link System#nanoTime()}), in order. */
    public List<Long> acceptedNanos() {
        return List.copyOf(acceptedNanos);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                acceptedNanos.add(System.nanoTime());
                if (silent) {
                    open.add(client); // held open, never read or written: a black hole
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 2_000);
                } catch (IOException refused) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (!closed) throw new UncheckedIOException(e);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16_384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "test-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) closeQuietly(s);
    }
}
