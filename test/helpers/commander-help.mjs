// Run by test/e2e/startup.test.ts: every command's help as commander itself prints it into a pipe,
// through dist/cli.js's main() (not bin/miauth.js, which prints the build's saved copy). Prints
// {"<command path>": "<help>"} as JSON. Usage: node commander-help.mjs ROOT
import { pathToFileURL } from "node:url";

const root = process.argv[2] ?? "";
const { main, commandPaths } = await import(pathToFileURL(`${root}/dist/cli.js`).href);
const write = process.stdout.write.bind(process.stdout);
const texts = {};
for (const path of await commandPaths()) {
  let text = "";
  process.stdout.write = (chunk) => {
    text += chunk;
    return true;
  };
  const code = await main([process.execPath, "miauth", ...path, "--help"]);
  process.stdout.write = write;
  if (code !== 0) throw new Error(`${path.join(" ")} --help: exit ${code}`);
  texts[path.join(" ")] = text;
}
write(JSON.stringify(texts));
