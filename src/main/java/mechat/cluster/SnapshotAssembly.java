package mechat.cluster;

import java.util.ArrayList;
import java.util.List;

/** The chunks of one registry snapshot as they arrive, until every one of them has. */
final class SnapshotAssembly {
  private final long snapshotId;
  private final RegistrySnapshot.Part[] parts;
  private int received;

  SnapshotAssembly(long snapshotId, int count) {
    this.snapshotId = snapshotId;
    this.parts = new RegistrySnapshot.Part[Math.max(1, count)];
  }

  long snapshotId() {
    return snapshotId;
  }

  /** Adds one chunk (a repeated one changes nothing); true once the snapshot is complete. */
  boolean add(
      int index,
      List<RegistrySnapshot.ClientState> clients,
      List<RegistrySnapshot.PairState> pairs) {
    if (index >= 0 && index < parts.length && parts[index] == null) {
      parts[index] = new RegistrySnapshot.Part(clients, pairs);
      received++;
    }
    return received == parts.length;
  }

  List<RegistrySnapshot.ClientState> clients() {
    List<RegistrySnapshot.ClientState> all = new ArrayList<>();
    for (RegistrySnapshot.Part p : parts) all.addAll(p.clients());
    return all;
  }

  List<RegistrySnapshot.PairState> pairs() {
    List<RegistrySnapshot.PairState> all = new ArrayList<>();
    for (RegistrySnapshot.Part p : parts) all.addAll(p.pairs());
    return all;
  }
}
