package io.nightjar.jobs.tracks.s3import;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A byte-forwarding HTTP proxy on loopback in front of the S3 server that answers chosen GETs with faults: 503
 * SlowDown, 500, a connection reset, a body cut short of its Content-Length, or a body trickled 1 KB every 0.5 s. Requests are forwarded unchanged, so
 * signatures stay valid. One request per connection. {@code faults} decides from the request path and the attempt
 * number for that path (1, 2, ...); null passes the request through.
 */
final class FaultInjectingProxy implements AutoCloseable {

  enum Fault { SLOW_DOWN_503, ERROR_500, RESET, TRUNCATE, SLOW_BODY }

  private final ServerSocket server;
  private final int upstreamPort;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final Map<Fault, AtomicInteger> injected = new ConcurrentHashMap<>();
  private volatile BiFunction<String, Integer, Fault> faults;

  FaultInjectingProxy(int upstreamPort, BiFunction<String, Integer, Fault> faults) throws IOException {
    this.server = new ServerSocket(0);
    this.upstreamPort = upstreamPort;
    this.faults = faults;
    pool.execute(this::accept);
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** From now on pass everything through. */
  void heal() {
    faults = (path, attempt) -> null;
  }

  /** GET requests seen so far. */
  int gets() {
    return attempts.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  int injected(Fault fault) {
    return injected.getOrDefault(fault, new AtomicInteger()).get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        pool.execute(() -> handle(client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void handle(Socket client) {
    try (Socket c = client) {
      InputStream in = c.getInputStream();
      byte[] head = readHead(in);
      if (head == null) {
        return;
      }
      String headText = new String(head, StandardCharsets.ISO_8859_1);
      String requestLine = headText.substring(0, headText.indexOf("\r\n"));
      String method = requestLine.split(" ")[0];
      String path = requestLine.split(" ")[1];
      byte[] body = readBody(in, headText);
      Fault fault = null;
      if (method.equals("GET")) {
        int attempt = attempts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        fault = faults.apply(path, attempt);
      }
      OutputStream out = c.getOutputStream();
      if (fault == Fault.RESET) {
        count(fault);
        c.setSoLinger(true, 0);
        return;
      }
      if (fault == Fault.SLOW_DOWN_503 || fault == Fault.ERROR_500) {
        count(fault);
        String code = fault == Fault.SLOW_DOWN_503 ? "SlowDown" : "InternalError";
        String status = fault == Fault.SLOW_DOWN_503 ? "503 Slow Down" : "500 Internal Server Error";
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>injected"
            + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + xml.length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(xml);
        out.flush();
        return;
      }
      byte[] response = forward(withConnectionClose(headText), body);
      if (fault == Fault.SLOW_BODY) {
        count(fault);
        for (int at = 0; at < response.length; at += 1024) {
          out.write(response, at, Math.min(1024, response.length - at));
          out.flush();
          try {
            Thread.sleep(500);
          } catch (InterruptedException e) {
            return;
          }
        }
      } else if (fault == Fault.TRUNCATE) {
        count(fault);
        String responseText = new String(response, StandardCharsets.ISO_8859_1);
        int bodyStart = responseText.indexOf("\r\n\r\n") + 4;
        int bodyLength = response.length - bodyStart;
        out.write(response, 0, bodyStart + bodyLength / 2);
      } else {
        out.write(response);
      }
      out.flush();
    } catch (IOException e) {
      // the client went away
    }
  }

  private void count(Fault fault) {
    injected.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
  }

  private byte[] forward(String head, byte[] body) throws IOException {
    try (Socket upstream = new Socket("127.0.0.1", upstreamPort)) {
      OutputStream out = upstream.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return upstream.getInputStream().readAllBytes(); // the server closes after answering
    }
  }

  private static String withConnectionClose(String head) {
    StringBuilder rebuilt = new StringBuilder();
    for (String line : head.split("\r\n")) {
      if (!line.isEmpty() && !line.toLowerCase().startsWith("connection:")) {
        rebuilt.append(line).append("\r\n");
      }
    }
    return rebuilt.append("Connection: close\r\n\r\n").toString();
  }

  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
      if (matched == 4) {
        return head.toByteArray();
      }
    }
    return null;
  }

  private static byte[] readBody(InputStream in, String head) throws IOException {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        return in.readNBytes(Integer.parseInt(line.substring(15).trim()));
      }
    }
    return new byte[0];
  }

  @Override
  public void close() throws IOException {
    server.close();
    pool.shutdownNow();
  }
}
