// Preloaded into a CLI process a test starts with `terminal` (test/helpers/cli.ts): its stdout and
// stderr (pipes to the test) say they are a terminal of MIAUTH_TEST_COLUMNS columns, as in a person's
// shell, so the CLI decides what to print as it would there.
const columns = Number(process.env.MIAUTH_TEST_COLUMNS ?? "80");
for (const stream of [process.stdout, process.stderr]) {
  Object.defineProperty(stream, "isTTY", { value: true });
  Object.defineProperty(stream, "columns", { value: columns });
}
