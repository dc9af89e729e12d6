package mechat.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mechat.protocol.Frame;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket codec of §10 in memory: messages to frames ({@link InboundMessages}), whole or
 * streamed in chunks, and the server's bytes to messages and a Close ({@link OutboundLines}).
 */
class WebSocketCodecTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void cleanup() {
    testKit.shutdownTestKit();
  }

  private static <T> List<T> run(CompletionStage<List<T>> result) throws Exception {
    return result.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static List<Frame> frames(int max, Message... messages) throws Exception {
    return run(
        Source.from(List.of(messages))
            .via(InboundMessages.flow(max))
            .runWith(Sink.seq(), testKit.system()));
  }

  /** A text message streamed in these chunks, as Pekko hands over one that took several reads. */
  private static Message streamed(String... chunks) {
    return TextMessage.create(Source.from(List.of(chunks)));
  }

  private static Frame line(String text) {
    return new Frame.Line(text);
  }

  @Test
  void aTextMessageIsOneLineWithOneTrailingLfOrCrlfStripped() throws Exception {
    assertEquals(
        List.of(line("hi"), line("lf"), line("crlf"), line(""), line("a\tb")),
        frames(
            16,
            TextMessage.create("hi"),
            TextMessage.create("lf\n"),
            TextMessage.create("crlf\r\n"),
            TextMessage.create(""),
            TextMessage.create("a\tb")));
  }

  @Test
  void controlCharactersOtherThanTheTerminatorAreInvalid() throws Exception {
    assertEquals(
        List.of(
            Frame.Invalid.INSTANCE,
            Frame.Invalid.INSTANCE,
            Frame.Invalid.INSTANCE,
            Frame.Invalid.INSTANCE,
            Frame.Invalid.INSTANCE),
        frames(
            16,
            TextMessage.create("two\n\n"),
            TextMessage.create("in\nside"),
            TextMessage.create("cr\r"),
            TextMessage.create("\u0085next line"),
            TextMessage.create("del\u007f")));
  }

  @Test
  void theLimitCountsUtf8BytesWithoutTheTerminator() throws Exception {
    assertEquals(
        List.of(
            line("x".repeat(8)),
            line("x".repeat(8)),
            Frame.TooLong.INSTANCE,
            line("éééé"),
            Frame.TooLong.INSTANCE,
            line("😀😀"),
            Frame.TooLong.INSTANCE),
        frames(
            8,
            TextMessage.create("x".repeat(8)),
            TextMessage.create("x".repeat(8) + "\r\n"),
            TextMessage.create("x".repeat(9)),
            TextMessage.create("éééé"),
            TextMessage.create("éééé\r"),
            TextMessage.create("😀😀\n"),
            TextMessage.create("😀😀a")));
  }

  @Test
  void aStreamedMessageIsJoinedAndCountedWhole() throws Exception {
    assertEquals(
        List.of(line("hello"), Frame.TooLong.INSTANCE, line("ok"), line("12345678")),
        frames(
            8,
            streamed("he", "l", "lo"),
            streamed("1234", "5678", "9"),
            streamed("ok"),
            streamed("1234", "5678", "\r", "\n")));
  }

  @Test
  void aTooLongStreamedMessageKeepsAtMostTheLimitAndACrlf() {
    InboundMessages.Text text = new InboundMessages.Text(8);
    text.add("12345678\r\n"); // 10 bytes: still kept, the CRLF may be the terminator
    assertEquals(line("12345678"), text.frame());
    InboundMessages.Text longer = new InboundMessages.Text(8);
    longer.add("12345678\r\n").add("x");
    assertEquals(Frame.TooLong.INSTANCE, longer.frame());
  }

  @Test
  void binaryMessagesAreBinaryFramesAndDrained() throws Exception {
    assertEquals(
        List.of(Frame.Binary.INSTANCE, Frame.Binary.INSTANCE, line("after")),
        frames(
            16,
            BinaryMessage.create(ByteString.fromString("hi")),
            BinaryMessage.create(
                Source.from(List.of(ByteString.fromString("a"), ByteString.fromString("b")))),
            TextMessage.create("after")));
  }

  @Test
  void utf8LengthCountsSurrogatePairsAsFourBytes() {
    assertEquals(1, InboundMessages.utf8Length("a"));
    assertEquals(2, InboundMessages.utf8Length("é"));
    assertEquals(3, InboundMessages.utf8Length("€"));
    assertEquals(4, InboundMessages.utf8Length("😀"));
  }

  private static List<OutboundLines.Out> out(Source<ByteString, ?> bytes) throws Exception {
    return run(bytes.via(OutboundLines.flow()).runWith(Sink.seq(), testKit.system()));
  }

  private static Source<ByteString, ?> chunks(String... chunks) {
    List<ByteString> list = new ArrayList<>();
    for (String c : chunks) list.add(ByteString.fromString(c));
    return Source.from(list);
  }

  @Test
  void eachServerLineIsOneMessageThenACloseAfterTheLastLine() throws Exception {
    assertEquals(
        List.of(
            new OutboundLines.Line("wait"),
            new OutboundLines.Line("matched to bob"),
            new OutboundLines.Line("bob: hé\tllo"),
            new OutboundLines.Line("bye"),
            new OutboundLines.Close(1000)),
        out(chunks("wait\nmatched to bob\n", "bob: h", "é\tllo\nbye\n")));
  }

  @Test
  void theCloseCodeFollowsTheLastLine() throws Exception {
    assertEquals(new OutboundLines.Close(1013), out(chunks("server full\n")).get(1), "server full");
    assertEquals(
        new OutboundLines.Close(1013),
        out(chunks("too many connections\n")).get(1),
        "too many connections");
    assertEquals(
        new OutboundLines.Close(1001),
        out(chunks("bob: x\nserver shutting down\n")).get(2),
        "server shutting down");
    assertEquals(new OutboundLines.Close(1000), out(chunks("timeout\n")).get(1), "timeout");
    assertEquals(List.of(new OutboundLines.Close(1000)), out(chunks()), "nothing said");
  }

  @Test
  void aFailedOutputGetsNoClose() {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                out(
                    chunks("bob: one\n")
                        .concat(Source.failed(new IllegalStateException("slow reader")))));
    assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
  }
}
