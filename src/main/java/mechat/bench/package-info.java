/**
 * The {@code mechat bench} command line: {@link mechat.bench.BenchCli} and one class per
 * subcommand, which parse and check the options and hand the work to {@link mechat.bench.load}
 * ({@code chat} and {@code idle}) or {@link mechat.bench.abuse} ({@code abuse} and {@code soak}).
 */
package mechat.bench;
