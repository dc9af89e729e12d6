/**
 * The load generator of {@code bench chat} and {@code bench idle}: many honest clients on one
 * selector thread ({@link mechat.bench.load.ClientPool}, {@link mechat.bench.load.PoolSetup}),
 * messages whose every byte the receiver checks ({@link mechat.bench.load.Payload}, {@link
 * mechat.bench.load.SequenceTracker}), and the report of what arrived and how fast.
 */
package mechat.bench.load;
