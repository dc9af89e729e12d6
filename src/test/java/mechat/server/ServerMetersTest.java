package mechat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mechat.chat.MatchmakerActor;
import mechat.transport.IncomingClient;
import org.junit.jupiter.api.Test;

/** The meters that /metrics exposes and the stats line reads, without a server. */
class ServerMetersTest {

  @Test
  void connectionsAreCountedByTransportAndRefusalsByReason() {
    try (ServerMeters meters = new ServerMeters()) {
      meters.opened(IncomingClient.TCP);
      meters.opened(IncomingClient.WEBSOCKET);
      meters.opened(IncomingClient.WEBSOCKET);
      meters.closed(IncomingClient.WEBSOCKET);
      meters.refused(ServerMeters.SERVER_FULL);
      meters.refused(ServerMeters.SERVER_FULL);
      meters.refused(ServerMeters.ORIGIN_NOT_ALLOWED);
      meters.matchmaker(new MatchmakerActor.Stats(5, 1, 2));
      assertEquals(2, meters.connections());
      assertEquals(1, meters.connections(IncomingClient.WEBSOCKET));
      assertEquals(2, meters.refusals(ServerMeters.SERVER_FULL));
      String text = meters.scrape();
      assertTrue(text.contains("mechat_connections{transport=\"tcp\"} 1.0"), text);
      assertTrue(text.contains("mechat_connections{transport=\"tls\"} 0.0"), text);
      assertTrue(text.contains("mechat_connections{transport=\"websocket\"} 1.0"), text);
      assertTrue(text.contains("mechat_named_clients 5.0"), text);
      assertTrue(text.contains("mechat_waiting_clients 1.0"), text);
      assertTrue(text.contains("mechat_conversations 2.0"), text);
      assertTrue(text.contains("mechat_lines_relayed_total 0.0"), text);
      assertTrue(
          text.contains("mechat_refused_connections_total{reason=\"server_full\"} 2.0"), text);
      assertTrue(
          text.contains("mechat_refused_connections_total{reason=\"origin_not_allowed\"} 1.0"),
          text);
      assertFalse(text.contains("jvm_"), "JVM meters only once bound (with an HTTP listener)");
    }
  }
}
