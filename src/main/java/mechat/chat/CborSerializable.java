package mechat.chat;

/**
 * Marker for messages that may cross cluster nodes one day: they are serialized with Jackson CBOR
 * (see application.conf). Tests run with {@code serialize-messages = on} to keep them honest.
 */
public interface CborSerializable {}
