package mechat.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A minimal RFC 6455 client on a plain socket, for frames the JDK's client will not send (text that
 * is not UTF-8) and for reading frames as they come (a Close's code, or none at all).
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int TEXT = 0x1;
  public static final int CONTINUATION = 0x0;
  public static final int CLOSE = 0x8;

  /** One frame as received. */
  public record Frame(boolean fin, int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String responseHead;
  private final Random random = new Random(1);

  /** Connects to /chat and performs the upgrade; {@link #responseHead()} holds the answer. */
  public RawWebSocket(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    InputStream raw = socket.getInputStream();
    String request =
        "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0; // how much of CR LF CR LF has been seen
    while (state < 4) {
      int b = raw.read();
      if (b < 0) break;
      head.write(b);
      boolean expected = b == (state % 2 == 0 ? '\r' : '\n');
      state = expected ? state + 1 : (b == '\r' ? 1 : 0);
    }
    responseHead = head.toString(StandardCharsets.ISO_8859_1);
    in = new DataInputStream(raw);
  }

  public String responseHead() {
    return responseHead;
  }

  /** Sends one masked frame, as a client must. */
  public void send(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write((fin ? 0x80 : 0) | opcode);
    int length = payload.length;
    if (length < 126) {
      frame.write(0x80 | length);
    } else if (length < 65536) {
      frame.write(0x80 | 126);
      frame.write(length >>> 8);
      frame.write(length);
    } else {
      frame.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) frame.write((int) ((long) length >>> (8 * i)));
    }
    byte[] mask = new byte[4];
    random.nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < length; i++) frame.write(payload[i] ^ mask[i & 3]);
    out.write(frame.toByteArray());
    out.flush();
  }

  public void sendText(String text) throws IOException {
    send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next frame that is not a ping or pong. */
  public Frame read() throws IOException {
    while (true) {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long length = b1 & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      int opcode = b0 & 0x0f;
      if (opcode != 0x9 && opcode != 0xA) return new Frame((b0 & 0x80) != 0, opcode, payload);
    }
  }

  /** Whether the server closes the TCP connection (EOF or reset) within the socket's timeout. */
  public boolean tcpClosed() {
    try {
      while (in.read() >= 0) {
        // discard
      }
      return true;
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
