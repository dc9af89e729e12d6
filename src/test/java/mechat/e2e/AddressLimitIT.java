package mechat.e2e;

import java.io.IOException;
import mechat.server.ChatServer;
import mechat.testing.Awaits;
import mechat.testing.LineClient;
import mechat.testing.TestServers;
import org.junit.jupiter.api.Test;

/** Protocol §9: {@code --max-connections-per-ip}. Clients of 127.0.0.2 play another address. */
class AddressLimitIT extends EndToEnd {

  private LineClient connectFrom(ChatServer s, String address) throws IOException {
    LineClient c = new LineClient(s.port(), address);
    track(c);
    return c;
  }

  @Test
  void s9_overThePerAddressLimitANewConnectionGetsTooManyConnectionsAndIsClosed() throws Exception {
    ChatServer s = server(TestServers.settings("max-connections-per-ip = 2"));
    LineClient a = named(s, "first");
    a.expect("wait");
    LineClient handshaking = connectAndAwaitAccept(s); // no name yet: still holds a slot
    LineClient third = connect(s);
    third.expect("too many connections");
    third.expectClosed();

    handshaking.send("second");
    handshaking.expect("matched to first");
    a.expect("matched to second");
    a.send("undisturbed");
    handshaking.expect("first: undisturbed");
  }

  @Test
  void s9_otherAddressesAreNotAffected() throws Exception {
    ChatServer s = server(TestServers.settings("max-connections-per-ip = 1"));
    LineClient local = named(s, "local");
    local.expect("wait");
    connect(s).expect("too many connections");

    LineClient other = connectFrom(s, "127.0.0.2");
    other.send("other");
    other.expect("matched to local");
    local.expect("matched to other");
    connectFrom(s, "127.0.0.2").expect("too many connections");
    other.send("hello from elsewhere");
    local.expect("other: hello from elsewhere");
  }

  @Test
  void s9_aSlotOfTheAddressIsFreedWhenItsClientLeaves() throws Exception {
    ChatServer s = server(TestServers.settings("max-connections-per-ip = 1"));
    LineClient a = named(s, "only");
    a.expect("wait");
    connect(s).expect("too many connections");
    a.send("/quit");
    a.expect("bye");
    a.expectClosed();
    Awaits.until(
        () -> {
          try (LineClient again = new LineClient(s.port())) {
            again.send("again");
            return "wait".equals(again.readLine());
          }
        },
        "the address's freed slot to be usable");
  }

  @Test
  void s9_zeroTurnsTheLimitOff() throws Exception {
    ChatServer s = server(TestServers.settings("max-connections-per-ip = 0"));
    for (int i = 0; i < 20; i++) {
      named(s, "n" + i).expect(i % 2 == 0 ? "wait" : "matched to n" + (i - 1));
    }
  }
}
