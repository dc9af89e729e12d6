package mechat.cluster;

import java.time.Duration;
import mechat.chat.ConnectionActor;
import mechat.chat.ConversationActor;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cluster transport dropped on this node (a full outbound queue, an oversized message): a
 * conversation's line or ack ends that conversation for both sides with {@code partner left} rather
 * than leaving a hole in it (§5.3); a message between registries and the matchmaker is sent again a
 * second later while its node is Up (requests are retried anyway).
 */
final class DroppedListener {
  private static final Logger LOG = LoggerFactory.getLogger(DroppedListener.class);
  private static final Duration RESEND_AFTER = Duration.ofSeconds(1);

  private DroppedListener() {}

  static Behavior<Dropped> create() {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem()
              .eventStream()
              .tell(new EventStream.Subscribe<>(Dropped.class, ctx.getSelf()));
          Cluster cluster = Cluster.get(ctx.getSystem());
          return Behaviors.receive(Dropped.class)
              .onMessage(
                  Dropped.class,
                  d -> {
                    ActorRef<ConversationActor.Command> conversation = conversationOf(d);
                    if (conversation != null) {
                      LOG.warn(
                          "the cluster transport dropped a line of a conversation ({}): it ends"
                              + " with 'partner left'",
                          d.reason());
                      conversation.tell(new ConversationActor.LinkLost());
                    } else if (d.message() instanceof NodeRegistry.FromMatchmaker
                        || d.message() instanceof ClusterMatchmaker.Command) {
                      Address to = d.recipient().path().address();
                      if (isUp(cluster, to)) {
                        LOG.warn(
                            "the cluster transport dropped a matchmaking message: resending it");
                        ctx.scheduleOnce(RESEND_AFTER, Adapter.toTyped(d.recipient()), d.message());
                      }
                    }
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** The conversation a dropped chat message belongs to, or null. */
  private static ActorRef<ConversationActor.Command> conversationOf(Dropped d) {
    Object m = d.message();
    if (m instanceof ConversationActor.Say) return Adapter.toTyped(d.recipient());
    if (m instanceof ConnectionActor.Deliver deliver) return deliver.conversation();
    if (m instanceof ConnectionActor.Delivered delivered) return delivered.conversation();
    if (m instanceof ConnectionActor.Matched matched) return matched.conversation();
    if (m instanceof ConnectionActor.PartnerLeft left) return left.conversation();
    return null;
  }

  private static boolean isUp(Cluster cluster, Address address) {
    for (Member m : cluster.state().getMembers()) {
      if (m.address().equals(address) && m.status() == MemberStatus.up()) return true;
    }
    return false;
  }
}
