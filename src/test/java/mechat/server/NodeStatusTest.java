package mechat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What /health will report (§10, §11): accepting, and in a cluster an Up member. */
class NodeStatusTest {

  @Test
  void aSingleServerIsReadyWhileItsListenersAreBoundAndNotStopping() {
    NodeStatus s = NodeStatus.singleNode();
    assertFalse(s.ready(), "not before the listeners are bound");
    s.listenersBound();
    assertTrue(s.ready());
    assertEquals(Optional.empty(), s.unavailable());
    assertEquals("", s.statsSuffix(), "the single server's stats line is unchanged");
    s.stopping();
    assertFalse(s.ready());
  }

  @Test
  void aClusterNodeIsReadyOnlyWhileItIsAnUpMember() {
    NodeStatus s = NodeStatus.clusterNode();
    s.listenersBound();
    assertFalse(s.ready(), "not an Up member yet");
    assertEquals(Optional.of("not an Up cluster member"), s.unavailable());
    s.membership(true, 3, 3);
    assertTrue(s.ready());
    assertEquals("; cluster: 3 of 3 members up, this node up", s.statsSuffix());
    s.membership(false, 2, 3); // leaving, or downed
    assertFalse(s.ready());
    assertEquals("; cluster: 2 of 3 members up, this node not up", s.statsSuffix());
  }
}
