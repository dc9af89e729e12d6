/**
 * Abusive clients and the soak: {@code bench abuse} runs every kind of abuser ({@link
 * mechat.bench.abuse.AbuseKind}) against a server, each episode a straight-line script on blocking
 * sockets ({@link mechat.bench.abuse.ScriptedSocket}), and checks every answer against the
 * protocol; {@code bench soak} runs the abuse beside honest pairs of the load generator.
 */
package mechat.bench.abuse;
