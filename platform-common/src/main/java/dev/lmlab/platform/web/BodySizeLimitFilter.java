package dev.lmlab.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses bodies over the configured size with 413 before they are parsed: by Content-Length when the client
 * sends one, and by counting bytes when it streams a chunked body.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {

    private final long maxBytes;
    private final ProblemWriter problems;

    public BodySizeLimitFilter(long maxBytes, ProblemWriter problems) {
        this.maxBytes = maxBytes;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            reject(response, declared);
            return;
        }
        LimitedRequest limited = new LimitedRequest(request, maxBytes);
        try {
            chain.doFilter(limited, response);
        } catch (ServletException | IOException | RuntimeException e) {
            if (!limited.exceeded) {
                throw e;
            }
            reject(response, -1);
        }
        if (limited.exceeded && !response.isCommitted()) {
            reject(response, -1);
        }
    }

    private void reject(HttpServletResponse response, long declared) throws IOException {
        String size = declared >= 0 ? declared + " bytes" : "more than " + maxBytes + " bytes";
        problems.write(
                response,
                HttpStatus.CONTENT_TOO_LARGE,
                "payload-too-large",
                "The request body is " + size + "; the limit is " + maxBytes
                        + " bytes (lmlab.http.max-body-size). Send large files as artifacts or in parts.");
    }

    /** Thrown inside the body stream once the limit is passed; the filter turns it into a 413. */
    public static final class PayloadTooLargeException extends IOException {
        PayloadTooLargeException(long limit) {
            super("request body exceeds " + limit + " bytes");
        }
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private boolean exceeded;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new Counting(super.getInputStream());
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        private final class Counting extends ServletInputStream {
            private final ServletInputStream in;
            private long count;

            Counting(ServletInputStream in) {
                this.in = in;
            }

            private void add(long n) throws IOException {
                count += n;
                if (count > limit) {
                    exceeded = true;
                    throw new PayloadTooLargeException(limit);
                }
            }

            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    add(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    add(n);
                }
                return n;
            }

            @Override
            public boolean isFinished() {
                return in.isFinished();
            }

            @Override
            public boolean isReady() {
                return in.isReady();
            }

            @Override
            public void setReadListener(ReadListener listener) {
                in.setReadListener(listener);
            }
        }
    }
}
