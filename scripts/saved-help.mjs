// dist/help.json: every command's help as commander prints it into a pipe (80 columns, no colour), taken
// from the built CLI itself, so that bin/miauth.js can print `miauth [command…] --help` into a pipe
// without loading commander and every command's definition (~40 ms of a ~85 ms run). On a terminal, help
// is wrapped to its width: commander prints it. test/e2e/startup.test.ts checks the two agree.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function saveHelp(root) {
  const bin = new URL("bin/miauth.js", root).pathname;
  const { commandPaths } = await import(new URL("dist/cli.js", root).href);
  const paths = await commandPaths();
  // As a user's pipe sees it: no colour forced, none of the help's wording taken from the environment.
  const env = { ...process.env };
  for (const name of ["FORCE_COLOR", "CLICOLOR_FORCE", "NO_COLOR"]) delete env[name];
  const saved = {};
  for (let i = 0; i < paths.length; i += 4) {
    const batch = paths.slice(i, i + 4);
    const texts = await Promise.all(
      batch.map(async (path) => (await run(process.execPath, [bin, ...path, "--help"], { env })).stdout),
    );
    batch.forEach((path, j) => {
      const text = texts[j] ?? "";
      if (!text.startsWith("Usage: ") || text.includes("\u001b"))
        throw new Error(`miauth ${path.join(" ")} --help: unexpected help text`);
      saved[path.join(" ")] = text;
    });
  }
  writeFileSync(new URL("dist/help.json", root), JSON.stringify(saved));
  return paths.length;
}
