// Preloaded into a CLI process a test starts with an `answer` (test/helpers/cli.ts): its stdin (a pipe
// from the test) says it is a terminal, so the CLI asks its confirmation question as it would a person.
Object.defineProperty(process.stdin, "isTTY", { value: true });
