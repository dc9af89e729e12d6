package mechat.bench.load;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One simulated client of a {@link ClientPool}: its non-blocking socket, where it is in the
 * protocol, and its buffers. Plain fields, touched only by the pool's selector thread; it never
 * blocks and acts only when the pool hands it I/O (unlike the abusers' blocking {@code
 * mechat.bench.abuse.ScriptedSocket}).
 */
final class PooledClient {
  enum State {
    IDLE,
    CONNECTING,
    REGISTERING,
    WAITING,
    /** Matched to a client of someone else (a leftover of an earlier run): wait until it leaves. */
    FOREIGN,
    MATCHED,
    CLOSED
  }

  final int index;
  State state = State.IDLE;
  SocketChannel channel;
  SelectionKey key;

  /** Index of the partner (from its "matched to" name), -1 before a match. */
  int partner = -1;

  // Output: bytes [outHead, outHead + outLen) of out are still to be written. outBuf wraps out
  // once, so a write needs no allocation; allocated on the first append.
  byte[] out;
  ByteBuffer outBuf;
  int outHead;
  int outLen;

  /** OP_WRITE is in the interest set: the socket took less than we had. */
  boolean wantWrite;

  // Input: an unfinished line carried over to the next read, or the rest of an over-long line
  // being thrown away.
  byte[] part;
  int partLen;
  boolean discarding;

  // Chat: what this client sent, and what it received from its partner.
  long sent;
  SequenceTracker received;

  /** "PARTNERNAME: ", the exact start of every line the partner's messages arrive in. */
  byte[] partnerPrefix;

  /** Chat lines arrived in the current read: the partner's window may have opened. */
  boolean gotChat;

  /** Everything the partner sent has been seen or skipped (counted once, at the end). */
  boolean tailSeen;

  PooledClient(int index) {
    this.index = index;
  }

  /**
   * Makes room for {@code n} more bytes of output and returns where they go, or -1 when the buffer
   * cannot take them until the socket drains some.
   */
  int reserve(int n, int capacity) {
    if (out == null) {
      out = new byte[Math.max(capacity, n)];
      outBuf = ByteBuffer.wrap(out);
    }
    if (outHead + outLen + n > out.length) {
      if (outLen + n > out.length) return -1;
      System.arraycopy(out, outHead, out, 0, outLen);
      outHead = 0;
    }
    return outHead + outLen;
  }

  /** Commits {@code n} bytes written at the offset {@link #reserve} returned. */
  void commit(int n) {
    outLen += n;
  }

  boolean isOpen() {
    return channel != null && state != State.CLOSED;
  }
}
