package ccbt.io.tracker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The HTTP/1.1 GET a tracker request needs, over a plain socket or TLS: one request per connection, redirects followed
 * as for any GET (at most {@link #MAX_REDIRECTS}, never from https to http), the reply read up to a size limit
 * (declared by Content-Length, chunked, or up to the end of the stream), the whole exchange within one deadline.
 * Blocking: the caller gives it a thread.
 *
 * <p>In place of the JDK's {@code HttpClient}: building that client and its first request cost a process about
 * 0.6 CPU s, 0.35 s with its classes in the AOT cache (the default TLS context with every CA certificate, a selector
 * thread, its asynchronous machinery); a request here costs a few milliseconds. TLS is set up only for an https
 * tracker, with the JDK's default trust and host-name checks. The project's one HTTP client: the AOT training and the
 * benchmark read metrics endpoints through it too.
 */
public final class HttpGet {
    static final int MAX_REDIRECTS = 5;
    /** Status line and headers together, at most. */
    static final int MAX_HEAD_BYTES = 64 * 1024;

    /** The final reply: its status and body. */
    public record Response(int status, byte[] body) {
    }

    /** The reply's body is, or is declared to be, larger than the limit. */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge(final String message) {
            super(message);
        }
    }

    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxBodyBytes;
    private final String userAgent;
    /** The TLS socket factory for https, or null for the JDK's default (made on the first https request only). */
    private final SSLSocketFactory tls;

    public HttpGet(final Duration connectTimeout, final Duration requestTimeout, final int maxBodyBytes,
                   final String userAgent) {
        this(connectTimeout, requestTimeout, maxBodyBytes, userAgent, null);
    }

    /** With {@code tls} instead of the JDK's default TLS: for tests, which need a trust store of their own. */
    HttpGet(final Duration connectTimeout, final Duration requestTimeout, final int maxBodyBytes, final String userAgent,
            final SSLSocketFactory tls) {
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.maxBodyBytes = maxBodyBytes;
        this.userAgent = userAgent;
        this.tls = tls;
    }

    /** GETs {@code url} (http or https), following redirects; a redirect from https to http is returned as it is. */
    public Response get(final URI url) throws IOException {
        final long deadline = System.nanoTime() + requestTimeout.toNanos();
        URI current = url;
        for (int redirects = 0; ; redirects++) {
            final Reply reply = exchange(current, deadline);
            if (reply.location == null || !isRedirect(reply.status)) {
                return new Response(reply.status, reply.body);
            }
            final URI next;
            try {
                next = current.resolve(reply.location.strip());
            } catch (final IllegalArgumentException e) {
                throw new IOException("redirect to an unusable location '" + reply.location + "'", e);
            }
            if (!isHttp(next)) {
                throw new IOException("redirect to " + next + ", which is not http(s)");
            }
            if (isTls(current) && !isTls(next)) {
                return new Response(reply.status, reply.body);
            }
            if (redirects == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects");
            }
            current = next;
        }
    }

    private record Reply(int status, String location, byte[] body) {
    }

    private Reply exchange(final URI url, final long deadline) throws IOException {
        final boolean tls = isTls(url);
        final String host = bare(url.getHost());
        final int port = url.getPort() >= 0 ? url.getPort() : tls ? 443 : 80;
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), millisLeft(deadline, connectTimeout.toMillis()));
            if (tls) {
                final SSLSocketFactory factory = this.tls != null ? this.tls : TlsFactory.DEFAULT;
                final SSLSocket s = (SSLSocket) factory.createSocket(socket, host, port, true);
                final SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                socket = s;
                s.setSoTimeout(millisLeft(deadline, Long.MAX_VALUE));
                s.startHandshake();
            }
            final String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            final String target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
            final String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "") + "\r\n"
                + "User-Agent: " + userAgent + "\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
            final OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(new BufferedInputStream(new DeadlineInput(socket, deadline)));
        } finally {
            socket.close();
        }
    }

    private Reply read(final InputStream in) throws IOException {
        final int[] headBytes = {0};
        int status;
        String location = null;
        long contentLength = -1;
        boolean chunked = false;
        do {
            final String statusLine = line(in, headBytes);
            final String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line: '" + printable(statusLine) + "'");
            }
            try {
                status = Integer.parseInt(parts[1]);
            } catch (final NumberFormatException e) {
                throw new IOException("not an HTTP status: '" + printable(parts[1]) + "'");
            }
            if (status < 100 || status > 999) {
                throw new IOException("HTTP status " + status + " out of range");
            }
            for (String header = line(in, headBytes); !header.isEmpty(); header = line(in, headBytes)) {
                final int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header line: '" + printable(header) + "'");
                }
                final String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                final String value = header.substring(colon + 1).strip();
                switch (name) {
                    case "location" -> location = value;
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "content-length" -> contentLength = contentLength(value);
                    default -> {
                        // not needed for a tracker's reply
                    }
                }
            }
        } while (status / 100 == 1);
        final byte[] body;
        if (status == 204 || status == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = chunkedBody(in, headBytes);
        } else if (contentLength >= 0) {
            if (contentLength > maxBodyBytes) {
                throw new BodyTooLarge("reply of " + contentLength + " bytes exceeds the limit of " + maxBodyBytes);
            }
            body = in.readNBytes((int) contentLength);
            if (body.length < contentLength) {
                throw new EOFException("reply ended after " + body.length + " of " + contentLength + " bytes");
            }
        } else {
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            copyAtMost(in, all, Long.MAX_VALUE);
            body = all.toByteArray();
        }
        return new Reply(status, location, body);
    }

    private byte[] chunkedBody(final InputStream in, final int[] headBytes) throws IOException {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (true) {
            final String sizeLine = line(in, headBytes);
            final int semicolon = sizeLine.indexOf(';');
            final String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip();
            final long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (final NumberFormatException e) {
                throw new IOException("malformed chunk size: '" + printable(sizeLine) + "'");
            }
            if (size < 0) {
                throw new IOException("malformed chunk size: '" + printable(sizeLine) + "'");
            }
            if (size == 0) {
                while (!line(in, headBytes).isEmpty()) {
                    // trailer fields: not needed
                }
                return all.toByteArray();
            }
            if (copyAtMost(in, all, size) < size) {
                throw new EOFException("reply ended inside a chunk");
            }
            if (!line(in, headBytes).isEmpty()) {
                throw new IOException("chunk longer than its declared " + size + " bytes");
            }
        }
    }

    /** Copies up to {@code count} bytes (all until the end of the stream if fewer), refusing a body past the limit. */
    private long copyAtMost(final InputStream in, final ByteArrayOutputStream out, final long count) throws IOException {
        final byte[] buffer = new byte[8192];
        long copied = 0;
        while (copied < count) {
            final int n = in.read(buffer, 0, (int) Math.min(buffer.length, count - copied));
            if (n < 0) {
                break;
            }
            if ((long) out.size() + n > maxBodyBytes) {
                throw new BodyTooLarge("reply exceeds the limit of " + maxBodyBytes + " bytes");
            }
            out.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    /** One line of the head (CRLF or LF ended, without it), counted against {@link #MAX_HEAD_BYTES}. */
    private static String line(final InputStream in, final int[] headBytes) throws IOException {
        final StringBuilder sb = new StringBuilder(64);
        while (true) {
            final int b = in.read();
            if (b < 0) {
                throw new EOFException("reply ended in its head");
            }
            if (++headBytes[0] > MAX_HEAD_BYTES) {
                throw new IOException("reply head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                final int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            sb.append((char) b);
        }
    }

    private static long contentLength(final String value) throws IOException {
        try {
            final long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (final NumberFormatException e) {
            // named below
        }
        throw new IOException("malformed Content-Length '" + printable(value) + "'");
    }

    private static boolean isRedirect(final int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean isHttp(final URI url) {
        return url != null && url.getHost() != null
            && ("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()));
    }

    private static boolean isTls(final URI url) {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    /** An IPv6 literal without its brackets, as a socket address takes it. */
    private static String bare(final String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String printable(final String s) {
        final String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Milliseconds to the deadline, at most {@code cap}, at least 1; a passed deadline is a time-out. */
    private static int millisLeft(final long deadline, final long cap) throws SocketTimeoutException {
        final long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("no reply within the request time-out");
        }
        return (int) Math.max(1, Math.min(Math.min(left, cap), Integer.MAX_VALUE));
    }

    /** Reads from the socket with each read bounded by what is left of the deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(final Socket socket, final long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            socket.setSoTimeout(millisLeft(deadline, Long.MAX_VALUE));
            return in.read();
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            socket.setSoTimeout(millisLeft(deadline, Long.MAX_VALUE));
            return in.read(b, off, len);
        }
    }

    /** The JDK's default TLS socket factory, made on the first https request only. */
    private static final class TlsFactory {
        static final SSLSocketFactory DEFAULT = (SSLSocketFactory) SSLSocketFactory.getDefault();
    }
}
