package mechat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import mechat.client.Session.Phase;
import mechat.client.ViewEvent.EndReason;
import mechat.client.ViewEvent.Refusal;
import mechat.protocol.Notices;
import org.junit.jupiter.api.Test;

/** Server line -> what the person sees, and the name prompt loop, without any socket. */
class SessionTest {

  private final Session session = new Session();

  @Test
  void asksAgainAfterAnInvalidOrTakenNameThenAcceptsTheNext() {
    session.nameSent("bad name");
    assertEquals(
        List.of(new ViewEvent.NameRefused(Refusal.INVALID)),
        session.serverLine(Notices.INVALID_USERNAME));
    assertEquals(Phase.NAMING, session.phase());

    session.nameSent("alice");
    assertEquals(
        List.of(new ViewEvent.NameRefused(Refusal.TAKEN)),
        session.serverLine(Notices.USERNAME_TAKEN));
    assertEquals(Phase.NAMING, session.phase());

    session.nameSent("  bob\t");
    assertEquals(
        List.of(new ViewEvent.NameAccepted("bob"), new ViewEvent.Waiting()),
        session.serverLine(Notices.WAIT));
    assertEquals(Optional.of("bob"), session.name());
    assertEquals(Phase.WAITING, session.phase());
  }

  @Test
  void aNameTooLongForTheServerIsRefusedToo() {
    session.nameSent("x".repeat(5000));
    assertEquals(
        List.of(new ViewEvent.NameRefused(Refusal.TOO_LONG)),
        session.serverLine(Notices.MESSAGE_TOO_LONG));
  }

  @Test
  void matchedRightAwayAcceptsTheNameAndStartsChatting() {
    session.nameSent("bob");
    assertEquals(
        List.of(new ViewEvent.NameAccepted("bob"), new ViewEvent.Matched("alice")),
        session.serverLine(Notices.matchedTo("alice")));
    assertEquals(Phase.CHATTING, session.phase());
    assertEquals(Optional.of("alice"), session.partner());
  }

  @Test
  void chatLinesAreSplitAtTheFirstColonSpace() {
    chattingWith("alice");
    assertEquals(
        List.of(new ViewEvent.PartnerLine("alice", "see: https://x.y and: more")),
        session.serverLine("alice: see: https://x.y and: more"));
    assertEquals(List.of(new ViewEvent.PartnerLine("a:b:", "hi")), session.serverLine("a:b:: hi"));
  }

  @Test
  void partnerLeftNamesThePartnerAndTheServerRequeues() {
    chattingWith("alice");
    assertEquals(
        List.of(new ViewEvent.PartnerLeft("alice")), session.serverLine(Notices.PARTNER_LEFT));
    assertEquals(Phase.WAITING, session.phase());
    assertEquals(Optional.empty(), session.partner());
    assertEquals(List.of(new ViewEvent.Waiting()), session.serverLine(Notices.WAIT));
    assertEquals(List.of(new ViewEvent.Matched("carol")), session.serverLine("matched to carol"));
    assertEquals(Optional.of("carol"), session.partner());
  }

  @Test
  void otherNoticesPassThroughForTheViewToExplain() {
    chattingWith("alice");
    for (String notice :
        List.of(
            Notices.NOT_MATCHED,
            Notices.UNKNOWN_COMMAND,
            Notices.HELP,
            Notices.INVALID_MESSAGE,
            Notices.MESSAGE_TOO_LONG,
            "too many connections")) {
      assertEquals(List.of(new ViewEvent.Notice(notice)), session.serverLine(notice));
    }
    assertEquals(Phase.CHATTING, session.phase());
  }

  @Test
  void byeEndsWithExitCodeZero() {
    chattingWith("alice");
    assertEquals(Optional.of(new ViewEvent.OwnLine("/quit")), session.userLine("/quit"));
    assertTrue(session.isQuitting());
    assertEquals(List.of(new ViewEvent.Ended(EndReason.BYE)), session.serverLine(Notices.BYE));
    assertTrue(session.isEnded());
    assertEquals(0, EndReason.BYE.exitCode());
    assertEquals(List.of(), session.disconnected(), "the close after bye is no news");
  }

  @Test
  void theServerGoingAwayEndsWithANonZeroCode() {
    chattingWith("alice");
    assertEquals(
        List.of(new ViewEvent.Ended(EndReason.SERVER_SHUTTING_DOWN)),
        session.serverLine(Notices.SERVER_SHUTTING_DOWN));
    assertTrue(EndReason.SERVER_SHUTTING_DOWN.exitCode() != 0);

    Session other = new Session();
    other.nameSent("x");
    other.serverLine(Notices.WAIT);
    assertEquals(List.of(new ViewEvent.Ended(EndReason.CONNECTION_CLOSED)), other.disconnected());
    assertTrue(EndReason.CONNECTION_CLOSED.exitCode() != 0);
  }

  @Test
  void closingNoticesOfTheUsernamePhaseEndToo() {
    session.nameSent("bob");
    assertEquals(
        List.of(new ViewEvent.Ended(EndReason.SERVER_FULL)),
        session.serverLine(Notices.SERVER_FULL));
    Session slow = new Session();
    assertEquals(List.of(new ViewEvent.Ended(EndReason.TIMEOUT)), slow.serverLine(Notices.TIMEOUT));
  }

  @Test
  void quitAsTheNameIsAQuitToo() {
    session.nameSent("/QUIT ");
    assertTrue(session.isQuitting());
    assertEquals(List.of(new ViewEvent.Ended(EndReason.BYE)), session.serverLine(Notices.BYE));
  }

  @Test
  void blankTypedLinesAreNotSentAndOthersAreEchoedAsTyped() {
    chattingWith("alice");
    assertEquals(Optional.empty(), session.userLine(""));
    assertEquals(Optional.empty(), session.userLine(" \t "));
    assertEquals(Optional.of(new ViewEvent.OwnLine(" hi ")), session.userLine(" hi "));
    assertEquals(Optional.of(new ViewEvent.OwnLine("/next")), session.userLine("/next"));
    assertFalse(session.isQuitting());
  }

  @Test
  void linesAfterTheEndAreIgnored() {
    chattingWith("alice");
    session.serverLine(Notices.BYE);
    assertEquals(List.of(), session.serverLine("alice: late"));
  }

  private void chattingWith(String partner) {
    session.nameSent("bob");
    session.serverLine(Notices.matchedTo(partner));
  }
}
